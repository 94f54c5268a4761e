"""EM link posteriors of IBM Model 1 and fast_align: hand values, sums, argmax, scores, persistence."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.statistical.corpus import encode_bitext
from wordalign.aligners.statistical.fastalign import FastAlign
from wordalign.aligners.statistical.ibm1 import IBM1, decode
from wordalign.aligners.statistical.posteriors import LinkPosteriors
from wordalign.errors import WordalignError
from wordalign.types import SentencePair

EMAligner = IBM1 | FastAlign


def _random_corpus(seed: int, n_pairs: int = 40, vocab: int = 8, max_len: int = 6) -> list:  # type: ignore[type-arg]
    # Mostly translations (s_k -> t_k) with noise words and some empty sides, so that tables
    # are neither uniform nor degenerate.
    rng = random.Random(seed)
    pairs = [SentencePair((), ()), SentencePair(("s1",), ())]
    for _ in range(n_pairs):
        words = [rng.randrange(vocab) for _ in range(rng.randint(1, max_len))]
        tgt = [f"t{w}" for w in words if rng.random() > 0.2]
        if rng.random() < 0.5:
            tgt.insert(rng.randrange(len(tgt) + 1), f"t{rng.randrange(vocab)}")
        pairs.append(SentencePair(tuple(f"s{w}" for w in words), tuple(tgt)))
    pairs.append(SentencePair((), ("t1", "t2")))
    return pairs


def _make(kind: str, **params: object) -> EMAligner:
    cls = IBM1 if kind == "ibm1" else FastAlign
    return cls(progress=False, **params)  # type: ignore[arg-type]


def _dense(posts: LinkPosteriors, k: int, n: int) -> np.ndarray:
    # Token k's posteriors over [NULL, 0, .., n - 1].
    row = np.zeros(n + 1)
    for position, prob in posts.token(k).items():
        row[position + 1] = prob
    return row


# -- IBM Model 1 by hand ------------------------------------------------------------------------


def test_ibm1_posteriors_after_one_em_iteration_equal_the_hand_values() -> None:
    # Uniform start: rows NULL, a, b each hold {x, y} with t = 1/2. E-step: in pair 1 every
    # target word splits 1/3 each over NULL, a, b; in pair 2 'x' splits 1/2 over NULL, a.
    # Counts: NULL {x: 5/6, y: 1/3}, a {x: 5/6, y: 1/3}, b {x: 1/3, y: 1/3}, so t(x|NULL) =
    # t(x|a) = 5/7, t(y|NULL) = t(y|a) = 2/7, t(x|b) = t(y|b) = 1/2. Posteriors (eq. 76):
    # pair 1 'x': (5/7, 5/7, 1/2) / (27/14) = (10, 10, 7)/27; 'y': (2/7, 2/7, 1/2) / (15/14) =
    # (4, 4, 7)/15; pair 2 'x': (1/2, 1/2).
    pairs = [("a b", "x y"), ("a", "x")]
    aligner = IBM1(n_iter=1, symmetrize="forward", progress=False).fit(pairs)
    forward, reverse, _ = aligner.link_posteriors(pairs, floor=0.0)
    assert forward is not None and reverse is None
    expected = [{-1: 10 / 27, 0: 10 / 27, 1: 7 / 27}, {-1: 4 / 15, 0: 4 / 15, 1: 7 / 15}]
    expected.append({-1: 0.5, 0: 0.5})
    assert forward.n_tokens == 3
    for k, want in enumerate(expected):
        got = forward.token(k)
        assert got.keys() == want.keys()
        for position, prob in want.items():
            assert got[position] == pytest.approx(prob, abs=1e-6)
    # Viterbi: 'x' ties NULL with 'a' (NULL wins ties), 'y' goes to 'b'.
    assert [a.to_pharaoh() for a in aligner.align(pairs)] == ["1-1", ""]


def test_ibm1_posteriors_of_a_fixed_table_equal_the_hand_values() -> None:
    pairs = [("a b", "x y")]
    aligner = IBM1(n_iter=1, symmetrize="forward", progress=False).fit(pairs)
    table = aligner.forward_
    assert table is not None
    # Rows: NULL, a, b (source ids 0, 1); each row's cols are the target ids of x, y.
    table.probs[:] = [0.1, 0.9, 0.6, 0.4, 0.3, 0.7]
    forward, _, _ = aligner.link_posteriors([("a b", "x y"), ("b zzz", "x y")], floor=0.0)
    assert forward is not None
    rows = [_dense(forward, k, 2) for k in range(4)]
    np.testing.assert_allclose(rows[0], np.array([0.1, 0.6, 0.3]) / 1.0, atol=1e-6)
    np.testing.assert_allclose(rows[1], np.array([0.9, 0.4, 0.7]) / 2.0, atol=1e-6)
    # An unknown source word gets the table's smoothing probability, 1e-9.
    np.testing.assert_allclose(rows[2], np.array([0.1, 0.3, 1e-9]) / (0.4 + 1e-9), atol=1e-6)
    np.testing.assert_allclose(rows[3], np.array([0.9, 0.7, 1e-9]) / (1.6 + 1e-9), atol=1e-6)


# -- fast_align against the formula -------------------------------------------------------------


def test_fastalign_posteriors_equal_the_normalised_joint() -> None:
    pairs = _random_corpus(5)
    aligner = FastAlign(symmetrize="forward", progress=False).fit(pairs)
    model = aligner.forward_
    assert model is not None
    forward, _, encoded = aligner.link_posteriors(pairs, floor=0.0)
    assert forward is not None
    p0, lam = aligner.p0, model.tension

    def theta(row: int, f: int) -> float:
        lo, hi = int(model.row_ptr[row]), int(model.row_ptr[row + 1])
        hits = np.nonzero(model.cols[lo:hi] == f)[0]
        return float(model.probs[lo + hits[0]]) if len(hits) else 1e-9

    src, tgt = encoded.src, encoded.tgt
    for s in range(len(pairs)):
        e = src.ids[src.offsets[s] : src.offsets[s + 1]]
        n, t0 = len(e), int(tgt.offsets[s])
        m = int(tgt.offsets[s + 1]) - t0
        for j in range(m):
            f = int(tgt.ids[t0 + j])
            if n == 0:
                assert forward.token(t0 + j) == {-1: 1.0}
                continue
            # Dyer et al. (2013), eq. 2-3: δ(i | j, m, n) with h = -|i/n - j/m|, 1-based.
            weights = [math.exp(-lam * abs(i / n - (j + 1) / m)) for i in range(1, n + 1)]
            z = sum(weights)
            joint = [p0 * theta(0, f)]
            joint += [(1 - p0) * w / z * theta(int(e[i]) + 1, f) for i, w in enumerate(weights)]
            want = np.array(joint) / sum(joint)
            np.testing.assert_allclose(_dense(forward, t0 + j, n), want, rtol=1e-5, atol=1e-7)


# -- properties of both models ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
@pytest.mark.parametrize("seed", [0, 1])
def test_posteriors_sum_to_one_and_their_argmax_is_the_viterbi_link(kind: str, seed: int) -> None:
    pairs = _random_corpus(seed)
    aligner = _make(kind, symmetrize="union").fit(pairs)
    # New text too: unknown words and pairs the table lacks.
    text = [*pairs, SentencePair(("s1", "new", "s2"), ("t2", "neu", "t1", "t1"))]
    forward, reverse, encoded = aligner.link_posteriors(text, floor=0.0)
    assert forward is not None and reverse is not None
    for posts, gen, cond, direction in (
        (forward, encoded.tgt, encoded.src, "forward"),
        (reverse, encoded.src, encoded.tgt, "reverse"),
    ):
        assert posts.n_tokens == len(gen.ids)
        sums = np.add.reduceat(posts.probs.astype(np.float64), posts.offsets[:-1])
        sums[np.diff(posts.offsets) == 0] = 0.0
        np.testing.assert_allclose(sums, 1.0, atol=1e-5)
        viterbi = _viterbi(aligner, text, direction)
        n_sent = len(gen.offsets) - 1
        for s in range(n_sent):
            n = int(cond.offsets[s + 1] - cond.offsets[s])
            for k in range(int(gen.offsets[s]), int(gen.offsets[s + 1])):
                row = _dense(posts, k, n)
                best = row.max()
                # Ties aside: the Viterbi generator has the highest posterior.
                assert row[viterbi[k] + 1] >= best - 1e-6


def _viterbi(aligner: EMAligner, text: list[SentencePair], direction: str) -> np.ndarray:
    if isinstance(aligner, FastAlign):
        fwd, rev, _ = aligner.directional_arrays(text)
        out = fwd if direction == "forward" else rev
        assert out is not None
        return out
    encoded = encode_bitext(text, aligner.src_vocab_, aligner.tgt_vocab_, grow=False)
    if direction == "forward":
        assert aligner.forward_ is not None
        return decode(encoded.src, encoded.tgt, aligner.forward_)
    assert aligner.reverse_ is not None
    return decode(encoded.tgt, encoded.src, aligner.reverse_)


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
@pytest.mark.parametrize("direction", ["forward", "reverse"])
def test_scores_are_the_posteriors_of_the_links(kind: str, direction: str) -> None:
    pairs = _random_corpus(2)
    plain = _make(kind, symmetrize=direction).fit_align(pairs)
    aligner = _make(kind, symmetrize=direction, scores=True)
    scored = aligner.fit_align(pairs)
    assert [a.sure for a in scored] == [a.sure for a in plain]  # scores change no link
    forward, reverse, encoded = aligner.link_posteriors(pairs)
    posts = forward if direction == "forward" else reverse
    assert posts is not None
    n_links = 0
    for s, alignment in enumerate(scored):
        assert alignment.scores is not None
        for (i, j), score in alignment.scores.items():
            if direction == "forward":
                want = posts.token(int(encoded.tgt.offsets[s]) + j)[i]
            else:
                want = posts.token(int(encoded.src.offsets[s]) + i)[j]
            assert score == pytest.approx(want, abs=1e-6)
            assert 0.0 < score <= 1.0
            n_links += 1
    assert n_links > 20


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
def test_posterior_mean_symmetrization_end_to_end(kind: str) -> None:
    pairs = [(" ".join(f"s{w}" for w in ws), " ".join(f"t{w}" for w in ws)) for ws in _words()]
    out = _make(kind, n_iter=10, symmetrize="posterior-mean", posterior_threshold=0.4).fit_align(
        pairs
    )
    assert len(out) == len(pairs)
    # Translations are certain: the mean posterior of every diagonal link passes 0.4.
    diagonal = sum(len(a.sure & {(k, k) for k in range(6)}) for a in out)
    total = sum(len(a.sure) for a in out)
    assert diagonal >= 0.9 * sum(len(ws) for ws in _words())
    assert diagonal >= 0.9 * total
    for a in out:
        assert a.scores is not None
        assert all(score >= 0.4 for score in a.scores.values())
    grown = _make(
        kind,
        n_iter=10,
        symmetrize="posterior-mean",
        posterior_threshold=0.9,
        posterior_grow_threshold=0.1,
    ).fit_align(pairs)
    strict = _make(kind, n_iter=10, symmetrize="posterior-mean", posterior_threshold=0.9)
    for a, b in zip(grown, strict.fit_align(pairs), strict=True):
        assert b.sure <= a.sure  # growing only adds links


def _words() -> list[list[int]]:
    rng = random.Random(4)
    return [rng.sample(range(10), rng.randint(2, 6)) for _ in range(60)]


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
@pytest.mark.parametrize("method", ["grow-diag-final-and", "posterior-geometric"])
def test_saved_model_gives_the_same_scored_output(kind: str, method: str, tmp_path: Path) -> None:
    pairs = _random_corpus(3)
    aligner = _make(kind, symmetrize=method, scores=True, posterior_grow_threshold=0.2)
    direct = aligner.fit_align(pairs)
    aligner.save(tmp_path / "model")
    loaded = Aligner.load(tmp_path / "model")
    assert loaded.get_params() == aligner.get_params()
    again = loaded.align(pairs)
    assert [a.sure for a in again] == [a.sure for a in direct]
    for a, b in zip(again, direct, strict=True):
        assert a.scores is not None and b.scores is not None
        assert a.scores.keys() == b.scores.keys()
        for link, score in a.scores.items():
            assert score == pytest.approx(b.scores[link], abs=1e-6)


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
def test_bad_posterior_thresholds_are_user_errors(kind: str) -> None:
    pairs = _random_corpus(0)
    with pytest.raises(WordalignError, match="posterior_threshold"):
        _make(kind, posterior_threshold=0.0).fit(pairs)
    with pytest.raises(WordalignError, match="posterior_grow_threshold"):
        _make(kind, posterior_threshold=0.3, posterior_grow_threshold=0.5).fit(pairs)


@pytest.mark.parametrize("kind", ["ibm1", "fastalign"])
def test_without_scores_no_posteriors_are_attached(kind: str) -> None:
    out = _make(kind).fit_align(_random_corpus(1))
    assert all(a.scores is None for a in out)
