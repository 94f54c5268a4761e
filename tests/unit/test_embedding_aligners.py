"""The embedding aligners' estimator contract: registry names, parameters, persistence, errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.embedding import AwesomeAlign, SimAlign, SimAlignItermax, SimAlignMatch
from wordalign.errors import MissingDependencyError, UnknownNameError
from wordalign.registry import get_aligner


@pytest.mark.parametrize("method", ["argmax", "itermax", "match"])
def test_registered_names_preset_the_method(method: str) -> None:
    aligner = get_aligner(f"simalign-{method}", model="xlmr", level="word", layer=6)
    assert isinstance(aligner, SimAlign)
    assert aligner.method == method
    assert aligner.name == f"simalign-{method}"
    assert "method" not in aligner.get_params()
    assert aligner.get_params()["level"] == "word"
    assert not aligner.trainable and aligner.is_fitted()


def test_awesome_is_registered() -> None:
    aligner = get_aligner("awesome", threshold=0.01, extraction="entmax15")
    assert isinstance(aligner, AwesomeAlign)
    assert aligner.get_params()["threshold"] == 0.01


def test_construction_loads_nothing() -> None:
    aligner = SimAlignMatch(model="no/such/model")  # would fail if it loaded anything
    assert repr(aligner).startswith("SimAlignMatch(model='no/such/model'")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    aligner = SimAlignItermax(model="mbert", level="word", distortion=0.5, batch_size=8)
    loaded = Aligner.load(aligner.save(tmp_path / "m"))
    assert type(loaded) is SimAlignItermax
    assert loaded.get_params() == aligner.get_params()
    general = Aligner.load(SimAlign(method="argmax").save(tmp_path / "g"))
    assert isinstance(general, SimAlign) and general.method == "argmax"


def test_bad_parameters_are_user_errors() -> None:
    with pytest.raises(UnknownNameError, match="SimAlign method"):
        SimAlign(method="greedy").align([("a", "b")])  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="SimAlign level"):
        SimAlign(level="char").align([("a", "b")])  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="extraction"):
        AwesomeAlign(extraction="sparsemax").align([("a", "b")])  # type: ignore[arg-type]


def test_all_empty_input_needs_no_model() -> None:
    assert [len(a) for a in SimAlign(model="no/such/model").align([("", ""), ("a", "")])] == [0, 0]


def test_missing_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes "import torch" fail
    with pytest.raises(MissingDependencyError, match=r"pip install wordalign\[neural\]"):
        SimAlign(model="mbert").align([("das Haus", "la chasa")])
