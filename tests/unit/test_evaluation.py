"""Tests of precision, recall, F1 and AER (wordalign.evaluation.metrics)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.errors import LengthMismatchError
from wordalign.evaluation.metrics import AERResult, AERStats, evaluate, evaluate_sentences
from wordalign.types import Alignment, Link

# (gold Sure, gold Possible-only, predicted Sure, predicted Possible-only,
#  precision, recall, AER, F1), every number worked out by hand from the definitions.
METRIC_CASES = [
    ("perfect", {(0, 0), (1, 1)}, set(), {(0, 0), (1, 1)}, set(), 1.0, 1.0, 0.0, 1.0),
    # S ⊂ P: |A|=3, |A∩P|=2, |A∩S|=1, |S|=1 -> AER = 1 - 3/4.
    ("s-subset-p", {(0, 0)}, {(1, 1)}, {(0, 0), (1, 1), (2, 2)}, set(), 2 / 3, 1.0, 0.25, 0.8),
    # Only a Possible link is found: precision 1, recall 0, AER = 1 - (0+1)/(1+1).
    ("possible-only-hit", {(0, 0)}, {(1, 1)}, {(1, 1)}, set(), 1.0, 0.0, 0.5, 0.0),
    # |A∩S|=2, |A∩P|=2, |A|=3, |S|=4 -> AER = 1 - 4/7, F1 = 2·(2/3·1/2)/(2/3+1/2) = 4/7.
    (
        "partial",
        {(0, 0), (1, 1), (2, 2), (3, 3)},
        set(),
        {(0, 0), (1, 1), (2, 3)},
        set(),
        2 / 3,
        0.5,
        3 / 7,
        4 / 7,
    ),
    # A prediction's Possible links are links of A like any other.
    ("pred-possible-counts", {(0, 0)}, set(), set(), {(0, 0)}, 1.0, 1.0, 0.0, 1.0),
    # Degenerate cases (defined in the module docstring).
    ("empty-pred", {(0, 0)}, set(), set(), set(), 0.0, 0.0, 1.0, 0.0),
    ("empty-pred-possible-gold", set(), {(0, 0)}, set(), set(), 1.0, 1.0, 0.0, 1.0),
    ("empty-gold", set(), set(), {(0, 0)}, set(), 0.0, 1.0, 1.0, 0.0),
    ("both-empty", set(), set(), set(), set(), 1.0, 1.0, 0.0, 1.0),
    # Gold with Possible links only: |S| = 0 -> recall 1; AER = 1 - (0+1)/(1+0) = 0.
    ("gold-possible-only", set(), {(0, 0)}, {(0, 0)}, set(), 1.0, 1.0, 0.0, 1.0),
]


@pytest.mark.parametrize(
    ("gold_sure", "gold_possible", "pred_sure", "pred_possible", "p", "r", "aer", "f1"),
    [case[1:] for case in METRIC_CASES],
    ids=[case[0] for case in METRIC_CASES],
)
def test_evaluate_hand_computed_cases(
    gold_sure: set[Link],
    gold_possible: set[Link],
    pred_sure: set[Link],
    pred_possible: set[Link],
    p: float,
    r: float,
    aer: float,
    f1: float,
) -> None:
    gold = Alignment(gold_sure, gold_possible)
    pred = Alignment(pred_sure, pred_possible)
    result = evaluate([gold], [pred])
    assert result.precision == pytest.approx(p, abs=1e-12)
    assert result.recall == pytest.approx(r, abs=1e-12)
    assert result.aer == pytest.approx(aer, abs=1e-12)
    assert result.f1 == pytest.approx(f1, abs=1e-12)
    assert result.pred_links == len(pred_sure | pred_possible)
    assert result.sure_links == len(gold_sure)
    assert result.possible_links == len(gold_sure | gold_possible)
    assert result.sentences == 1


def test_evaluate_corpus_level_sums_counts_not_sentence_scores() -> None:
    gold = [Alignment([(0, 0)]), Alignment([(0, 0), (1, 1), (2, 2)])]
    pred = [Alignment([(0, 0)]), Alignment([(0, 1)])]
    per_sentence = evaluate_sentences(gold, pred)
    assert [s.aer for s in per_sentence] == [0.0, 1.0]
    corpus = evaluate(gold, pred)
    # |A∩S| = |A∩P| = 1, |A| = 2, |S| = 4: AER = 1 - 2/6, not the mean 0.5 of sentence AERs.
    assert corpus.aer == pytest.approx(2 / 3)
    assert corpus.precision == pytest.approx(0.5)
    assert corpus.recall == pytest.approx(0.25)
    assert (corpus.pred_links, corpus.sure_links, corpus.sentences) == (2, 4, 2)


def test_evaluate_empty_corpus_is_defined() -> None:
    result = evaluate([], [])
    assert (result.precision, result.recall, result.f1, result.aer) == (1.0, 1.0, 1.0, 0.0)
    assert result.sentences == 0


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ((), "gold has 2 sentences, predictions has 1"),
        (("g.txt", "p.txt"), "g.txt has 2 sentences, p.txt has 1"),
    ],
)
def test_evaluate_length_mismatch_names_both_counts(names: tuple[str, ...], expected: str) -> None:
    gold = [Alignment(), Alignment()]
    pred = [Alignment()]
    with pytest.raises(LengthMismatchError, match=expected):
        evaluate(gold, pred, *names)
    with pytest.raises(LengthMismatchError, match=expected):
        evaluate_sentences(gold, pred, *names)


def test_evaluate_result_to_dict_has_the_json_keys() -> None:
    result = evaluate([Alignment([(0, 0)], [(1, 1)])], [Alignment([(0, 0), (2, 2)])])
    data = result.to_dict()
    assert set(data) == {
        "precision",
        "recall",
        "f1",
        "aer",
        "pred_links",
        "sure_links",
        "possible_links",
        "sentences",
        "a_and_s",
        "a_and_p",
    }
    assert data["possible_links"] == 2
    assert data["aer"] == pytest.approx(1 - 2 / 3)


def test_evaluate_result_format_is_an_aligned_table() -> None:
    result = AERStats(a_and_s=1, a_and_p=2, pred=3, sure=4, possible=5, sentences=6).result()
    lines = result.format(digits=3).splitlines()
    assert [line.split()[0] for line in lines] == [
        "precision",
        "recall",
        "f1",
        "aer",
        "pred_links",
        "sure_links",
        "possible_links",
        "sentences",
    ]
    assert lines[0].split()[1] == "0.667"
    assert lines[4].split()[1] == "3"
    assert len({len(line) for line in lines}) == 1  # right-aligned values


def test_evaluate_stats_iadd_and_add_agree() -> None:
    a = AERStats(1, 2, 3, 4, 5, 1)
    b = AERStats(10, 20, 30, 40, 50, 2)
    total = a + b
    a += b
    assert a == total == AERStats(11, 22, 33, 44, 55, 3)


def test_evaluate_result_is_frozen() -> None:
    result = AERStats().result()
    with pytest.raises(AttributeError):
        result.aer = 0.5  # type: ignore[misc]
    assert isinstance(result, AERResult)


# --- properties -------------------------------------------------------------------------------

_links = st.frozensets(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=12)


@st.composite
def _sentence(draw: st.DrawFn) -> tuple[Alignment, Alignment]:
    gold_sure = draw(_links)
    gold = Alignment(gold_sure, gold_sure | draw(_links))
    pred = Alignment(draw(_links), draw(_links))
    return gold, pred


def _reference(pairs: list[tuple[Alignment, Alignment]]) -> tuple[float, float, float, float]:
    """The formulas written out on plain sets of (sentence, i, j) triples."""
    a = {(k, i, j) for k, (_, p) in enumerate(pairs) for i, j in set(p.sure) | set(p.possible)}
    s = {(k, i, j) for k, (g, _) in enumerate(pairs) for i, j in g.sure}
    p_set = {(k, i, j) for k, (g, _) in enumerate(pairs) for i, j in set(g.sure) | set(g.possible)}
    precision = len(a & p_set) / len(a) if a else (1.0 if not s else 0.0)
    recall = len(a & s) / len(s) if s else 1.0
    aer = 1 - (len(a & s) + len(a & p_set)) / (len(a) + len(s)) if a or s else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, aer


@settings(max_examples=200, deadline=None)
@given(st.lists(_sentence(), max_size=6))
def test_evaluate_matches_the_formula_on_plain_sets(
    pairs: list[tuple[Alignment, Alignment]],
) -> None:
    result = evaluate([g for g, _ in pairs], [p for _, p in pairs])
    expected = _reference(pairs)
    got = (result.precision, result.recall, result.f1, result.aer)
    assert all(
        math.isclose(x, y, rel_tol=0, abs_tol=1e-9) for x, y in zip(got, expected, strict=True)
    )
    assert 0.0 <= result.aer <= 1.0


@settings(max_examples=100, deadline=None)
@given(_sentence(), _sentence(), _sentence())
def test_evaluate_stats_addition_is_associative_and_matches_the_corpus(
    x: tuple[Alignment, Alignment],
    y: tuple[Alignment, Alignment],
    z: tuple[Alignment, Alignment],
) -> None:
    sx, sy, sz = (AERStats.of(p, g) for g, p in (x, y, z))
    assert (sx + sy) + sz == sx + (sy + sz)
    assert sx + AERStats() == sx
    corpus = evaluate([g for g, _ in (x, y, z)], [p for _, p in (x, y, z)])
    assert ((sx + sy) + sz).result() == corpus


@settings(max_examples=100, deadline=None)
@given(st.lists(_sentence(), max_size=5))
def test_evaluate_gold_sure_links_as_prediction_give_zero_aer(
    pairs: list[tuple[Alignment, Alignment]],
) -> None:
    gold = [g for g, _ in pairs]
    assert evaluate(gold, [Alignment(g.sure) for g in gold]).aer == 0.0
    assert evaluate(gold, gold).precision == 1.0
