"""Link posteriors, scores, posterior symmetrization and Dirichlet knobs of eflomal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner, as_pairs
from wordalign.aligners.statistical import _eflomal_kernels as K
from wordalign.aligners.statistical.corpus import Vocabulary
from wordalign.aligners.statistical.eflomal import Eflomal
from wordalign.aligners.statistical.posteriors import LinkPosteriors
from wordalign.errors import WordalignError

FAST = {"rel_iterations": 0.2, "progress": False}


def _posteriors(aligner: Eflomal, pairs: list[tuple[str, str]]) -> dict[str, LinkPosteriors]:
    aligner._check_params()
    encoded = aligner._encode(as_pairs(pairs), Vocabulary(), Vocabulary())
    _, posts = aligner._run(encoded, None, "test", posteriors=True)
    return posts


@pytest.mark.parametrize(
    ("params", "p_word"),
    [
        # One generated token, one candidate word: after its own link is taken out no count is
        # left, so P(word) ∝ (lex_alpha + 0) / (lex_alpha · V) and P(NULL) ∝ null_prior ·
        # (null_alpha + 0) / (lex_alpha · V), with V = 1 generated type.
        ({}, 1 / 1.2),
        ({"null_prior": 0.5}, 1 / 1.5),
        ({"lex_alpha": 0.01}, 1 / (1 + 0.2 * 0.001 / 0.01)),
        ({"null_alpha": 0.004}, 1 / (1 + 0.2 * 4)),
    ],
)
def test_posterior_of_a_lone_token_is_hand_computed(
    params: dict[str, float], p_word: float
) -> None:
    posts = _posteriors(Eflomal(model=1, **params, **FAST), [("a", "x")])
    for label in ("forward", "reverse"):
        assert posts[label].token(0) == pytest.approx({0: p_word, -1: 1 - p_word}, rel=1e-6)


@pytest.mark.parametrize("model", [1, 2, 3])
def test_posteriors_sum_to_one_over_candidates(model: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every entry kept (no floor): each token's candidates, NULL included, sum to one.
    monkeypatch.setattr("wordalign.aligners.statistical.eflomal.DEFAULT_FLOOR", 0.0)
    pairs = [("das haus ist gross", "la chasa es gronda"), ("das buch", "il cudesch")] * 4
    pairs += [("ein haus", "ina chasa"), ("", "x y"), ("a b", "")]
    posts = _posteriors(Eflomal(model=model, **FAST), pairs)
    n_tgt = sum(len(t.split()) for _, t in pairs)
    n_src = sum(len(s.split()) for s, _ in pairs)
    for label, n in (("forward", n_tgt), ("reverse", n_src)):
        p = posts[label]
        assert p.n_tokens == n
        counts = p.counts()
        sums = np.array([p.probs[p.offsets[k] : p.offsets[k + 1]].sum() for k in range(n)])
        assert np.all(counts >= 1)
        assert np.all(np.abs(sums - 1.0) < 1e-5)
        assert np.all((p.positions >= -1) & (p.probs > 0) & (p.probs <= 1.0 + 1e-6))


def test_chunk_posteriors_kernel_scales_and_floors() -> None:
    # Two sentences: (2 src, 1 tgt), (0 src, 1 tgt); acc holds the summed conditionals of the
    # first sentence's only token (positions 0, 1, NULL) over two samplers.
    acc = np.array([1.2, 0.7999, 0.0001])
    counts, positions, probs = K.chunk_posteriors(
        acc, np.array([0, 2, 2]), np.array([0, 1, 2]), 0, 2, 0.5, 1e-3
    )
    assert counts.tolist() == [2, 1]
    assert positions.tolist() == [0, 1, -1]
    assert probs.tolist() == pytest.approx([0.6, 0.39995, 1.0], rel=1e-6)


def test_scores_are_the_posteriors_of_the_links() -> None:
    pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")] * 5
    fwd = Eflomal(symmetrize="forward", scores=True, **FAST)
    out = fwd.fit_align(pairs)
    posts = _posteriors(Eflomal(symmetrize="forward", **FAST), pairs)["forward"]
    token = 0
    # The first occurrences (a repeated pair takes its first occurrence's links and scores).
    for pair, alignment in zip(as_pairs(pairs[:3]), out[:3], strict=True):
        assert alignment.scores is not None and set(alignment.scores) == set(alignment.sure)
        for i, j in alignment.sure:
            assert alignment.scores[(i, j)] == pytest.approx(posts.token(token + j)[i])
        token += len(pair.tgt)


def test_posterior_symmetrization_thresholds_the_mean() -> None:
    pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")] * 5
    out = Eflomal(symmetrize="posterior-mean", posterior_threshold=0.5, **FAST).fit_align(pairs)
    assert [a.to_pharaoh() for a in out[:3]] == ["0-0 1-1"] * 3
    assert all(a.scores is not None and min(a.scores.values()) >= 0.5 for a in out)


def test_scores_and_posteriors_survive_save_and_load(tmp_path: Path) -> None:
    pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")] * 5
    aligner = Eflomal(symmetrize="posterior-mean", scores=True, **FAST)
    trained = aligner.fit_align(pairs)
    aligner.save(tmp_path / "m")
    loaded = Aligner.load(tmp_path / "m")
    again = loaded.align([*pairs, ("das haus", "ina chasa")])
    assert list(again[: len(pairs)]) == list(trained)
    assert [a.scores for a in again[: len(pairs)]] == [a.scores for a in trained]
    assert again[-1].scores is not None


def test_posteriors_asked_of_a_model_trained_without_them() -> None:
    pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")] * 5
    aligner = Eflomal(**FAST).fit(pairs)
    aligner.set_params(scores=True)
    out = aligner.align(pairs[:3])
    assert all(a.scores is not None and set(a.scores) == set(a.sure) for a in out)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"lex_alpha": 0.0}, "lex_alpha"),
        ({"jump_alpha": -1.0}, "jump_alpha"),
        ({"posterior_threshold": 0.0}, "posterior_threshold"),
        ({"posterior_threshold": 0.3, "posterior_grow_threshold": 0.5}, "grow_threshold"),
    ],
)
def test_bad_posterior_and_dirichlet_parameters(params: dict[str, float], match: str) -> None:
    with pytest.raises(WordalignError, match=match):
        Eflomal(**params, **FAST).fit([("a", "b")])
