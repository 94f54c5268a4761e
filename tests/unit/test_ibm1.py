"""IBM Model 1: numba EM against a slow reference, certain alignments, persistence, edge cases."""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.statistical.corpus import encode_bitext
from wordalign.aligners.statistical.ibm1 import IBM1, decode, em_iteration, train_direction
from wordalign.errors import NotFittedError, UnknownNameError, WordalignError
from wordalign.registry import get_aligner
from wordalign.types import SentencePair

NULL = None

# Synthetic: every source letter has one target counterpart, in the same position.
CERTAIN = [
    ("a b", "x y"),
    ("a c", "x z"),
    ("b c", "y z"),
    ("c a b", "z x y"),
    ("d a", "w x"),
    ("d c", "w z"),
]


def pharaoh(aligner: Aligner, pairs: list[tuple[str, str]]) -> list[str]:
    return [a.to_pharaoh() for a in aligner.align(pairs)]


def reference_em(
    pairs: list[tuple[list[str], list[str]]], n_iter: int
) -> tuple[dict[tuple[str | None, str], float], list[float]]:
    """Brown et al. (1993) Model 1 EM, written out with dictionaries (NULL source word = None)."""
    t: dict[tuple[str | None, str], float] = {}
    rows: dict[str | None, set[str]] = defaultdict(set)
    for src, tgt in pairs:
        if src and tgt:
            for e in [NULL, *src]:
                rows[e].update(tgt)
    for e, fs in rows.items():
        for f in fs:
            t[(e, f)] = 1.0 / len(fs)
    lls = []
    for _ in range(n_iter):
        counts: dict[tuple[str | None, str], float] = defaultdict(float)
        ll = 0.0
        for src, tgt in pairs:
            if not src or not tgt:
                continue
            full = [NULL, *src]
            for f in tgt:
                total = sum(t[(e, f)] for e in full)
                ll += math.log(total / len(full))
                for e in full:
                    counts[(e, f)] += t[(e, f)] / total
        totals: dict[str | None, float] = defaultdict(float)
        for (e, _), c in counts.items():
            totals[e] += c
        t = {(e, f): counts[(e, f)] / totals[e] for (e, f) in t}
        lls.append(ll)
    return t, lls


def random_corpus(rng: random.Random, n_pairs: int) -> list[tuple[list[str], list[str]]]:
    src_words = [f"s{k}" for k in range(8)]
    tgt_words = [f"t{k}" for k in range(9)]
    return [
        (
            [rng.choice(src_words) for _ in range(rng.randint(0, 6))],
            [rng.choice(tgt_words) for _ in range(rng.randint(0, 6))],
        )
        for _ in range(n_pairs)
    ]


