"""Tests of format detection, read_alignments and check_bounds (wordalign.io.alignments)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from wordalign.errors import InputFormatError, LengthMismatchError, UnknownNameError
from wordalign.io.alignments import check_bounds, detect_format, read_alignments
from wordalign.types import Alignment, SentencePair

FORMAT_CASES = [
    (["0-0 1-1"], "pharaoh"),
    (["", "  ", "0p0"], "pharaoh"),
    (["3\t0-0 1-2"], "pharaoh"),
    (["1 1 1 S"], "naacl"),
    (["", "1 1 1"], "naacl"),
    ([], "pharaoh"),
]


@pytest.mark.parametrize(("lines", "expected"), FORMAT_CASES)
def test_io_alignments_detect_format(lines: list[str], expected: str) -> None:
    assert detect_format(lines) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("0-0 1p1\n\n2-2\n", "auto", ["0-0 1p1", "", "2-2"]),
        ("0-0 1p1\n\n2-2\n", "pharaoh", ["0-0 1p1", "", "2-2"]),
        ("0\t0-0\n2\t1-1\n", "auto", ["0-0", "1-1"]),  # DERMIT-style INDEX column
        ("1 1 1\n3 2 2 P\n", "auto", ["0-0", "", "1p1"]),
        ("1 1 1\n3 2 2 P\n", "naacl", ["0-0", "", "1p1"]),
    ],
)
def test_io_alignments_read(tmp_path: Path, text: str, fmt: str, expected: list[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(text)
    one_based = fmt == "naacl" or text.startswith("1 ")
    alignments = read_alignments(path, fmt, one_based=one_based)  # type: ignore[arg-type]
    assert [a.to_pharaoh() for a in alignments] == expected


def test_io_alignments_read_one_based_pharaoh(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("1-1 2p3\n")
    assert read_alignments(path, one_based=True) == [Alignment([(0, 0)], [(1, 2)])]


def test_io_alignments_read_stdin_detects_naacl(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"1 1 2 S\n2 3 1 P\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    alignments = read_alignments("-", one_based=True)
    assert alignments == [Alignment([(0, 1)]), Alignment(possible=[(2, 0)])]


def test_io_alignments_naacl_n_sentences(tmp_path: Path) -> None:
    path = tmp_path / "gold.wa"
    path.write_text("1 1 1\n")
    assert len(read_alignments(path, "naacl", one_based=True, n_sentences=4)) == 4


def test_io_alignments_pharaoh_n_sentences_must_match(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("0-0\n1-1\n")
    assert len(read_alignments(path, n_sentences=2)) == 2
    with pytest.raises(LengthMismatchError, match=r"a\.txt has 2 sentences, the bitext has 3"):
        read_alignments(path, n_sentences=3)


@pytest.mark.parametrize(
    ("text", "fmt", "one_based", "message"),
    [
        ("0-0\n1-x\n", "pharaoh", False, r"a\.txt:2: bad link '1-x'"),
        ("1-1\n0-2\n", "pharaoh", True, r"a\.txt:2: .*index 0.*\(drop --gold-one-based\)"),
        ("0 1 1\n", "naacl", True, r"a\.txt:1: sentence id 0.*\(drop --gold-one-based\)"),
        ("1 1 1\n1 1\n", "auto", True, r"a\.txt:2: expected 'sentid i j"),
    ],
)
def test_io_alignments_errors_name_the_option(
    tmp_path: Path, text: str, fmt: str, one_based: bool, message: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message):
        read_alignments(path, fmt, one_based, option="--gold-one-based")  # type: ignore[arg-type]


def test_io_alignments_without_option_keeps_the_generic_wording(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("0-0\n")
    with pytest.raises(InputFormatError, match="drop the one-based option"):
        read_alignments(path, one_based=True)


def test_io_alignments_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("0-0\n")
    with pytest.raises(UnknownNameError, match="unknown alignment format 'moses'"):
        read_alignments(path, "moses")  # type: ignore[arg-type]


PAIRS = [SentencePair.from_strings("a b c", "x y"), SentencePair.from_strings("a", "x y z")]


def test_io_alignments_check_bounds_accepts_links_inside() -> None:
    check_bounds([Alignment([(2, 1)]), Alignment([(0, 2)])], PAIRS, "gold.txt", False)


@pytest.mark.parametrize(
    ("alignments", "one_based", "fmt", "message"),
    [
        (
            [Alignment([(0, 0)]), Alignment([(1, 0)])],
            False,
            "pharaoh",
            "gold.txt:2: link 1-0 is outside the sentence pair (1 source, 3 target tokens); "
            "if the file is 1-based, use --gold-one-based",
        ),
        (
            [Alignment([(0, 2)]), Alignment()],
            True,
            "pharaoh",
            "gold.txt:1: link 1-3 is outside the sentence pair (3 source, 2 target tokens); "
            "if the file is 0-based, drop --gold-one-based",
        ),
        (
            [Alignment(), Alignment(possible=[(0, 3)])],
            True,
            "naacl",
            "gold.txt: sentence 2: link 1 4 is outside the sentence pair "
            "(1 source, 3 target tokens); if the file is 0-based, drop --gold-one-based",
        ),
    ],
)
def test_io_alignments_check_bounds_suggests_the_other_base(
    alignments: list[Alignment], one_based: bool, fmt: str, message: str
) -> None:
    with pytest.raises(InputFormatError) as info:
        check_bounds(alignments, PAIRS, "gold.txt", one_based, "--gold-one-based", fmt)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_io_alignments_check_bounds_count_mismatch() -> None:
    with pytest.raises(LengthMismatchError, match=r"gold\.txt has 1 sentences, the bitext has 2"):
        check_bounds([Alignment()], PAIRS, "gold.txt", False, "--gold-one-based")
