"""Tests of the fast_align aligner (wordalign.aligners.statistical.fastalign) and its kernels."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.statistical import _fastalign_kernels as kernels
from wordalign.aligners.statistical.corpus import encode_bitext
from wordalign.aligners.statistical.fastalign import FastAlign, _Trainer
from wordalign.errors import NotFittedError, UnknownNameError, WordalignError
from wordalign.types import SentencePair

# Adjective-noun pairs whose order flips between the two (made-up) languages: the lexical
# evidence must beat the diagonal prior. Every word occurs in three pairs with different partners.
ADJ = [("rot", "cotschen"), ("blau", "blau_rm"), ("gruen", "verd")]
NOUN = [("haus", "chasa"), ("auto", "auto_rm"), ("buch", "cudesch")]
SWAP_CORPUS = [
    SentencePair((a_src, n_src), (n_tgt, a_tgt)) for a_src, a_tgt in ADJ for n_src, n_tgt in NOUN
]

MONOTONE_CORPUS = [
    SentencePair.from_strings("das haus", "la chasa"),
    SentencePair.from_strings("das buch", "il cudesch"),
    SentencePair.from_strings("ein buch", "in cudesch"),
    SentencePair.from_strings("ein haus", "ina chasa"),
    SentencePair.from_strings("das haus ist klein", "la chasa è pitschna"),
]


def _random_corpus(seed: int, n_pairs: int, vocab: int, max_len: int) -> list[SentencePair]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(n_pairs):
        n = rng.randint(1, max_len)
        m = rng.randint(1, max_len)
        src = tuple(f"s{rng.randrange(vocab)}" for _ in range(n))
        tgt = tuple(f"t{rng.randrange(vocab)}" for _ in range(m))
        pairs.append(SentencePair(src, tgt))
    return pairs


def _links(alignments: list) -> list[str]:  # type: ignore[type-arg]
    return [a.to_pharaoh() for a in alignments]


# -- tiny corpora whose alignment is certain ---------------------------------------------------


@pytest.mark.parametrize(
    "symmetrize", ["grow-diag-final-and", "intersection", "forward", "reverse"]
)
def test_fastalign_finds_swapped_order_without_diagonal_prior(symmetrize: str) -> None:
    # With the diagonal prior, fast_align (like the reference) locks onto the diagonal here: the
    # first iteration's posteriors come from the prior alone, and two-word pairs give the
    # lexical table too little to overturn them. Without the prior the model is IBM Model 1.
    aligner = FastAlign(symmetrize=symmetrize, favor_diagonal=False, progress=False)
    assert _links(aligner.fit_align(SWAP_CORPUS)) == ["0-1 1-0"] * len(SWAP_CORPUS)


def test_fastalign_diagonal_prior_prefers_the_diagonal_on_ambiguous_pairs() -> None:
    aligner = FastAlign(symmetrize="forward", progress=False)
    assert _links(aligner.fit_align(SWAP_CORPUS)) == ["0-0 1-1"] * len(SWAP_CORPUS)


def test_fastalign_finds_monotone_alignment() -> None:
    aligner = FastAlign(progress=False)
    assert _links(aligner.fit_align(MONOTONE_CORPUS)) == [
        "0-0 1-1",
        "0-0 1-1",
        "0-0 1-1",
        "0-0 1-1",
        "0-0 1-1 2-2 3-3",
    ]


# -- the diagonal normaliser and its derivative --------------------------------------------------

SHAPES = [(1, 1), (1, 7), (7, 1), (3, 5), (5, 3), (10, 10), (13, 4), (4, 13), (40, 33)]


@pytest.mark.parametrize(("m", "n"), SHAPES)
@pytest.mark.parametrize("tension", [0.1, 1.0, 4.0, 13.9])
def test_fastalign_diagonal_z_matches_brute_force(m: int, n: int, tension: float) -> None:
    for j in range(1, m + 1):
        weights = [math.exp(-tension * abs(i / n - j / m)) for i in range(1, n + 1)]
        brute_z = sum(weights)
        brute_feat = (
            sum(-abs(i / n - j / m) * w for i, w in zip(range(1, n + 1), weights, strict=True))
            / brute_z
        )
        assert kernels.diagonal_z(j, m, n, tension) == pytest.approx(brute_z, rel=1e-12)
        assert kernels.expected_feature(j, m, n, tension) == pytest.approx(
            brute_feat, rel=1e-9, abs=1e-12
        )


def _digamma_reference(x: float) -> float:
    # ψ(x) = ψ(x + N) - Σ_{k<N} 1/(x + k), then the Stirling-type series at y = x + N ≥ 1000.
    shift = 0.0
    while x < 1000.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    return shift + math.log(x) - 0.5 / x - inv2 / 12.0 + inv2 * inv2 / 120.0 - inv2**3 / 252.0


@pytest.mark.parametrize("x", [0.01, 0.0100001, 0.5, 1.0, 2.5, 6.99, 7.0, 7.5, 42.0, 1e4])
def test_fastalign_digamma(x: float) -> None:
    assert kernels.digamma(x) == pytest.approx(_digamma_reference(x), rel=1e-13, abs=1e-13)
    euler_gamma = 0.5772156649015329
    assert kernels.digamma(1.0) == pytest.approx(-euler_gamma, abs=1e-13)
    assert kernels.digamma(0.5) == pytest.approx(-euler_gamma - 2 * math.log(2), abs=1e-13)


# -- one EM iteration against a slow pure-Python reference --------------------------------------


def _reference_iteration(
    pairs: list[tuple[list[int], list[int]]],
    table: dict[tuple[int, int], float] | None,
    tension: float,
    p0: float,
    alpha: float,
    size_stats: bool,
) -> tuple[dict[tuple[int, int], float], float]:
    """Dyer et al. (2013) E-step, 8 tension steps, VB M-step; source word ``-1`` is NULL."""

    def t(e: int, f: int) -> float:
        return 1e-9 if table is None else table[(e, f)]

    counts: dict[tuple[int, int], float] = defaultdict(float)
    emp_feat = 0.0
    n_tokens = 0
    shapes: dict[tuple[int, int], int] = defaultdict(int)
    for src, tgt in pairs:
        n, m = len(src), len(tgt)
        n_tokens += m
        shapes[(m, n)] += 1
        for e in src:
            for f in tgt:
                counts[(e, f)] += 0.0
        for j0, f in enumerate(tgt):
            j = j0 + 1
            z = sum(math.exp(-tension * abs(i / n - j / m)) for i in range(1, n + 1))
            joint = [t(-1, f) * p0]
            for i in range(1, n + 1):
                prior = (1 - p0) * math.exp(-tension * abs(i / n - j / m)) / z
                joint.append(t(src[i - 1], f) * prior)
            total = sum(joint)
            counts[(-1, f)] += joint[0] / total
            for i in range(1, n + 1):
                post = joint[i] / total
                counts[(src[i - 1], f)] += post
                emp_feat += -abs(i / n - j0 / m) * post  # fast_align's 0-based j here
    emp_feat /= n_tokens
    if size_stats:
        for _ in range(8):
            mod = 0.0
            for (m, n), c in shapes.items():
                for j in range(1, m + 1):
                    w = [math.exp(-tension * abs(i / n - j / m)) for i in range(1, n + 1)]
                    h = [-abs(i / n - j / m) for i in range(1, n + 1)]
                    mod += c * sum(a * b for a, b in zip(h, w, strict=True)) / sum(w)
            tension += (emp_feat - mod / n_tokens) * 20.0
            tension = min(max(tension, 0.1), 14.0)
    rows: dict[int, float] = defaultdict(float)
    for (e, _f), c in counts.items():
        rows[e] += c + alpha
    new = {
        (e, f): math.exp(_digamma_reference(c + alpha) - _digamma_reference(rows[e]))
        for (e, f), c in counts.items()
    }
    return new, tension


def _table_dict(trainer: _Trainer) -> dict[tuple[int, int], float]:
    model = trainer.model
    out = {}
    for row in range(len(model.row_ptr) - 1):
        for p in range(model.row_ptr[row], model.row_ptr[row + 1]):
            out[(row - 1, int(model.cols[p]))] = float(model.probs[p])
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fastalign_em_iteration_matches_reference(seed: int) -> None:
    pairs = _random_corpus(seed, n_pairs=12, vocab=6, max_len=7)
    encoded = encode_bitext(pairs)
    aligner = FastAlign(progress=False)
    trainer = _Trainer(
        aligner, encoded.src, encoded.tgt, len(encoded.src_vocab), len(encoded.tgt_vocab)
    )
    trainer.prepare()
    ids = [
        (encoded.src.sentence(k).tolist(), encoded.tgt.sentence(k).tolist())
        for k in range(len(pairs))
    ]
    # Iteration 1: the uniform table, tension untouched.
    trainer.step(0)
    expected, tension = _reference_iteration(ids, None, 4.0, 0.08, 0.01, size_stats=False)
    got = _table_dict(trainer)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12)
    # Iteration 2 from a random table: tension gradient steps included.
    rng = np.random.default_rng(seed)
    trainer.model.probs[:] = rng.uniform(0.01, 1.0, size=len(trainer.model.probs))
    trainer.model.tension = 3.0
    start = _table_dict(trainer)
    trainer.step(1)
    expected, tension = _reference_iteration(ids, start, 3.0, 0.08, 0.01, size_stats=True)
    assert trainer.model.tension == pytest.approx(tension, rel=1e-9)
    got = _table_dict(trainer)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_fastalign_table_holds_exactly_the_cooccurring_pairs() -> None:
    pairs = _random_corpus(5, n_pairs=20, vocab=9, max_len=5)
    pairs.append(SentencePair(("s_only",), ()))  # an empty side: not trained on
    pairs.append(SentencePair((), ("t_only",)))
    encoded = encode_bitext(pairs)
    src, tgt = encoded.src, encoded.tgt
    row_ptr, cols, entries, entry_offsets = kernels.build_training_table(
        src.ids, src.offsets, tgt.ids, tgt.offsets, len(encoded.src_vocab), len(encoded.tgt_vocab)
    )
    expected: dict[int, set[int]] = defaultdict(set)
    for k in range(len(pairs)):
        s_ids, t_ids = src.sentence(k).tolist(), tgt.sentence(k).tolist()
        if s_ids and t_ids:
            expected[-1].update(t_ids)
            for e in s_ids:
                expected[e].update(t_ids)
    # Every token pair points at its own cell: the row of its source word (NULL first), the
    # column of its target word; and the bisecting lookup of new text finds the same cells.
    for k in range(len(pairs)):
        s_ids, t_ids = src.sentence(k).tolist(), tgt.sentence(k).tolist()
        block = entries[entry_offsets[k] : entry_offsets[k + 1]].tolist()
        assert len(block) == (len(t_ids) * (len(s_ids) + 1) if s_ids else 0)
        for j, f in enumerate(t_ids if s_ids else []):
            for i, e in enumerate([-1, *s_ids]):
                idx = block[j * (len(s_ids) + 1) + i]
                assert row_ptr[e + 1] <= idx < row_ptr[e + 2] and cols[idx] == f
    cells = [
        (row, int(cols[p]))
        for row in range(len(row_ptr) - 1)
        for p in range(row_ptr[row], row_ptr[row + 1])
    ]
    probs = np.arange(len(cols), dtype=np.float64)
    kernels.sort_rows(row_ptr, cols, probs)
    for row in range(len(row_ptr) - 1):
        got = cols[row_ptr[row] : row_ptr[row + 1]].tolist()
        assert got == sorted(expected.get(row - 1, set()))
        for p in range(row_ptr[row], row_ptr[row + 1]):
            assert cells[int(probs[p])] == (row, int(cols[p]))  # values moved with their cell
    fresh, fresh_offsets = kernels.pair_entries(
        src.ids, src.offsets, tgt.ids, tgt.offsets, row_ptr, cols
    )
    assert np.array_equal(fresh_offsets, entry_offsets)
    assert np.array_equal(probs[fresh], np.asarray(entries, dtype=np.float64))


# -- determinism, persistence, edge cases --------------------------------------------------------


def test_fastalign_is_deterministic() -> None:
    pairs = _random_corpus(7, n_pairs=60, vocab=15, max_len=12)
    first = FastAlign(progress=False)
    second = FastAlign(progress=False)
    assert _links(first.fit_align(pairs)) == _links(second.fit_align(pairs))
    assert first.forward_ is not None and second.forward_ is not None
    assert np.array_equal(first.forward_.probs, second.forward_.probs)
    assert first.forward_.tension == second.forward_.tension


def test_fastalign_save_load_gives_identical_links(tmp_path: Path) -> None:
    pairs = _random_corpus(3, n_pairs=50, vocab=12, max_len=10) + MONOTONE_CORPUS
    aligner = FastAlign(progress=False, lowercase=True)
    trained_links = _links(aligner.fit_align(pairs))
    assert _links(aligner.align(pairs)) == trained_links  # fit_align decodes with cached indices
    aligner.save(tmp_path / "model")
    loaded = Aligner.load(tmp_path / "model")
    assert isinstance(loaded, FastAlign)
    assert loaded.get_params() == aligner.get_params()
    assert _links(loaded.align(pairs)) == trained_links
    # New text with unknown words is force-aligned, never an error.
    new = [
        SentencePair.from_strings("das HAUS unbekannt", "la chasa nunenconuschent"),
        SentencePair.from_strings("zzz", "yyy xxx"),
        SentencePair((), ("la",)),
    ]
    out = loaded.align(new)
    assert len(out) == len(new)
    assert (0, 0) in out[0].sure and (1, 1) in out[0].sure
    assert not out[2].sure


def test_fastalign_unfitted_and_bad_params() -> None:
    with pytest.raises(NotFittedError, match="not trained"):
        FastAlign().align(MONOTONE_CORPUS)
    with pytest.raises(UnknownNameError, match="symmetrization method"):
        FastAlign(symmetrize="diagonal", progress=False).fit(MONOTONE_CORPUS)
    with pytest.raises(WordalignError, match="p0 must be"):
        FastAlign(p0=1.5, progress=False).fit(MONOTONE_CORPUS)
    with pytest.raises(WordalignError, match="alpha must be"):
        FastAlign(alpha=0.0, progress=False).fit(MONOTONE_CORPUS)
    with pytest.raises(WordalignError, match="n_iter must be"):
        FastAlign(n_iter=0, progress=False).fit(MONOTONE_CORPUS)
    forward_only = FastAlign(symmetrize="forward", progress=False).fit(MONOTONE_CORPUS)
    forward_only.set_params(symmetrize="intersection")
    with pytest.raises(WordalignError, match="without the direction"):
        forward_only.align(MONOTONE_CORPUS)


def test_fastalign_empty_sentences_keep_lines() -> None:
    pairs = [
        *MONOTONE_CORPUS,
        SentencePair((), ()),
        SentencePair(("das",), ()),
        SentencePair((), ("la",)),
    ]
    out = FastAlign(progress=False).fit_align(pairs)
    assert len(out) == len(pairs)
    assert [a.sure for a in out[-3:]] == [frozenset()] * 3
    assert FastAlign(progress=False).fit_align([]) == []
    assert [a.sure for a in FastAlign(progress=False).fit_align(pairs[-3:])] == [frozenset()] * 3
    # Pairs with an empty side do not change what the others learn.
    alone = FastAlign(progress=False).fit_align(MONOTONE_CORPUS)
    assert _links(out[: len(MONOTONE_CORPUS)]) == _links(alone)


def test_fastalign_aligns_a_very_long_pair() -> None:
    # 1100 tokens on each side (beyond 1024), each word also seen in a one-word pair so that the
    # table knows its translation. (Without such evidence NULL wins in so long a pair: the
    # diagonal prior of one position is only about λ / 2n.)
    length = 1100
    src = tuple(f"w{k}" for k in range(length))
    tgt = tuple(f"v{k}" for k in range(length))
    pairs = [SentencePair((s,), (t,)) for s, t in zip(src, tgt, strict=True)]
    pairs.append(SentencePair(src, tgt))
    out = FastAlign(progress=False).fit_align(pairs)
    assert len(out) == len(pairs)
    assert out[-1].sure == {(k, k) for k in range(length)}
