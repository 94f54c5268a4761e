"""Tests of voting combination of alignments (wordalign.combination)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.combination import combine, combine_one
from wordalign.errors import LengthMismatchError
from wordalign.types import Alignment

LINKS = st.tuples(st.integers(0, 4), st.integers(0, 4))
ALIGNMENT = st.builds(
    lambda sure, extra: Alignment(sure, possible=extra),
    st.frozensets(LINKS, max_size=8),
    st.frozensets(LINKS, max_size=4),
)
# N inputs of the same number of sentences.
CORPORA = st.integers(1, 4).flatmap(
    lambda n_sentences: st.lists(
        st.lists(ALIGNMENT, min_size=n_sentences, max_size=n_sentences), min_size=1, max_size=5
    )
)


@settings(max_examples=60, deadline=None)
@given(CORPORA)
def test_combination_one_vote_is_the_union(inputs: list[list[Alignment]]) -> None:
    combined = combine(inputs, min_votes=1)
    for index, alignment in enumerate(combined):
        column = [corpus[index] for corpus in inputs]
        assert alignment.possible == frozenset().union(*(a.possible for a in column))
        assert alignment.sure == frozenset().union(*(a.sure for a in column))


@settings(max_examples=60, deadline=None)
@given(CORPORA)
def test_combination_all_votes_is_the_intersection(inputs: list[list[Alignment]]) -> None:
    combined = combine(inputs, min_votes=len(inputs))
    for index, alignment in enumerate(combined):
        column = [corpus[index] for corpus in inputs]
        assert alignment.possible == frozenset.intersection(*(a.possible for a in column))
        assert alignment.sure == frozenset.intersection(*(a.sure for a in column))
        assert alignment.scores is None  # unscored in, unscored out


def test_combination_default_is_a_majority() -> None:
    a = Alignment([(0, 0), (1, 1)])
    b = Alignment([(0, 0), (1, 2)])
    c = Alignment([(0, 0), (2, 2)])
    d = Alignment([(1, 1), (2, 2)])
    assert combine([[a], [b], [c]]) == [Alignment([(0, 0)])]  # 2 of 3
    assert combine([[a], [b], [c], [d]]) == [Alignment([(0, 0)])]  # 3 of 4


def test_combination_sure_needs_min_votes_as_sure() -> None:
    inputs = [
        Alignment([(0, 0), (1, 1)]),
        Alignment([(0, 0)], possible=[(1, 1), (2, 2)]),
        Alignment(possible=[(0, 0), (1, 1), (2, 2)]),
    ]
    # 0-0: 3 votes, 2 as Sure -> Sure; 1-1: 3 votes, 1 Sure -> Possible; 2-2: 2 votes, 0 Sure.
    assert combine_one(inputs) == Alignment([(0, 0)], possible=[(1, 1), (2, 2)])
    assert combine_one(inputs, min_votes=1) == Alignment([(0, 0), (1, 1)], possible=[(2, 2)])
    assert combine_one(inputs, min_votes=3) == Alignment(possible=[(0, 0), (1, 1)])


def test_combination_scores_are_means_over_all_inputs() -> None:
    a = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.9, (1, 1): 0.6})
    b = Alignment([(0, 0), (1, 2)], scores={(0, 0): 0.6, (1, 2): 0.3})
    c = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.3, (1, 1): 0.3})
    (out,) = combine([[a], [b], [c]], min_votes=2)
    assert out == Alignment([(0, 0), (1, 1)])
    assert out.scores is not None
    assert out.scores.keys() == {(0, 0), (1, 1)}
    assert out.scores[(0, 0)] == pytest.approx(0.6)  # (0.9 + 0.6 + 0.3) / 3
    assert out.scores[(1, 1)] == pytest.approx(0.3)  # (0.6 + 0 + 0.3) / 3
    (union,) = combine([[a], [b], [c]], min_votes=1)
    assert union.scores is not None
    assert union.scores[(1, 2)] == pytest.approx(0.1)  # b alone: 0.3 / 3


def test_combination_unscored_links_get_vote_fractions_on_request() -> None:
    a = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.9, (1, 1): 0.6})
    b = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.6})  # 1-1 without a score
    c = Alignment([(0, 0)])
    assert combine_one([a, b, c]).scores is None  # 0-0 and 1-1: some input has no score
    out = combine_one([a, b], min_votes=1)
    assert out.scores == {(0, 0): pytest.approx(0.75)}
    voted = combine_one([a, b, c], vote_scores=True)
    assert voted.scores == {(0, 0): pytest.approx(1.0), (1, 1): pytest.approx(2 / 3)}
    voted = combine_one([a, b], min_votes=1, vote_scores=True)
    assert voted.scores == {(0, 0): pytest.approx(0.75), (1, 1): pytest.approx(1.0)}


def test_combination_streams_and_empty_alignments() -> None:
    a = [Alignment([(0, 0)]), Alignment(), Alignment([(1, 1)])]
    b = [Alignment([(0, 0)]), Alignment(), Alignment()]
    assert combine([iter(a), iter(b)], min_votes=2) == [
        Alignment([(0, 0)]),
        Alignment(),
        Alignment(),
    ]


def test_combination_length_mismatch_names_the_inputs() -> None:
    long = [Alignment()] * 3
    with pytest.raises(LengthMismatchError) as info:
        combine([iter(long), iter(long), iter([Alignment()])], names=["a", "b", "c"])
    assert str(info.value) == "sentence counts differ: a has 3 sentences, c has 1"
    with pytest.raises(LengthMismatchError) as info:
        combine([[Alignment()], long])
    assert str(info.value) == "sentence counts differ: input 1 has 1 sentences, input 2 has 3"


@pytest.mark.parametrize("min_votes", [0, 3, -1])
def test_combination_min_votes_out_of_range(min_votes: int) -> None:
    with pytest.raises(ValueError, match="min_votes must be between 1 and 2"):
        combine([[Alignment()], [Alignment()]], min_votes=min_votes)


def test_combination_needs_inputs() -> None:
    with pytest.raises(ValueError, match="no inputs"):
        combine([])


def test_min_score_thresholds_the_mean_score_over_all_inputs() -> None:
    a = Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.9, (1, 1): 0.6})
    b = Alignment([(0, 0), (1, 2)], scores={(0, 0): 0.7, (1, 2): 0.9})
    # Means over both inputs: 0-0 0.8, 1-1 0.3, 1-2 0.45.
    out = combine([[a], [b]], min_votes=1, min_score=0.4)[0]
    assert set(out.sure) == {(0, 0), (1, 2)}
    assert out.scores == pytest.approx({(0, 0): 0.8, (1, 2): 0.45})
    # A link that an input has without a score cannot reach a minimum score (0-0 here); 1-1 has
    # a's score only, and c's missing link counts 0: mean 0.3.
    c = Alignment([(0, 0)])
    assert combine([[a], [c]], min_votes=1, min_score=0.1)[0].sure == {(1, 1)}
