"""Reading alignment files of either format (Pharaoh or NAACL-2003), and checking their links
against the texts they align.

Gold standards differ in their index base (the DERMIT gold is 0-based; the English-French,
Romanian-English and other public sets are 1-based), and nothing in a file says which it uses.
The base is therefore always the caller's explicit choice, and :func:`check_bounds` turns the
typical symptom of a wrong choice, a link past the end of a sentence, into an error that names
the option to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from wordalign.errors import InputFormatError, LengthMismatchError, UnknownNameError
from wordalign.io.files import PathLike, display_name, read_lines
from wordalign.io.naacl import is_naacl_line, parse_naacl_lines
from wordalign.io.pharaoh import parse_pharaoh_links
from wordalign.types import Alignment, SentencePair

__all__ = ["ALIGNMENT_FORMATS", "check_bounds", "detect_format", "read_alignments"]

AlignmentFormat = Literal["auto", "pharaoh", "naacl"]
ALIGNMENT_FORMATS = ("auto", "pharaoh", "naacl")

# The phrase the readers use when the index base looks wrong; callers that know the name of
# their option (a CLI flag) have it substituted, so the message says exactly what to type.
_GENERIC_OPTION = "the one-based option"
_INDEX = re.compile(r"^\s*\d+\t")


def detect_format(lines: Iterable[str]) -> Literal["pharaoh", "naacl"]:
    """The format of an alignment file, from its first non-blank line.

    A NAACL line is three bare integers and optional ``S``/``P`` and confidence fields; anything
    else (``i-j`` links, with or without an ``INDEX<TAB>`` column) is Pharaoh. A file with no
    non-blank line is Pharaoh (every sentence pair empty).
    """
    for text in lines:
        if text.strip():
            return "naacl" if is_naacl_line(text) else "pharaoh"
    return "pharaoh"


def _parse_pharaoh(
    lines: Iterable[tuple[int, str]], name: str, one_based: bool
) -> Iterator[Alignment]:
    # As read_pharaoh(index_column=None), on lines already read (so that stdin can be detected).
    for line_no, text in lines:
        match = _INDEX.match(text)
        if match is not None:
            text = text[match.end() :]
        try:
            sure, possible, scores = parse_pharaoh_links(text, one_based)
        except ValueError as exc:
            raise InputFormatError(name, line_no, str(exc)) from None
        yield Alignment(sure, possible, scores or None)


def read_alignments(
    path: PathLike,
    fmt: AlignmentFormat = "auto",
    one_based: bool = False,
    n_sentences: int | None = None,
    option: str | None = None,
) -> list[Alignment]:
    """Read a Pharaoh or NAACL alignment file into one alignment per sentence pair.

    Args:
        path: the file (``.gz`` and ``-`` for stdin work).
        fmt: ``"pharaoh"``, ``"naacl"``, or ``"auto"`` to decide from the first non-blank line
            (see :func:`detect_format`).
        one_based: indices (and NAACL sentence ids) in the file start at 1.
        n_sentences: the number of sentence pairs, when the texts are known. NAACL files need it
            to keep trailing pairs without links; a Pharaoh file must have exactly that many lines.
        option: the name of the option that sets ``one_based`` (``"--gold-one-based"``), used in
            error messages that suggest the other index base.

    Returns:
        One :class:`Alignment` per sentence pair, in order.

    Raises:
        InputFormatError: ``file:line: ...`` for a malformed line.
        LengthMismatchError: when a Pharaoh file does not have ``n_sentences`` lines.
        UnknownNameError: for an unknown ``fmt``.
    """
    if fmt not in ALIGNMENT_FORMATS:
        raise UnknownNameError("alignment format", fmt, ALIGNMENT_FORMATS)
    name = display_name(path)
    # One pass into memory: the result is a list anyway, and stdin cannot be read twice.
    lines = list(read_lines(path))
    if fmt == "auto":
        fmt = detect_format(text for _, text in lines)
    try:
        if fmt == "naacl":
            return parse_naacl_lines(lines, name, n_sentences, one_based)
        alignments = list(_parse_pharaoh(lines, name, one_based))
    except InputFormatError as exc:
        if option is None or _GENERIC_OPTION not in exc.reason:
            raise
        reason = exc.reason.replace(_GENERIC_OPTION, option)
        raise InputFormatError(exc.path, exc.line_no, reason) from None
    if n_sentences is not None and len(alignments) != n_sentences:
        raise LengthMismatchError(name, len(alignments), "the bitext", n_sentences)
    return alignments


def check_bounds(
    alignments: Sequence[Alignment],
    pairs: Sequence[SentencePair],
    name: str,
    one_based: bool,
    option: str | None = None,
    fmt: Literal["pharaoh", "naacl"] = "pharaoh",
) -> None:
    """Check that every link lies inside its sentence pair.

    A link past the end of a sentence almost always means the file was read with the wrong
    index base, so the message suggests the other one.

    Args:
        alignments: the alignments as read from ``name``.
        pairs: the sentence pairs they align, in the same order.
        name: the file name for messages.
        one_based: whether the file was read as 1-based (links are shown as written in the file).
        option: the option that switches the base (``"--gold-one-based"``), for the suggestion.
        fmt: the file's format: Pharaoh errors name the line (one per pair); NAACL errors name
            the sentence id, since a link's line is not kept.

    Raises:
        LengthMismatchError: when ``alignments`` and ``pairs`` differ in length.
        InputFormatError: for the first link outside its sentence pair.
    """
    if len(alignments) != len(pairs):
        raise LengthMismatchError(name, len(alignments), "the bitext", len(pairs))
    base = 1 if one_based else 0
    flag = option if option is not None else _GENERIC_OPTION
    if one_based:
        hint = f"if the file is 0-based, drop {flag}"
    else:
        hint = f"if the file is 1-based, use {flag}"
    for index, (alignment, pair) in enumerate(zip(alignments, pairs, strict=True)):
        n_src, n_tgt = len(pair.src), len(pair.tgt)
        for i, j in sorted(alignment.possible):
            if i < n_src and j < n_tgt:
                continue
            link = f"{i + base}-{j + base}" if fmt == "pharaoh" else f"{i + base} {j + base}"
            reason = (
                f"link {link} is outside the sentence pair "
                f"({n_src} source, {n_tgt} target tokens); {hint}"
            )
            if fmt == "naacl":
                raise InputFormatError(name, None, f"sentence {index + base}: {reason}")
            raise InputFormatError(name, index + 1, reason)
