"""Bitext formats: ``src ||| tgt`` lines (fast_align, eflomal), ``src<TAB>tgt`` (TSV), and two
line-aligned files. Sentences are pre-tokenized: tokens are separated by whitespace.

Line-numbered text files may carry a leading ``INDEX<TAB>`` column (the DERMIT gold files do);
``index_column="auto"`` detects it from the first line and then requires it on every line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from typing import Literal

from wordalign.errors import InputFormatError, LengthMismatchError
from wordalign.io.files import PathLike, display_name, read_lines, write_lines
from wordalign.types import SentencePair

BitextFormat = Literal["auto", "fastalign", "tsv"]
IndexColumn = bool | Literal["auto"]

FASTALIGN_SEP = " ||| "
_INDEX = re.compile(r"^(\d+)\t")


def _strip_index(
    lines: Iterable[tuple[int, str]],
    name: str,
    index_column: IndexColumn,
    rest_needs_tab: bool = False,
) -> Iterator[tuple[int, str]]:
    """Drop a leading ``INDEX<TAB>`` column: always, never, or as the first line shows.

    ``rest_needs_tab`` is for TSV bitexts, where ``2022<TAB>2022`` is a pair, not an index:
    there the first line shows an index only when a second TAB follows it.
    """
    has_index: bool | None = None if index_column == "auto" else bool(index_column)
    for line_no, text in lines:
        if has_index is None:
            match = _INDEX.match(text)
            has_index = match is not None and (
                not rest_needs_tab or "\t" in text[match.end() :] or "|||" in text
            )
        if has_index:
            match = _INDEX.match(text)
            if match is None:
                raise InputFormatError(
                    name, line_no, "expected a leading 'INDEX<TAB>' column like the lines above"
                )
            text = text[match.end() :]
        yield line_no, text


def _detect_format(text: str) -> Literal["fastalign", "tsv"] | None:
    if "|||" in text:
        return "fastalign"
    if "\t" in text:
        return "tsv"
    return None


def _split_pair(text: str, fmt: Literal["fastalign", "tsv"]) -> tuple[str, str] | None:
    # fast_align itself splits on ' ||| '; a bare '|||' beside an empty side is accepted too.
    parts = text.split("|||") if fmt == "fastalign" else text.split("\t")
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def read_bitext(
    path: PathLike, fmt: BitextFormat = "auto", index_column: IndexColumn = False
) -> Iterator[SentencePair]:
    """Stream sentence pairs from one file of ``src ||| tgt`` or ``src<TAB>tgt`` lines.

    With ``fmt="auto"`` the first line that has a separator decides the format for the whole file.
    An empty line is an empty pair; a line without the separator is an error (never skipped).

    Raises:
        InputFormatError: naming the file and line of a malformed line.
    """
    name = display_name(path)
    detected: Literal["fastalign", "tsv"] | None = None if fmt == "auto" else fmt
    pending: list[int] = []  # empty lines seen before the format is known
    lines = _strip_index(read_lines(path), name, index_column, rest_needs_tab=True)
    for line_no, text in lines:
        if not text.strip():
            if detected is None:
                pending.append(line_no)
                continue
            yield SentencePair((), ())
            continue
        if detected is None:
            detected = _detect_format(text)
            if detected is None:
                raise InputFormatError(
                    name, line_no, "no 'src ||| tgt' or 'src<TAB>tgt' separator in the line"
                )
            for _ in pending:
                yield SentencePair((), ())
            pending.clear()
        split = _split_pair(text, detected)
        if split is None:
            what = "' ||| '" if detected == "fastalign" else "one TAB"
            raise InputFormatError(
                name, line_no, f"expected exactly {what} between source and target"
            )
        yield SentencePair.from_strings(*split)
    for _ in pending:
        yield SentencePair((), ())


def read_sentences(path: PathLike, index_column: IndexColumn = "auto") -> Iterator[tuple[str, ...]]:
    """Stream tokenized sentences, one per line (one side of a parallel corpus)."""
    name = display_name(path)
    for _, text in _strip_index(read_lines(path), name, index_column):
        yield tuple(text.split())


def read_parallel(
    src_path: PathLike, tgt_path: PathLike, index_column: IndexColumn = "auto"
) -> Iterator[SentencePair]:
    """Stream sentence pairs from two line-aligned files.

    Raises:
        LengthMismatchError: when the files have different numbers of lines.
    """
    sentinel: tuple[str, ...] = ("\0",)
    for src, tgt in zip_longest(
        read_sentences(src_path, index_column),
        read_sentences(tgt_path, index_column),
        fillvalue=sentinel,
    ):
        if src is sentinel or tgt is sentinel:
            n_src = sum(1 for _ in read_lines(src_path))
            n_tgt = sum(1 for _ in read_lines(tgt_path))
            raise LengthMismatchError(display_name(src_path), n_src, display_name(tgt_path), n_tgt)
        yield SentencePair(src, tgt)


def load_bitext(
    bitext: PathLike | None = None,
    src: PathLike | None = None,
    tgt: PathLike | None = None,
    fmt: BitextFormat = "auto",
) -> list[SentencePair]:
    """Read a bitext given either as one file (``bitext``) or as two files (``src`` and ``tgt``).

    This is the one place where the CLI's ``--bitext`` / ``--src --tgt`` choice is resolved.
    """
    from wordalign.errors import WordalignError

    if bitext is not None and (src is not None or tgt is not None):
        raise WordalignError("give either --bitext or --src/--tgt, not both")
    if bitext is not None:
        return list(read_bitext(bitext, fmt=fmt, index_column="auto"))
    if src is None or tgt is None:
        raise WordalignError("give the parallel text as --bitext FILE or as --src FILE --tgt FILE")
    return list(read_parallel(src, tgt))


def format_pair(pair: SentencePair, fmt: Literal["fastalign", "tsv"] = "fastalign") -> str:
    """One line of a bitext file."""
    sep = FASTALIGN_SEP if fmt == "fastalign" else "\t"
    return " ".join(pair.src) + sep + " ".join(pair.tgt)


def write_bitext(
    path: PathLike,
    pairs: Iterable[SentencePair],
    fmt: Literal["fastalign", "tsv"] = "fastalign",
    overwrite: bool = True,
) -> None:
    """Write pairs as ``src ||| tgt`` or ``src<TAB>tgt`` lines, atomically."""
    write_lines(path, (format_pair(p, fmt) for p in pairs), overwrite=overwrite)
