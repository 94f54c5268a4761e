"""Tests of the core data types."""

from __future__ import annotations

import pytest

from wordalign.types import Alignment, SentencePair

PHARAOH_CASES = [
    # (line read, expected sure, expected possible-only, line written back)
    ("", set(), set(), ""),
    ("0-0", {(0, 0)}, set(), "0-0"),
    ("1-2 0-0", {(0, 0), (1, 2)}, set(), "0-0 1-2"),
    ("0p1 2?3 1-1", {(1, 1)}, {(0, 1), (2, 3)}, "0p1 1-1 2p3"),
    ("  3-4   0-1  ", {(3, 4), (0, 1)}, set(), "0-1 3-4"),
]


@pytest.mark.parametrize(("line", "sure", "possible_only", "written"), PHARAOH_CASES)
def test_types_alignment_pharaoh_round_trip(
    line: str, sure: set[tuple[int, int]], possible_only: set[tuple[int, int]], written: str
) -> None:
    alignment = Alignment.from_pharaoh(line)
    assert alignment.sure == sure
    assert alignment.possible_only == possible_only
    assert alignment.to_pharaoh() == written
    assert Alignment.from_pharaoh(written) == alignment


def test_types_alignment_sure_is_included_in_possible() -> None:
    alignment = Alignment(sure=[(0, 0)], possible=[(1, 1)])
    assert alignment.possible == {(0, 0), (1, 1)}
    assert len(alignment) == 2
    assert (0, 0) in alignment and (1, 1) in alignment and (2, 2) not in alignment


def test_types_alignment_equality_ignores_scores_and_order() -> None:
    a = Alignment([(1, 0), (0, 1)], scores={(1, 0): 0.5})
    b = Alignment([(0, 1), (1, 0)])
    assert a == b
    assert hash(a) == hash(b)


def test_types_alignment_inverted_swaps_links_and_scores() -> None:
    alignment = Alignment([(0, 2)], possible=[(1, 3)], scores={(0, 2): 0.25})
    inverted = alignment.inverted()
    assert inverted.sure == {(2, 0)}
    assert inverted.possible_only == {(3, 1)}
    assert inverted.scores == {(2, 0): 0.25}
    assert inverted.inverted() == alignment


def test_types_alignment_is_immutable() -> None:
    alignment = Alignment([(0, 0)])
    with pytest.raises(AttributeError):
        alignment.sure = frozenset()  # type: ignore[misc]


def test_types_alignment_rejects_negative_indices() -> None:
    with pytest.raises(ValueError, match="negative index"):
        Alignment([(-1, 0)])


def test_types_alignment_max_indices() -> None:
    assert Alignment().max_src() == -1
    assert Alignment([(3, 1), (0, 5)]).max_src() == 3
    assert Alignment([(3, 1), (0, 5)]).max_tgt() == 5


@pytest.mark.parametrize("bad", ["0-", "a-b", "0_1", "1--2", "0-1x"])
def test_types_alignment_from_pharaoh_rejects_bad_links(bad: str) -> None:
    with pytest.raises(ValueError, match="bad link"):
        Alignment.from_pharaoh(bad)


def test_types_sentence_pair_from_strings_and_unpacking() -> None:
    pair = SentencePair.from_strings("das  Haus ", "la chasa")
    src, tgt = pair
    assert src == ("das", "Haus")
    assert tgt == ("la", "chasa")
