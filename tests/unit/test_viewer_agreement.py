"""Agreement maths: AER between annotators, Cohen's kappa and the merge, on hand-computed cases."""

from __future__ import annotations

import pytest

from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.types import Alignment
from wordalign.viewer.agreement import (
    agreement_table,
    annotator_aer,
    cohen_kappa,
    merge_alignments,
    merge_corpus,
)

DIAG = Alignment([(0, 0), (1, 1), (2, 2)])
SKEW = Alignment([(0, 0), (1, 1), (2, 1)])

# Kappa cases on one 3x3 pair (9 token pairs), computed by hand:
# * DIAG vs SKEW, linked or not: agree on (0,0), (1,1) and the 5 cells neither links: p_o = 7/9;
#   each links 3 of 9: p_e = (3*3 + 6*6) / 81 = 5/9; kappa = (7/9 - 5/9) / (4/9) = 1/2.
# * Sure/Possible: A = {00 S, 11 S, 22 P}, B = {00 S, 11 P, 22 P}: agree on 00, 22 and 6 empty
#   cells: p_o = 8/9; A has S=2 P=1 N=6, B has S=1 P=2 N=6: p_e = (2 + 2 + 36) / 81 = 40/81;
#   kappa = (72 - 40) / (81 - 40) = 32/41. Linked-or-not they agree everywhere: kappa = 1.
SP_A = Alignment([(0, 0), (1, 1)], possible=[(2, 2)])
SP_B = Alignment([(0, 0)], possible=[(1, 1), (2, 2)])
KAPPA_CASES = [
    (DIAG, SKEW, "link", 0.5),
    (SP_A, SP_B, "sure-possible", 32 / 41),
    (SP_A, SP_B, "link", 1.0),
    (DIAG, DIAG, "sure-possible", 1.0),
]


@pytest.mark.parametrize(("a", "b", "classes", "expected"), KAPPA_CASES)
def test_agreement_kappa_hand_computed(
    a: Alignment, b: Alignment, classes: str, expected: float
) -> None:
    assert cohen_kappa([a], [b], [(3, 3)], classes) == pytest.approx(expected)  # type: ignore[arg-type]


def test_agreement_kappa_sums_over_sentences() -> None:
    # Two pairs: the 3x3 case above plus a 1x1 pair both leave empty: p_o = 8/10,
    # A and B each link 3 of 10: p_e = (9 + 49) / 100; kappa = (0.8 - 0.58) / 0.42.
    kappa = cohen_kappa([DIAG, Alignment()], [SKEW, Alignment()], [(3, 3), (1, 1)])
    assert kappa == pytest.approx((0.8 - 0.58) / 0.42)


def test_agreement_kappa_degenerate_cases() -> None:
    assert cohen_kappa([], [], []) == 1.0
    # Neither annotator links anything: chance agreement is 1, and they agree everywhere.
    assert cohen_kappa([Alignment()], [Alignment()], [(2, 2)]) == 1.0
    # Disagreeing on every cell of a 1x1 pair: p_o = 0, p_e = 0 -> kappa 0.
    assert cohen_kappa([Alignment([(0, 0)])], [Alignment()], [(1, 1)]) == 0.0


def test_agreement_kappa_rejects_links_outside_the_pair() -> None:
    with pytest.raises(WordalignError, match="outside 2x2"):
        cohen_kappa([Alignment([(2, 0)])], [Alignment()], [(2, 2)])
    with pytest.raises(LengthMismatchError):
        cohen_kappa([DIAG], [], [(3, 3)])


def test_agreement_aer_between_annotators() -> None:
    # All Sure: AER = 1 - (2 + 2) / (3 + 3) in both directions.
    assert annotator_aer([DIAG], [SKEW]) == pytest.approx(1 / 3)
    assert annotator_aer([SKEW], [DIAG]) == pytest.approx(1 / 3)
    # With Possible links AER is not symmetric: {00 S, 11 P} as gold, {00} predicted: 0;
    # {00} as gold, {00, 11} predicted: 1 - (1 + 1) / (2 + 1) = 1/3.
    gold_like = Alignment([(0, 0)], possible=[(1, 1)])
    assert annotator_aer([gold_like], [Alignment([(0, 0)])]) == 0.0
    assert annotator_aer([Alignment([(0, 0)])], [gold_like]) == pytest.approx(1 / 3)
    assert annotator_aer([DIAG], [DIAG]) == 0.0
    with pytest.raises(LengthMismatchError):
        annotator_aer([DIAG], [])


def test_agreement_merge_sure_where_all_possible_where_any() -> None:
    merged = merge_alignments([Alignment([(0, 0), (1, 1)]), Alignment([(0, 0)], possible=[(1, 2)])])
    assert merged.sure == {(0, 0)}
    assert merged.possible == {(0, 0), (1, 1), (1, 2)}
    assert merge_alignments([]) == Alignment()
    assert merge_corpus([[DIAG, SKEW], [DIAG, DIAG]]) == [
        DIAG,
        Alignment([(0, 0), (1, 1)], possible=[(2, 1), (2, 2)]),
    ]
    with pytest.raises(LengthMismatchError):
        merge_corpus([[DIAG], []])


def test_agreement_table_every_two_annotators() -> None:
    table = agreement_table({"ann": [DIAG], "bob": [SKEW], "cy": [DIAG]}, [(3, 3)])
    assert [(row.a, row.b) for row in table] == [("ann", "bob"), ("ann", "cy"), ("bob", "cy")]
    assert table[0].kappa_link == pytest.approx(0.5)
    assert table[1].aer_a_as_gold == 0.0 and table[1].kappa_sure_possible == 1.0
