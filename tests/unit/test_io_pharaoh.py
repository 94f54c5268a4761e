"""Tests of Pharaoh alignment lines (wordalign.io.pharaoh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.errors import InputFormatError
from wordalign.io.pharaoh import format_pharaoh, parse_pharaoh_links, read_pharaoh, write_pharaoh
from wordalign.types import Alignment, PackedAlignments

ALIGNMENTS = [
    Alignment([(0, 0), (1, 2)]),
    Alignment(),
    Alignment([(2, 1)], possible=[(0, 0), (3, 3)]),
    Alignment(possible=[(10, 12)]),
]


@pytest.mark.parametrize("one_based", [False, True])
@pytest.mark.parametrize("possible_sep", ["p", "?"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_io_pharaoh_round_trip(
    tmp_path: Path, one_based: bool, possible_sep: str, suffix: str
) -> None:
    path = tmp_path / f"links.txt{suffix}"
    write_pharaoh(path, ALIGNMENTS, possible_sep=possible_sep, one_based=one_based)
    assert list(read_pharaoh(path, one_based=one_based)) == ALIGNMENTS


def test_io_pharaoh_written_text(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    write_pharaoh(path, ALIGNMENTS)
    assert path.read_text() == "0-0 1-2\n\n0p0 2-1 3p3\n10p12\n"
    write_pharaoh(path, ALIGNMENTS, possible_sep="?", one_based=True)
    assert path.read_text() == "1-1 2-3\n\n1?1 3-2 4?4\n11?13\n"


def test_io_pharaoh_scores_round_trip(tmp_path: Path) -> None:
    alignment = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.93, (1, 1): 0.5})
    assert format_pharaoh(alignment, with_scores=True) == "0-0-0.93 1-1-0.5"
    assert format_pharaoh(alignment) == "0-0 1-1"
    path = tmp_path / "scored.txt"
    write_pharaoh(path, [alignment], with_scores=True)
    (back,) = read_pharaoh(path)
    assert back == alignment
    assert back.scores == {(0, 0): 0.93, (1, 1): 0.5}


@pytest.mark.parametrize(
    ("line", "sure", "possible", "scores"),
    [
        ("0-0 1p2 3?4", [(0, 0)], [(1, 2), (3, 4)], {}),
        ("2-3-0.25", [(2, 3)], [], {(2, 3): 0.25}),
        ("2-3-1e-05", [(2, 3)], [], {(2, 3): 1e-5}),
        ("2-3-1.", [(2, 3)], [], {(2, 3): 1.0}),
        ("", [], [], {}),
    ],
)
def test_io_pharaoh_parse_links(
    line: str,
    sure: list[tuple[int, int]],
    possible: list[tuple[int, int]],
    scores: dict[tuple[int, int], float],
) -> None:
    assert parse_pharaoh_links(line) == (sure, possible, scores)


def test_io_pharaoh_parse_one_based() -> None:
    assert parse_pharaoh_links("1-1 2p3", one_based=True) == ([(0, 0)], [(1, 2)], {})


@pytest.mark.parametrize(
    ("text", "index_column", "expected"),
    [
        ("0\t0-0 1-1\n2\t\n4\t1p0\n", None, ["0-0 1-1", "", "1p0"]),
        ("0\t0-0\n1-1\n", None, ["0-0", "1-1"]),  # detected line by line
        ("5\t0-0\n", True, ["0-0"]),
        ("0-0\n", False, ["0-0"]),
    ],
)
def test_io_pharaoh_index_column(
    tmp_path: Path, text: str, index_column: bool | None, expected: list[str]
) -> None:
    path = tmp_path / "gold.txt"
    path.write_text(text)
    alignments = list(read_pharaoh(path, index_column=index_column))
    assert [a.to_pharaoh() for a in alignments] == expected


BAD_LINES = [
    ("0-0\n1_2\n", False, None, 2, "bad link '1_2' (expected 'i-j', 'ipj', 'i?j' or 'i-j-score')"),
    ("0-0 1-\n", False, None, 1, "bad link '1-'"),
    ("-1-2\n", False, None, 1, "bad link '-1-2'"),
    ("0-0 1x2\n", False, None, 1, "bad link '1x2'"),
    ("1-1\n2-0\n", True, None, 2, "link '2-0' has index 0 but the file is read as 1-based"),
    ("0-0\n", False, True, 1, "expected a leading 'INDEX<TAB>' column"),
    ("3\t0-0\n", False, False, 1, "unexpected 'INDEX<TAB>' column"),
]


@pytest.mark.parametrize(("text", "one_based", "index_column", "line_no", "message"), BAD_LINES)
def test_io_pharaoh_bad_link_names_file_and_line(
    tmp_path: Path,
    text: str,
    one_based: bool,
    index_column: bool | None,
    line_no: int,
    message: str,
) -> None:
    path = tmp_path / "links.txt"
    path.write_text(text)
    with pytest.raises(InputFormatError) as info:
        list(read_pharaoh(path, one_based=one_based, index_column=index_column))
    assert str(info.value).startswith(f"{path}:{line_no}: {message}")


def test_io_pharaoh_probabilities_accepts_scores_in_0_1(tmp_path: Path) -> None:
    path = tmp_path / "scored.txt"
    path.write_text("0-0-0 1p1-1 2-2-0.5\n3-3\n\n")
    alignments = list(read_pharaoh(path, probabilities=True))
    assert alignments[0].scores == {(0, 0): 0.0, (1, 1): 1.0, (2, 2): 0.5}
    assert alignments[1].scores is None  # unscored links are not an error for the reader


@pytest.mark.parametrize(
    ("text", "line_no", "token", "score"),
    [
        ("0-0-1.5\n", 1, "0-0-1.5", "1.5"),
        ("0-0-0.5\n\n1p2-2e3\n", 3, "1p2-2e3", "2000.0"),
        ("0-0-1.0000001\n", 1, "0-0-1.0000001", "1.0000001"),
    ],
)
def test_io_pharaoh_probabilities_out_of_range_names_file_and_line(
    tmp_path: Path, text: str, line_no: int, token: str, score: str
) -> None:
    path = tmp_path / "scored.txt"
    path.write_text(text)
    assert len(list(read_pharaoh(path))) == text.count("\n")  # off by default
    with pytest.raises(InputFormatError) as info:
        list(read_pharaoh(path, probabilities=True))
    assert str(info.value) == (
        f"{path}:{line_no}: link '{token}': score {score} is not a probability (outside [0, 1])"
    )


def test_io_pharaoh_probabilities_in_parse_links() -> None:
    assert parse_pharaoh_links("0-0-1.5") == ([(0, 0)], [], {(0, 0): 1.5})
    with pytest.raises(ValueError, match="not a probability"):
        parse_pharaoh_links("0-0-1.5", probabilities=True)
    with pytest.raises(ValueError, match=r"bad link '0-0--0\.5'"):
        parse_pharaoh_links("0-0--0.5", probabilities=True)  # negative scores never parse


def test_packed_scored_alignments_round_trip(tmp_path: Path) -> None:
    # Two pairs, the second without links; one link beyond the pre-formatted 128 x 128 range.
    packed = PackedAlignments(
        np.array([0, 1, 200]), np.array([0, 2, 3]), np.array([0, 3, 3]),
        np.array([0.9312, 0.5, 1.0], dtype=np.float32),
    )  # fmt: skip
    path = tmp_path / "packed.txt"
    write_pharaoh(path, packed, with_scores=True)
    assert path.read_text() == "0-0-0.9312 1-2-0.5 200-3-1\n\n"
    back = list(read_pharaoh(path, probabilities=True))
    assert back == list(packed)
    assert back[0].scores == pytest.approx(packed[0].scores)
    write_pharaoh(path, packed)  # without scores: plain links
    assert path.read_text() == "0-0 1-2 200-3\n\n"
