"""wordalign's SimAlign gives the PyPI simalign package's links on the same (tiny) model."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from wordalign.aligners.embedding import SimAlign
from wordalign.io.bitext import read_parallel
from wordalign.types import SentencePair

LAYER = 2  # the tiny models' last layer (see conftest.py)

simalign = pytest.importorskip(
    "simalign", reason="the reference package is not installed: pip install wordalign[peers]"
)

N_PAIRS = 300
N_MATCH = 120  # networkx's blossom matching is slow; a subset keeps the test fast


@pytest.fixture(scope="module")
def gold_pairs(gold_files: dict[str, Path]) -> list[SentencePair]:
    pairs = list(read_parallel(gold_files["src"], gold_files["tgt"]))
    assert len(pairs) >= N_PAIRS
    return pairs[:N_PAIRS]


def _reference(model_dir: Path, token_type: str, methods: str, pairs: list[SentencePair]):
    logging.getLogger("simalign").setLevel(logging.WARNING)
    aligner = simalign.SentenceAligner(
        model=str(model_dir), token_type=token_type, matching_methods=methods, layer=LAYER
    )
    return [aligner.get_word_aligns(list(p.src), list(p.tgt)) for p in pairs]


@pytest.mark.data
@pytest.mark.parametrize(("level", "token_type"), [("subword", "bpe"), ("word", "word")])
def test_links_equal_simalign(
    tiny_model_dir: Path, gold_pairs: list[SentencePair], level: str, token_type: str
) -> None:
    reference = _reference(tiny_model_dir, token_type, "ai", gold_pairs)
    for method, key in (("argmax", "inter"), ("itermax", "itermax")):
        ours = SimAlign(
            model=str(tiny_model_dir), method=method, level=level, layer=LAYER, device="cpu"
        ).align(gold_pairs)
        mismatches = [
            k for k, (a, r) in enumerate(zip(ours, reference, strict=True)) if sorted(a) != r[key]
        ]
        assert not mismatches, (
            f"{method}/{level}: {len(mismatches)} pairs differ, first {mismatches[:5]}"
        )
        assert sum(len(a) for a in ours) > len(gold_pairs)  # not trivially empty


@pytest.mark.data
@pytest.mark.parametrize(("level", "token_type"), [("subword", "bpe"), ("word", "word")])
def test_match_equals_simalign(
    tiny_model_dir: Path, gold_pairs: list[SentencePair], level: str, token_type: str
) -> None:
    pairs = gold_pairs[:N_MATCH]
    reference = _reference(tiny_model_dir, token_type, "m", pairs)
    ours = SimAlign(
        model=str(tiny_model_dir), method="match", level=level, layer=LAYER, device="cpu"
    ).align(pairs)
    mismatches = [
        k for k, (a, r) in enumerate(zip(ours, reference, strict=True)) if sorted(a) != r["mwmf"]
    ]
    assert not mismatches, f"match/{level}: {len(mismatches)} pairs differ, first {mismatches[:5]}"


@pytest.mark.data
def test_distortion_equals_simalign(tiny_model_dir: Path, gold_pairs: list[SentencePair]) -> None:
    pairs = gold_pairs[:100]
    aligner = simalign.SentenceAligner(
        model=str(tiny_model_dir),
        token_type="bpe",
        matching_methods="i",
        layer=LAYER,
        distortion=0.5,
    )
    reference = [aligner.get_word_aligns(list(p.src), list(p.tgt))["itermax"] for p in pairs]
    ours = SimAlign(
        model=str(tiny_model_dir), method="itermax", layer=LAYER, device="cpu", distortion=0.5
    ).align(pairs)
    assert [sorted(a) for a in ours] == reference
