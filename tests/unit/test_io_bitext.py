"""Tests of the bitext formats (wordalign.io.bitext)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordalign.errors import InputFormatError, LengthMismatchError, WordalignError
from wordalign.io.bitext import (
    format_pair,
    load_bitext,
    read_bitext,
    read_parallel,
    read_sentences,
    write_bitext,
)
from wordalign.types import SentencePair

P = SentencePair.from_strings

# (file text, fmt, index_column, expected pairs)
READ_CASES = [
    ("a b ||| x\nc ||| y z\n", "auto", False, [P("a b", "x"), P("c", "y z")]),
    ("a b\tx\nc\ty z\n", "auto", False, [P("a b", "x"), P("c", "y z")]),
    ("a b ||| x\n", "fastalign", False, [P("a b", "x")]),
    ("a b\tx\n", "tsv", False, [P("a b", "x")]),
    ("a|||x\n", "auto", False, [P("a", "x")]),  # bare ||| accepted
    (" ||| x\n", "auto", False, [P("", "x")]),  # one side empty
    # Empty lines are empty pairs, also before the format is known: outputs stay line-aligned.
    ("\na ||| x\n\n", "auto", False, [P("", ""), P("a", "x"), P("", "")]),
    ("\n\n", "auto", False, [P("", ""), P("", "")]),
    # A TAB inside a fast_align line is part of a side, not a separator.
    ("a\tb ||| x\n", "auto", False, [P("a b", "x")]),
    # INDEX<TAB> column: detected from the first line (a second TAB must follow for TSV).
    ("0\ta b\tx\n2\tc\ty\n", "auto", "auto", [P("a b", "x"), P("c", "y")]),
    ("0\ta b ||| x\n", "auto", "auto", [P("a b", "x")]),
    ("2022\t2022\n", "auto", "auto", [P("2022", "2022")]),  # a pair of numbers, not an index
    ("7\ta ||| x\n", "auto", True, [P("a", "x")]),
]


@pytest.mark.parametrize(("text", "fmt", "index_column", "expected"), READ_CASES)
def test_io_bitext_read(
    tmp_path: Path,
    text: str,
    fmt: str,
    index_column: bool | str,
    expected: list[SentencePair],
) -> None:
    path = tmp_path / "bitext.txt"
    path.write_text(text)
    pairs = list(read_bitext(path, fmt, index_column))  # type: ignore[arg-type]
    assert pairs == expected


BAD_CASES = [
    ("a ||| x\nno separator\n", "auto", False, 2, "expected exactly ' ||| '"),
    ("a ||| x ||| y\n", "auto", False, 1, "expected exactly ' ||| '"),
    ("a\tx\nb\tx\ty\n", "auto", False, 2, "expected exactly one TAB"),
    ("just words\n", "auto", False, 1, "no 'src ||| tgt' or 'src<TAB>tgt' separator"),
    ("a b x\n", "tsv", False, 1, "expected exactly one TAB"),
    ("0\ta\tx\nb\tx\n", "auto", "auto", 2, "expected a leading 'INDEX<TAB>' column"),
]


@pytest.mark.parametrize(("text", "fmt", "index_column", "line_no", "message"), BAD_CASES)
def test_io_bitext_malformed_line_names_file_and_line(
    tmp_path: Path,
    text: str,
    fmt: str,
    index_column: bool | str,
    line_no: int,
    message: str,
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message) as info:
        list(read_bitext(path, fmt, index_column))  # type: ignore[arg-type]
    assert str(info.value).startswith(f"{path}:{line_no}: ")


@pytest.mark.parametrize("fmt", ["fastalign", "tsv"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_io_bitext_round_trip(tmp_path: Path, fmt: str, suffix: str) -> None:
    pairs = [P("das Haus", "la chasa"), P("", ""), P("Grischun", "")]
    path = tmp_path / f"bitext{suffix}"
    write_bitext(path, pairs, fmt)  # type: ignore[arg-type]
    assert list(read_bitext(path)) == pairs
    assert list(read_bitext(path, fmt)) == pairs  # type: ignore[arg-type]


def test_io_bitext_format_pair() -> None:
    assert format_pair(P("a b", "x")) == "a b ||| x"
    assert format_pair(P("a b", "x"), "tsv") == "a b\tx"


def test_io_bitext_read_sentences_strips_a_detected_index(tmp_path: Path) -> None:
    path = tmp_path / "src.txt"
    path.write_text("0\tDas ist\n2\tgut .\n")
    assert list(read_sentences(path)) == [("Das", "ist"), ("gut", ".")]
    path.write_text("Das ist\n\ngut .\n")
    assert list(read_sentences(path)) == [("Das", "ist"), (), ("gut", ".")]


def test_io_bitext_read_parallel(tmp_path: Path) -> None:
    src, tgt = tmp_path / "x.de", tmp_path / "x.rm"
    src.write_text("das Haus\n\nund\n")
    tgt.write_text("la chasa\n\ne\n")
    assert list(read_parallel(src, tgt)) == [P("das Haus", "la chasa"), P("", ""), P("und", "e")]


def test_io_bitext_read_parallel_count_mismatch_names_both(tmp_path: Path) -> None:
    src, tgt = tmp_path / "x.de", tmp_path / "x.rm"
    src.write_text("a\nb\nc\n")
    tgt.write_text("x\ny\n")
    with pytest.raises(LengthMismatchError) as info:
        list(read_parallel(src, tgt))
    assert info.value.counts == {str(src): 3, str(tgt): 2}
    assert "has 3 sentences" in str(info.value) and "has 2" in str(info.value)


def test_io_bitext_load_bitext_choices(tmp_path: Path) -> None:
    bitext = tmp_path / "b.txt"
    bitext.write_text("a ||| x\n")
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("a\n")
    tgt.write_text("x\n")
    assert load_bitext(bitext=bitext) == load_bitext(src=src, tgt=tgt) == [P("a", "x")]
    with pytest.raises(WordalignError, match="not both"):
        load_bitext(bitext=bitext, src=src, tgt=tgt)
    with pytest.raises(WordalignError, match="--src FILE --tgt FILE"):
        load_bitext(src=src)
