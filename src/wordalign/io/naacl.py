"""The NAACL-2003 word-alignment format: one link per line, ``sentid i j [S|P] [confidence]``.

This is the format of the HLT/NAACL 2003 shared task on word alignment (Mihalcea & Pedersen 2003)
and of the test sets distributed with it and after it (English-French Hansards, Romanian-English):

* ``sentid`` names the sentence pair; ids are 1-based in those sets (the first pair is ``1``);
* ``i`` and ``j`` are the positions of the source and target tokens, 1-based; position ``0``
  stands for NULL (a token aligned to nothing), so such links are dropped on reading;
* ``S`` (Sure) or ``P`` (Possible, "probable" in the task description) is optional and defaults
  to Sure;
* a confidence (a number) is optional and becomes the link's score; the scoring script of the
  shared task accepts it before or after ``S``/``P``, and so does this reader.

Fields are separated by any whitespace. Lines may come in any order; the sentence ids group them.
A sentence pair without any link has no line at all, so the number of sentences is only known
from the texts: pass ``n_sentences`` when it is known, otherwise the largest id decides.

With ``one_based=False`` ids and positions are read as 0-based and position 0 is a real token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wordalign.errors import InputFormatError
from wordalign.io.files import PathLike, display_name, read_lines, write_lines
from wordalign.types import Alignment, Link

__all__ = ["is_naacl_line", "parse_naacl_lines", "read_naacl", "write_naacl"]

_KINDS = {"S": True, "P": False}  # -> is Sure


@dataclass
class _Links:
    sure: list[Link] = field(default_factory=list)
    possible: list[Link] = field(default_factory=list)
    scores: dict[Link, float] = field(default_factory=dict)


def _is_uint(text: str) -> bool:
    # str.isdigit alone accepts other scripts' digits and superscripts, which int() refuses.
    return text.isascii() and text.isdigit()


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_naacl_line(text: str) -> bool:
    """Whether a (non-empty) line looks like a NAACL link line rather than a Pharaoh line.

    A NAACL line has three bare integers, then optionally ``S``/``P`` and a confidence. A Pharaoh
    line never does: its links are ``i-j``/``ipj`` tokens, and a leading ``INDEX<TAB>`` column is
    followed by such tokens, not by two more integers.
    """
    fields = text.split()
    if not 3 <= len(fields) <= 5 or not all(_is_uint(f) for f in fields[:3]):
        return False
    try:
        _parse_extra(fields[3:])
    except ValueError:
        return False
    return True


def _parse_extra(extra: list[str]) -> tuple[bool, float | None]:
    """``(sure, confidence)`` from the optional fields after ``sentid i j``.

    The type and the confidence may come in either order, as the shared task's scoring script
    (wa_eval_align.pl) accepts; no type means Sure.

    Raises:
        ValueError: for anything else.
    """
    kinds = [f for f in extra if f.upper() in _KINDS]
    numbers = [f for f in extra if f.upper() not in _KINDS and _is_float(f)]
    unknown = [f for f in extra if f not in kinds and f not in numbers]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} after the link is neither 'S' (Sure), 'P' (Possible) nor a confidence"
        )
    if len(kinds) > 1 or len(numbers) > 1:
        raise ValueError(
            f"expected at most one 'S'/'P' and one confidence after the link, found {' '.join(extra)!r}"
        )
    sure = _KINDS[kinds[0].upper()] if kinds else True
    return sure, float(numbers[0]) if numbers else None


def _parse_line(text: str) -> tuple[int, int, int, bool, float | None]:
    """``(sentid, i, j, sure, confidence)`` as written in the file.

    Raises:
        ValueError: saying what is wrong with the line.
    """
    fields = text.split()
    if len(fields) < 3:
        raise ValueError(
            f"expected 'sentid i j [S|P] [confidence]', found {len(fields)} field(s): {text!r}"
        )
    if len(fields) > 5:
        raise ValueError(f"expected at most 5 fields ('sentid i j S|P confidence'): {text!r}")
    numbers = []
    for what, value in zip(
        ("sentence id", "source position", "target position"), fields[:3], strict=True
    ):
        if not _is_uint(value):
            raise ValueError(f"{what} {value!r} is not a non-negative integer")
        numbers.append(int(value))
    sure, confidence = _parse_extra(fields[3:])
    return numbers[0], numbers[1], numbers[2], sure, confidence


def parse_naacl_lines(
    lines: Iterable[tuple[int, str]],
    name: str,
    n_sentences: int | None = None,
    one_based: bool = True,
) -> list[Alignment]:
    """Group numbered NAACL lines (as :func:`~wordalign.io.files.read_lines` yields them).

    Args:
        lines: ``(line_number, text)`` pairs; blank lines are skipped.
        name: the file name used in error messages.
        n_sentences: the number of sentence pairs, when the texts are known.
        one_based: ids and positions start at 1 and position 0 is NULL (the published sets).

    Returns:
        One alignment per sentence pair, in id order (empty for ids without lines).

    Raises:
        InputFormatError: ``file:line: ...`` for a malformed line or an id out of range: beyond
            ``n_sentences``, or without it, more than :data:`MAX_IDS_PER_LINE` times the number
            of lines plus :data:`MAX_IDS_SLACK` (memory is bounded by the input).
    """
    base = 1 if one_based else 0
    by_sentence: dict[int, _Links] = {}
    n_lines = 0
    last = (-1, 0)  # (largest index, its line)
    for line_no, text in lines:
        if not text.strip():
            continue
        n_lines += 1
        try:
            sent_id, i, j, sure, confidence = _parse_line(text)
        except ValueError as exc:
            raise InputFormatError(name, line_no, str(exc)) from None
        index = sent_id - base
        if index < 0:
            raise InputFormatError(
                name,
                line_no,
                "sentence id 0, but the file is read as 1-based (drop the one-based option)",
            )
        if n_sentences is not None and index >= n_sentences:
            raise InputFormatError(
                name,
                line_no,
                f"sentence id {sent_id} is beyond the {n_sentences} sentence pairs of the text"
                + (
                    ""
                    if one_based
                    else " (ids are read as 0-based; if they start at 1, use the one-based option)"
                ),
            )
        if index > last[0]:
            last = (index, line_no)
        if one_based and (i == 0 or j == 0):
            continue  # a link to NULL: the token is unaligned, which the format spells this way
        link = (i - base, j - base)
        links = by_sentence.setdefault(index, _Links())
        (links.sure if sure else links.possible).append(link)
        if confidence is not None:
            links.scores[link] = confidence
    if n_sentences is None:
        _check_largest_id(name, last[0], last[1], n_lines, base)
    count = n_sentences if n_sentences is not None else max(by_sentence, default=-1) + 1
    empty = _Links()
    out = []
    for index in range(count):
        links = by_sentence.get(index, empty)
        out.append(Alignment(links.sure, links.possible, links.scores or None))
    return out


# Without the texts the largest sentence id sets the number of sentence pairs. Ids number the pairs
# and nearly every pair has a link, so an id far beyond the number of lines is a mistake (a
# different numbering, a typo), and taking it at its word would allocate that many pairs.
MAX_IDS_PER_LINE = 10
MAX_IDS_SLACK = 1000


def _check_largest_id(name: str, index: int, line_no: int, n_lines: int, base: int) -> None:
    limit = MAX_IDS_PER_LINE * n_lines + MAX_IDS_SLACK
    if index < limit:
        return
    raise InputFormatError(
        name,
        line_no,
        f"sentence id {index + base} is far beyond the {n_lines} link line(s) of the file: ids "
        f"number the sentence pairs ({base}, {base + 1}, ...); if there really are that many "
        "pairs, give their texts so that their number is known",
    )


def read_naacl(
    path: PathLike, n_sentences: int | None = None, one_based: bool = True
) -> list[Alignment]:
    """Read a NAACL-2003 alignment file (``.gz`` and ``-`` work).

    Args:
        path: the file.
        n_sentences: the number of sentence pairs, when the texts are known; trailing pairs
            without links are then kept as empty alignments. Without it, the largest id decides.
        one_based: ids and positions start at 1 and position 0 is NULL (the published test sets).

    Returns:
        One alignment per sentence pair, in id order.

    Raises:
        InputFormatError: ``file:line: ...`` for a malformed line or an id beyond ``n_sentences``
            (without it: far beyond the number of lines, see :func:`parse_naacl_lines`).

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.wa"
        >>> _ = path.write_text("1 1 1 S\\n1 2 3 P\\n2 0 1\\n3 2 2\\n")
        >>> [a.to_pharaoh() for a in read_naacl(path)]
        ['0-0 1p2', '', '1-1']
    """
    return parse_naacl_lines(read_lines(path), display_name(path), n_sentences, one_based)


def format_naacl(
    sentence: int, alignment: Alignment, one_based: bool = True, with_scores: bool = False
) -> list[str]:
    """The lines of one sentence pair (``sentence`` is its 0-based index); none when empty."""
    base = 1 if one_based else 0
    lines = []
    for i, j in sorted(alignment.possible):
        kind = "S" if (i, j) in alignment.sure else "P"
        line = f"{sentence + base} {i + base} {j + base} {kind}"
        if with_scores and alignment.scores is not None and (i, j) in alignment.scores:
            line += f" {alignment.scores[(i, j)]:.6g}"
        lines.append(line)
    return lines


def write_naacl(
    path: PathLike,
    alignments: Iterable[Alignment],
    one_based: bool = True,
    with_scores: bool = False,
    overwrite: bool = True,
) -> None:
    """Write alignments in the NAACL-2003 format, atomically, every link with ``S`` or ``P``.

    Sentence pairs without links produce no line: read the file back with ``n_sentences`` to
    keep trailing empty pairs.
    """
    write_lines(
        path,
        (
            line
            for sentence, alignment in enumerate(alignments)
            for line in format_naacl(sentence, alignment, one_based, with_scores)
        ),
        overwrite=overwrite,
    )
