"""Tests of the aligner contract in wordalign.aligners.base, on small aligners defined here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wordalign.aligners.base import Aligner, as_pairs
from wordalign.errors import NotFittedError, WordalignError
from wordalign.types import Alignment, SentencePair


class Diagonal(Aligner):
    """Links token k to token k; not trainable."""

    name = "diagonal"

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        return [
            Alignment((k, k) for k in range(min(len(p.src), len(p.tgt), self.limit))) for p in pairs
        ]


class Shift(Aligner):
    """Learns the most frequent length difference and links k to k + shift."""

    name = "shift"
    trainable = True

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def _fit(self, pairs: list[SentencePair]) -> None:
        diffs = [len(p.tgt) - len(p.src) for p in pairs]
        self.shift_ = np.array([max(set(diffs), key=diffs.count) + self.offset])

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        shift = int(self.shift_[0])
        return [
            Alignment((k, k + shift) for k in range(len(p.src)) if 0 <= k + shift < len(p.tgt))
            for p in pairs
        ]

    def _state(self) -> dict[str, Any]:
        return {"shift_": self.shift_} if hasattr(self, "shift_") else {}

    def _set_state(self, state: dict[str, Any]) -> None:
        self.shift_ = state["shift_"]


@pytest.fixture
def shift_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from wordalign import registry

    monkeypatch.setitem(registry.ALIGNERS, "shift", f"{__name__}:Shift")


def test_aligners_base_as_pairs_accepts_strings_tokens_and_pairs() -> None:
    pair = SentencePair(("a",), ("b",))
    got = as_pairs([("a b", "c"), (["x"], ("y", "z")), pair])
    assert got == [
        SentencePair(("a", "b"), ("c",)),
        SentencePair(("x",), ("y", "z")),
        pair,
    ]


def test_aligners_base_params_and_repr() -> None:
    aligner = Diagonal(limit=3)
    assert aligner.get_params() == {"limit": 3}
    assert repr(aligner) == "Diagonal(limit=3)"
    assert aligner.set_params(limit=1) is aligner and aligner.limit == 1
    with pytest.raises(ValueError, match="no parameter 'nope'"):
        aligner.set_params(nope=1)


def test_aligners_base_fit_returns_self_and_align_keeps_order() -> None:
    aligner = Diagonal(limit=2)
    assert aligner.fit([("a", "b")]) is aligner
    out = aligner.align([("a b c", "x y z"), ("", "x"), ("a", "x")])
    assert [a.to_pharaoh() for a in out] == ["0-0 1-1", "", "0-0"]


def test_aligners_base_trainable_aligner_refuses_to_align_before_fit() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        Shift().align([("a", "b")])


def test_aligners_base_save_load_round_trip(tmp_path: Path, shift_registered: None) -> None:
    pairs = [("a b", "x a b"), ("c", "x c"), ("d e f", "d e f g")]
    aligner = Shift(offset=0).fit(pairs)
    expected = aligner.align(pairs)
    folder = aligner.save(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    assert config["aligner"] == "shift"
    assert config["params"] == {"offset": 0}
    assert "wordalign_version" in config
    loaded = Aligner.load(folder)
    assert isinstance(loaded, Shift)
    assert loaded.align(pairs) == expected


def test_aligners_base_load_reports_a_folder_without_model(tmp_path: Path) -> None:
    with pytest.raises(WordalignError, match="not a wordalign model"):
        Aligner.load(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(WordalignError, match=r"config\.json: not a wordalign model config"):
        Aligner.load(tmp_path)


def test_aligners_base_save_refuses_an_untrained_model(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        Shift().save(tmp_path / "m")
