"""Tests of the NAACL-2003 alignment format (wordalign.io.naacl)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from wordalign.errors import InputFormatError
from wordalign.io.naacl import is_naacl_line, read_naacl, write_naacl
from wordalign.types import Alignment

# (file text, n_sentences, expected Pharaoh lines); 1-based as the published test sets.
READ_CASES = [
    ("1 1 1\n1 2 2\n", None, ["0-0 1-1"]),
    ("1 1 1 S\n1 2 3 P\n", None, ["0-0 1p2"]),
    ("1 1 1 s\n1 2 3 p\n", None, ["0-0 1p2"]),  # lower case accepted
    ("1\t1\t1\tS\n", None, ["0-0"]),  # any whitespace separates fields
    # Lines in any order; a sentence without links is an empty alignment.
    ("3 2 2\n1 1 1\n", None, ["0-0", "", "1-1"]),
    # Position 0 is NULL: the link is dropped, the sentence still exists.
    ("1 0 3 S\n2 1 0\n2 1 1\n", None, ["", "0-0"]),
    # n_sentences keeps trailing sentences without links.
    ("1 1 1\n", 3, ["0-0", "", ""]),
    ("", 2, ["", ""]),
    ("", None, []),
    ("\n1 1 1\n\n", None, ["0-0"]),  # blank lines are not links
    # A link given twice, once Sure and once Possible, is Sure (S ⊆ P).
    ("1 1 1 P\n1 1 1 S\n", None, ["0-0"]),
]


@pytest.mark.parametrize(("text", "n_sentences", "expected"), READ_CASES)
def test_io_naacl_read(
    tmp_path: Path, text: str, n_sentences: int | None, expected: list[str]
) -> None:
    path = tmp_path / "gold.wa"
    path.write_text(text)
    alignments = read_naacl(path, n_sentences=n_sentences)
    assert [a.to_pharaoh() for a in alignments] == expected


def test_io_naacl_read_confidence_becomes_the_score(tmp_path: Path) -> None:
    path = tmp_path / "pred.wa"
    # The type and the confidence come in either order (as the shared task's scorer accepts).
    path.write_text("1 1 1 S 0.75\n1 2 2 0.5\n1 3 3 P 1e-3\n1 4 4 0.25 P\n")
    (alignment,) = read_naacl(path)
    assert alignment.scores == {(0, 0): 0.75, (1, 1): 0.5, (2, 2): 0.001, (3, 3): 0.25}
    assert alignment.sure == {(0, 0), (1, 1)}
    assert alignment.possible_only == {(2, 2), (3, 3)}


def test_io_naacl_read_zero_based(tmp_path: Path) -> None:
    path = tmp_path / "gold.wa"
    path.write_text("0 0 0\n1 0 2 P\n")
    alignments = read_naacl(path, one_based=False)
    assert alignments == [Alignment([(0, 0)]), Alignment(possible=[(0, 2)])]


BAD_LINES = [
    ("1 1\n", 1, "expected 'sentid i j"),
    ("1 1 1 S 0.5 x\n", 1, "at most 5 fields"),
    ("1 1 1\n1 a 1\n", 2, "source position 'a' is not a non-negative integer"),
    ("x 1 1\n", 1, "sentence id 'x'"),
    ("1 1 -2\n", 1, "target position '-2'"),
    ("1 1 1 Q\n", 1, "'Q' after the link is neither 'S' \\(Sure\\), 'P' \\(Possible\\) nor a"),
    ("1 1 1 S x\n", 1, "'x' after the link is neither"),
    (
        "1 1 1 0.5 0.5\n",
        1,
        "at most one 'S'/'P' and one confidence after the link, found '0.5 0.5'",
    ),
    ("1 1 1 S P\n", 1, "at most one 'S'/'P' and one confidence"),
    ("0 1 1\n", 1, "sentence id 0, but the file is read as 1-based"),
]


@pytest.mark.parametrize(("text", "line_no", "message"), BAD_LINES)
def test_io_naacl_malformed_line_names_file_and_line(
    tmp_path: Path, text: str, line_no: int, message: str
) -> None:
    path = tmp_path / "bad.wa"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message) as info:
        read_naacl(path)
    assert str(info.value).startswith(f"{path}:{line_no}: ")


@pytest.mark.parametrize(
    ("one_based", "text", "message"),
    [
        (True, "1 1 1\n3 1 1\n", "sentence id 3 is beyond the 2 sentence pairs"),
        (False, "1 1 1\n2 1 1\n", "if they start at 1, use the one-based option"),
    ],
)
def test_io_naacl_sentence_id_beyond_the_text(
    tmp_path: Path, one_based: bool, text: str, message: str
) -> None:
    path = tmp_path / "gold.wa"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message) as info:
        read_naacl(path, n_sentences=2, one_based=one_based)
    assert info.value.line_no == 2


ROUND_TRIP = [
    Alignment([(0, 0), (1, 2)], possible=[(2, 1)]),
    Alignment(),
    Alignment(possible=[(3, 3)]),
    Alignment([(0, 5), (4, 0)]),
    Alignment(),
]


@pytest.mark.parametrize("one_based", [True, False])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_io_naacl_round_trip(tmp_path: Path, one_based: bool, suffix: str) -> None:
    path = tmp_path / f"out.wa{suffix}"
    write_naacl(path, ROUND_TRIP, one_based=one_based)
    back = read_naacl(path, n_sentences=len(ROUND_TRIP), one_based=one_based)
    assert back == ROUND_TRIP


def test_io_naacl_write_text(tmp_path: Path) -> None:
    path = tmp_path / "out.wa"
    alignment = Alignment([(1, 0)], possible=[(0, 0)], scores={(1, 0): 0.25})
    write_naacl(path, [Alignment(), alignment], with_scores=True)
    assert path.read_text() == "2 1 1 P\n2 2 1 S 0.25\n"
    write_naacl(path, [Alignment(), alignment], one_based=False)
    assert path.read_text() == "1 0 0 P\n1 1 0 S\n"


def test_io_naacl_read_gzip(tmp_path: Path) -> None:
    path = tmp_path / "gold.wa.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("1 2 1 S\n")
    assert read_naacl(path) == [Alignment([(1, 0)])]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1 1 1", True),
        ("18 3 4 S", True),
        ("18 3 4 p 0.5", True),
        ("18 3 4 0.5 S", True),
        ("18\t3\t4\tS", True),
        ("0-0 1-1 2-2", False),
        ("0\t0-0 1-1", False),  # Pharaoh with an INDEX column
        ("1 2", False),
        ("1 2 3 X", False),
        ("1 2 3 S 0.5 7", False),
        ("1 2 3 4 5", False),
    ],
)
def test_io_naacl_line_detection(line: str, expected: bool) -> None:
    assert is_naacl_line(line) is expected


# -- memory bounded by the input (issue 14) ----------------------------------------------------


@pytest.mark.parametrize("one_based", [True, False])
def test_io_naacl_huge_sentence_id_without_texts_is_refused(
    tmp_path: Path, one_based: bool
) -> None:
    # Taken at its word, id 10^8 would make 10^8 empty alignments (gigabytes).
    path = tmp_path / "gold.wa"
    path.write_text("1 1 1 S\n2 1 1 S\n100000000 2 2 S\n3 1 1 S\n")
    with pytest.raises(InputFormatError, match=r"sentence id 100000000 is far beyond") as info:
        read_naacl(path, one_based=one_based)
    assert info.value.line_no == 3
    assert "give their texts" in str(info.value)


def test_io_naacl_sparse_ids_within_the_bound_are_kept(tmp_path: Path) -> None:
    # A few pairs without links between the ids are normal; the bound leaves ample room.
    path = tmp_path / "gold.wa"
    path.write_text("1 1 1 S\n500 1 1 S\n")
    alignments = read_naacl(path)
    assert len(alignments) == 500
    assert alignments[499].to_pharaoh() == "0-0"


def test_io_naacl_huge_sentence_id_with_texts_is_an_error_too(tmp_path: Path) -> None:
    path = tmp_path / "gold.wa"
    path.write_text("1 1 1 S\n100000000 2 2 S\n")
    with pytest.raises(InputFormatError, match=r"beyond the 2 sentence pairs of the text"):
        read_naacl(path, n_sentences=2)
