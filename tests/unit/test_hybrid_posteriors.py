"""LinkPosteriors.mix and the encoder's similarity posteriors: exact cases and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.aligners.hybrid.encoder_posteriors import similarity_posteriors
from wordalign.aligners.statistical.posteriors import LinkPosteriors


def test_mix_merges_entries_by_position() -> None:
    # token 0: {0: 0.8, NULL: 0.2}; token 1: {1: 1.0}
    a = LinkPosteriors.from_counts(
        np.array([2, 1]), np.array([0, -1, 1]), np.array([0.8, 0.2, 1.0])
    )
    # token 0: {1: 1.0}; token 1: {0: 0.5, 1: 0.5}
    b = LinkPosteriors.from_counts(np.array([1, 2]), np.array([1, 0, 1]), np.array([1.0, 0.5, 0.5]))
    mixed = a.mix(b, 0.25)
    assert mixed.token(0) == pytest.approx({-1: 0.15, 0: 0.6, 1: 0.25})
    assert mixed.token(1) == pytest.approx({0: 0.125, 1: 0.875})
    # entries of a token come sorted by position, NULL first
    assert mixed.positions.tolist() == [-1, 0, 1, 0, 1]


def test_mix_floor_drops_small_entries_and_weight_zero_is_identity() -> None:
    a = LinkPosteriors.from_counts(np.array([2]), np.array([0, 2]), np.array([0.9, 0.1]))
    b = LinkPosteriors.from_counts(np.array([1]), np.array([1]), np.array([1.0]))
    # entry 1 gets 0.05 * 1.0 < 0.06 and goes; the others keep 0.95 of theirs
    assert a.mix(b, 0.05, floor=0.06).token(0) == pytest.approx({0: 0.855, 2: 0.095})
    same = a.mix(b, 0.0, floor=1e-9)
    assert same.token(0) == a.token(0)


def test_mix_refuses_other_tokens() -> None:
    with pytest.raises(ValueError, match="2 tokens against 3"):
        LinkPosteriors.empty(2).mix(LinkPosteriors.empty(3), 0.5)


@st.composite
def posteriors(draw: st.DrawFn, n_tokens: int) -> LinkPosteriors:
    counts, positions, probs = [], [], []
    for _ in range(n_tokens):
        chosen = draw(st.lists(st.integers(-1, 6), unique=True, max_size=5))
        weights = draw(st.lists(st.floats(0.01, 1.0), min_size=len(chosen), max_size=len(chosen)))
        total = sum(weights) or 1.0
        counts.append(len(chosen))
        positions.extend(chosen)
        probs.extend(w / total for w in weights)
    return LinkPosteriors.from_counts(np.array(counts), np.array(positions), np.array(probs))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_tokens=st.integers(0, 6), weight=st.floats(0.0, 1.0))
def test_mix_is_the_tokenwise_mixture(data: st.DataObject, n_tokens: int, weight: float) -> None:
    a = data.draw(posteriors(n_tokens))
    b = data.draw(posteriors(n_tokens))
    mixed = a.mix(b, weight)
    assert mixed.n_tokens == n_tokens
    for k in range(n_tokens):
        want: dict[int, float] = {}
        for pos, p in a.token(k).items():
            want[pos] = want.get(pos, 0.0) + (1 - weight) * p
        for pos, p in b.token(k).items():
            want[pos] = want.get(pos, 0.0) + weight * p
        got = mixed.token(k)
        assert got.keys() == want.keys()
        for pos, p in want.items():
            assert math.isclose(got[pos], p, rel_tol=1e-5, abs_tol=1e-6)


def test_similarity_posteriors_by_hand() -> None:
    src = np.array([[1.0, 0.0], [0.0, 2.0]])  # unit rows (1, 0) and (0, 1)
    tgt = np.array([[3.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    forward, reverse = similarity_posteriors([(src, tgt)], temperature=0.5)
    c = 1 / math.sqrt(2)
    # target word 1 is at 45 degrees to both source words: an even split
    assert forward.token(1) == {0: np.float32(0.5), 1: np.float32(0.5)}
    e = math.exp(2.0)  # cos 1 vs cos 0 at T = 0.5: e^2 against e^0
    assert math.isclose(forward.token(0)[0], e / (e + 1), rel_tol=1e-6)
    # source word 0 over the three target words: cosines 1, c, 0
    z = math.exp(2) + math.exp(2 * c) + 1.0
    got = reverse.token(0)
    for j, cos in enumerate((1.0, c, 0.0)):
        assert math.isclose(got[j], math.exp(2 * cos) / z, rel_tol=1e-6)
    assert forward.n_tokens == 3 and reverse.n_tokens == 2


def test_similarity_posteriors_of_empty_sides_have_no_entries() -> None:
    vectors = np.ones((2, 4))
    forward, reverse = similarity_posteriors(
        [(vectors, np.zeros((0, 4))), (np.zeros((0, 4)), vectors[:1])], temperature=0.1
    )
    assert forward.n_tokens == 1 and reverse.n_tokens == 2
    assert len(forward.positions) == 0 and len(reverse.positions) == 0


def test_similarity_posteriors_floor_and_sums() -> None:
    rng = np.random.default_rng(0)
    pairs = [(rng.normal(size=(5, 8)), rng.normal(size=(7, 8))) for _ in range(3)]
    forward, reverse = similarity_posteriors(pairs, temperature=0.2)
    for post in (forward, reverse):
        sums = np.add.reduceat(post.probs, post.offsets[:-1])
        assert np.allclose(sums, 1.0, atol=1e-5)
    floored, _ = similarity_posteriors(pairs, temperature=0.2, floor=0.2)
    assert floored.probs.min() >= 0.2 and len(floored.probs) < len(forward.probs)