@pytest.mark.parametrize("cached", [True, False], ids=["cell-index", "binary-search"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_em_iterations_match_the_reference(seed: int, cached: bool) -> None:
    corpus = random_corpus(random.Random(seed), 25)
    pairs = [SentencePair(tuple(s), tuple(t)) for s, t in corpus]
    encoded = encode_bitext(pairs)
    n_src, n_tgt = len(encoded.src_vocab), len(encoded.tgt_vocab)
    state = train_direction(encoded.src, encoded.tgt, n_src, n_tgt, 10**9 if cached else 0)
    assert (state.cells is not None) == cached
    table = state.table
    for _ in range(3):
        em_iteration(state)
    expected, lls = reference_em(corpus, 3)
    got = {}
    for row in range(len(table.row_ptr) - 1):
        e = None if row == 0 else encoded.src_vocab.words[row - 1]
        for p in range(table.row_ptr[row], table.row_ptr[row + 1]):
            got[(e, encoded.tgt_vocab.words[table.cols[p]])] = float(table.probs[p])
    assert got.keys() == expected.keys()  # exactly the co-occurring pairs, nothing quadratic
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key
    assert table.log_likelihood == pytest.approx(lls, abs=1e-9)
    # Viterbi: argmax_i t(f | e_i), NULL first, leftmost on ties.
    generators = decode(encoded.src, encoded.tgt, table)
    k = 0
    for src, tgt in corpus:
        for f in tgt:
            scores = [expected.get((e, f), 1e-9) for e in [NULL, *src]] if src else [1.0]
            best = max(range(len(scores)), key=lambda i: (scores[i], -i))
            assert generators[k] == best - 1
            k += 1


def test_log_likelihood_does_not_decrease() -> None:
    corpus = random_corpus(random.Random(5), 40)
    aligner = IBM1(n_iter=6, progress=False).fit([(s, t) for s, t in corpus])
    assert aligner.forward_ is not None and aligner.reverse_ is not None
    for table in (aligner.forward_, aligner.reverse_):
        ll = table.log_likelihood
        assert len(ll) == 6
        assert all(b >= a - 1e-9 for a, b in itertools.pairwise(ll))


def test_finds_a_certain_alignment() -> None:
    aligner = IBM1(n_iter=10, progress=False)
    out = [a.to_pharaoh() for a in aligner.fit_align(CERTAIN)]
    assert out == ["0-0 1-1", "0-0 1-1", "0-0 1-1", "0-0 1-1 2-2", "0-0 1-1", "0-0 1-1"]


@pytest.mark.parametrize("method", ["forward", "reverse", "intersection", "union"])
def test_each_direction_and_symmetrization(method: str) -> None:
    aligner = IBM1(n_iter=10, symmetrize=method, progress=False)
    assert aligner.fit_align(CERTAIN)[3].to_pharaoh() == "0-0 1-1 2-2"
    if method == "forward":
        assert aligner.reverse_ is None  # only the direction needed is trained
        with pytest.raises(WordalignError, match="trained without the direction"):
            aligner.set_params(symmetrize="union").align(CERTAIN)


def test_forward_gives_each_target_word_at_most_one_source_word() -> None:
    corpus = random_corpus(random.Random(3), 30)
    for alignment in IBM1(symmetrize="forward", progress=False).fit_align(corpus):
        targets = [j for _, j in alignment.sure]
        assert len(targets) == len(set(targets))


def test_deterministic() -> None:
    corpus = random_corpus(random.Random(7), 40)
    a = IBM1(progress=False, random_state=1).fit(corpus)
    b = IBM1(progress=False, random_state=2).fit(corpus)
    assert a.forward_ is not None and b.forward_ is not None
    assert np.array_equal(a.forward_.probs, b.forward_.probs)
    assert a.align(corpus) == b.align(corpus)


def test_save_load_round_trip(tmp_path: Path) -> None:
    corpus = random_corpus(random.Random(11), 40)
    aligner = IBM1(n_iter=3, lowercase=True, progress=False).fit(corpus)
    aligner.save(tmp_path / "model")
    loaded = Aligner.load(tmp_path / "model")
    assert isinstance(loaded, IBM1)
    assert loaded.get_params() == aligner.get_params()
    assert loaded.align(corpus) == aligner.align(corpus)
    assert IBM1.load(tmp_path / "model").align(corpus[:3]) == aligner.align(corpus[:3])


def test_unknown_words_at_align_time_stay_unaligned() -> None:
    aligner = IBM1(n_iter=10, progress=False).fit(CERTAIN)
    assert pharaoh(aligner, [("a new b", "x neu y"), ("unseen", "words"), ("a", "q")]) == [
        "0-0 2-2",
        "",
        "",
    ]


def test_empty_sentences_give_empty_alignments() -> None:
    corpus = [("", ""), ("a b", ""), ("", "x y"), *CERTAIN]
    out = [a.to_pharaoh() for a in IBM1(n_iter=10, progress=False).fit_align(corpus)]
    assert out[:3] == ["", "", ""]
    assert out[3] == "0-0 1-1"
    only_empty = IBM1(progress=False).fit_align([("", ""), ("a", "")])
    assert [len(a) for a in only_empty] == [0, 0]


def test_a_sentence_of_1500_tokens_aligns() -> None:
    # The long pair repeats the letters of CERTAIN, whose short pairs settle the table.
    src = " ".join("abcd"[k % 4] for k in range(1500))
    tgt = " ".join("xyzw"[k % 4] for k in range(1500))
    out = IBM1(n_iter=5, symmetrize="intersection", progress=False).fit_align(
        [*CERTAIN, (src, tgt)]
    )
    long = out[-1]
    assert long.max_src() < 1500 and long.max_tgt() < 1500
    # IBM Model 1 has no notion of position: a target word goes to the first occurrence of its
    # counterpart, so links join matching letters near the start.
    assert len(long) > 0
    assert all(i % 4 == j % 4 for i, j in long)


def test_parameters_are_checked_at_fit_time() -> None:
    with pytest.raises(UnknownNameError, match="grow-diag-final-and"):
        IBM1(symmetrize="gdfa").fit(CERTAIN)
    with pytest.raises(WordalignError, match="n_iter must be at least 1"):
        IBM1(n_iter=0).fit(CERTAIN)
    with pytest.raises(NotFittedError):
        IBM1().align(CERTAIN)


def test_registry_reaches_ibm1() -> None:
    aligner = get_aligner("ibm1", n_iter=2)
    assert isinstance(aligner, IBM1)
    assert aligner.get_params()["n_iter"] == 2
