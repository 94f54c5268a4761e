"""Posterior symmetrization and link scores (numba kernels) against a brute-force reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.aligners.statistical.corpus import EncodedBitext, Ragged, Vocabulary
from wordalign.aligners.statistical.directional import POSTERIOR_METHODS, combine_directions
from wordalign.aligners.statistical.posteriors import LinkPosteriors
from wordalign.errors import WordalignError

Dense = list[dict[int, float]]  # per generated token: position (-1 = NULL) -> probability


@st.composite
def corpus_posteriors(draw: st.DrawFn) -> tuple[list[int], list[int], Dense, Dense]:
    """Sentence lengths and both directions' posteriors (each token's entries sum to one)."""
    n = draw(st.integers(1, 4))
    src_len = [draw(st.integers(0, 6)) for _ in range(n)]
    tgt_len = [draw(st.integers(0, 6)) for _ in range(n)]

    def token(n_candidates: int) -> dict[int, float]:
        # Weights on a coarse grid so that ties between candidates occur.
        weights = [draw(st.integers(0, 4)) for _ in range(n_candidates + 1)]
        weights[-1] += 1  # NULL never 0: the total is positive
        total = sum(weights)
        return {(k if k < n_candidates else -1): w / total for k, w in enumerate(weights) if w}

    fwd = [token(ns) for ns, nt in zip(src_len, tgt_len, strict=True) for _ in range(nt)]
    rev = [token(nt) for ns, nt in zip(src_len, tgt_len, strict=True) for _ in range(ns)]
    return src_len, tgt_len, fwd, rev


def _packed(dense: Dense) -> LinkPosteriors:
    counts = [len(d) for d in dense]
    positions = [p for d in dense for p in d]
    probs = [v for d in dense for v in d.values()]
    return LinkPosteriors.from_counts(
        np.array(counts, dtype=np.int64), np.array(positions), np.array(probs)
    )


def _encoded(src_len: list[int], tgt_len: list[int]) -> EncodedBitext:
    def ragged(lengths: list[int]) -> Ragged:
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return Ragged(np.zeros(int(offsets[-1]), dtype=np.int32), offsets)

    return EncodedBitext(ragged(src_len), ragged(tgt_len), Vocabulary(), Vocabulary())


def _reference(
    src_len: list[int],
    tgt_len: list[int],
    fwd: Dense,
    rev: Dense,
    method: str,
    threshold: float,
    grow: float | None,
) -> list[dict[tuple[int, int], float]]:
    """Every cell's combined score, thresholded, then grown one best candidate at a time."""
    out = []
    t_base = s_base = 0
    for ns, nt in zip(src_len, tgt_len, strict=True):
        # float32 as the posteriors are stored, then the kernels' float64 arithmetic.
        score = {}
        for i in range(ns):
            for j in range(nt):
                pf = float(np.float32(fwd[t_base + j].get(i, 0.0)))
                pr = float(np.float32(rev[s_base + i].get(j, 0.0)))
                score[i, j] = 0.5 * (pf + pr) if method == "posterior-mean" else math.sqrt(pf * pr)
        links = {c for c, v in score.items() if v >= threshold}
        while grow is not None:
            src_al = {i for i, _ in links}
            tgt_al = {j for _, j in links}
            candidates = [
                (score[ni, nj], -(ni * nt + nj), (ni, nj))
                for i, j in links
                for di in (-1, 0, 1)
                for dj in (-1, 0, 1)
                if (di or dj)
                and 0 <= (ni := i + di) < ns
                and 0 <= (nj := j + dj) < nt
                and (ni, nj) not in links
                and score[ni, nj] >= grow
                and (ni not in src_al or nj not in tgt_al)
            ]
            if not candidates:
                break
            links.add(max(candidates)[2])
        out.append({c: score[c] for c in links})
        t_base += nt
        s_base += ns
    return out


@settings(max_examples=150, deadline=None)
@given(
    corpus_posteriors(),
    st.sampled_from(POSTERIOR_METHODS),
    st.sampled_from([0.1, 0.25, 0.4, 0.5, 0.75, 1.0]),
    st.sampled_from([None, 0.05, 0.2]),
)
def test_posterior_symmetrization_equals_brute_force(
    data: tuple[list[int], list[int], Dense, Dense],
    method: str,
    threshold: float,
    grow: float | None,
) -> None:
    src_len, tgt_len, fwd, rev = data
    if grow is not None and grow > threshold:
        grow = threshold
    packed = combine_directions(
        np.full(sum(tgt_len), -1, dtype=np.int32), np.full(sum(src_len), -1, dtype=np.int32),
        _encoded(src_len, tgt_len), method, posteriors=(_packed(fwd), _packed(rev)),
        threshold=threshold, grow_threshold=grow,
    )  # fmt: skip
    expected = _reference(src_len, tgt_len, fwd, rev, method, threshold, grow)
    assert len(packed) == len(src_len)
    for alignment, want in zip(packed, expected, strict=True):
        assert set(alignment.sure) == set(want)
        assert alignment.scores is not None
        for link, value in want.items():
            assert alignment.scores[link] == pytest.approx(value, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(corpus_posteriors(), st.sampled_from(["intersection", "grow-diag-final-and", "forward"]))
def test_heuristic_links_are_scored_with_the_mean_posterior(
    data: tuple[list[int], list[int], Dense, Dense], method: str
) -> None:
    src_len, tgt_len, fwd, rev = data
    # Viterbi arrays: the argmax of each token's posterior.
    forward = np.array([max(d, key=lambda k: (d[k], -k)) for d in fwd], dtype=np.int32)
    reverse = np.array([max(d, key=lambda k: (d[k], -k)) for d in rev], dtype=np.int32)
    encoded = _encoded(src_len, tgt_len)
    plain = combine_directions(forward, reverse, encoded, method)
    scored = combine_directions(
        forward, reverse, encoded, method, posteriors=(_packed(fwd), _packed(rev))
    )
    assert list(plain) == list(scored)
    t_base = s_base = 0
    for ns, nt, alignment in zip(src_len, tgt_len, scored, strict=True):
        assert alignment.scores is not None
        for i, j in alignment.sure:
            pf = float(np.float32(fwd[t_base + j].get(i, 0.0)))
            pr = float(np.float32(rev[s_base + i].get(j, 0.0)))
            want = pf if method == "forward" else 0.5 * (pf + pr)
            assert alignment.scores[i, j] == pytest.approx(want, rel=1e-6)
        t_base += nt
        s_base += ns


def test_posterior_method_needs_both_directions_and_valid_thresholds() -> None:
    encoded = _encoded([1], [1])
    one = _packed([{0: 1.0}])
    args = (np.zeros(1, dtype=np.int32), np.zeros(1, dtype=np.int32), encoded, "posterior-mean")
    with pytest.raises(ValueError, match="both directions"):
        combine_directions(*args, posteriors=(one, None))
    with pytest.raises(WordalignError, match="posterior_threshold"):
        combine_directions(*args, posteriors=(one, one), threshold=1.5)
    out = combine_directions(*args, posteriors=(one, one), threshold=1.0)
    assert out[0].to_pharaoh() == "0-0" and out[0].scores == {(0, 0): 1.0}
