"""The hybrid aligner without an encoder (weight 0): exactly eflomal's posterior-mean."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_eflomal import synthetic_corpus  # tests/unit is on sys.path (rootdir-less)

from wordalign.aligners.base import Aligner
from wordalign.aligners.hybrid import Hybrid
from wordalign.aligners.statistical.eflomal import Eflomal
from wordalign.errors import NotFittedError, WordalignError
from wordalign.registry import get_aligner

FAST = {"rel_iterations": 0.2, "progress": False}


def test_weight_zero_is_eflomal_posterior_mean() -> None:
    pairs, _ = synthetic_corpus(60, reorder=True)
    hybrid = Hybrid(weight=0.0, random_state=3, scores=True, **FAST)
    eflomal = Eflomal(random_state=3, scores=True, **FAST)
    got = hybrid.fit_align(pairs)
    want = eflomal.fit_align(pairs)
    assert [a.links for a in got] == [a.links for a in want]
    assert [a.scores for a in got] == [a.scores for a in want]
    # new text goes through eflomal's priors the same way
    new = [p for p in synthetic_corpus(10, seed=9)[0]]
    assert [a.links for a in hybrid.align(new)] == [a.links for a in eflomal.align(new)]


def test_registered_and_saved(tmp_path: Path) -> None:
    pairs, _ = synthetic_corpus(30)
    aligner = get_aligner("hybrid", weight=0.0, **FAST)
    assert isinstance(aligner, Hybrid)
    links = aligner.fit_align(pairs)
    loaded = Aligner.load(aligner.save(tmp_path / "model"))
    assert isinstance(loaded, Hybrid) and loaded.get_params() == aligner.get_params()
    assert [a.links for a in loaded.align(pairs)] == [a.links for a in links]


def test_not_fitted_and_bad_params() -> None:
    with pytest.raises(NotFittedError):
        Hybrid(weight=0.0).align([("a", "b")])
    with pytest.raises(WordalignError, match="weight must be in"):
        Hybrid(weight=1.5).fit_align([("a", "b")])
    with pytest.raises(WordalignError, match="temperature must be > 0"):
        Hybrid(temperature=0.0).fit_align([("a", "b")])
