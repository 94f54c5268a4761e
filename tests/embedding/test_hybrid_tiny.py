"""The hybrid aligner with an encoder (the tiny random model): brute force and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from wordalign.aligners.hybrid import Hybrid
from wordalign.embed.encoder import load_encoder

LAYER = 2  # the tiny models' last layer (see conftest.py)

PAIRS = [
    ("Die Regierung hat das Gesetz beschlossen .", "La regenza ha decidì la lescha ."),
    ("Der Kanton Graubünden informiert", "Il chantun Grischun infurmescha"),
    ("Allen Kindern wird keine Impfung empfohlen", "Nagina vaccinaziun na vegn recumandada"),
    ("Das Gesetz", "La lescha"),
] * 3


def _softmax_rows(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def test_weight_one_is_the_encoder_alone(tiny_model_dir: Path) -> None:
    temperature, threshold, floor = 0.05, 0.3, 1e-2
    aligner = Hybrid(
        model=str(tiny_model_dir), layer=LAYER, weight=1.0, temperature=temperature,
        posterior_threshold=threshold, device="cpu", rel_iterations=0.2, progress=False,
    )  # fmt: skip
    got = aligner.fit_align(PAIRS)
    encoder = load_encoder(tiny_model_dir, "cpu", layer=LAYER)
    for (src, tgt), alignment in zip(PAIRS, got, strict=True):
        s, t = encoder.embed([src.split(), tgt.split()])
        xs, xt = s.word_vectors(), t.word_vectors()
        cos = (xs / np.linalg.norm(xs, axis=1, keepdims=True)) @ (
            xt / np.linalg.norm(xt, axis=1, keepdims=True)
        ).T
        forward = _softmax_rows(cos.T / temperature).T  # P(source i | target j), as (i, j)
        reverse = _softmax_rows(cos / temperature)
        forward[forward < floor] = 0.0
        reverse[reverse < floor] = 0.0
        mean = (forward + reverse) / 2
        want = {(int(i), int(j)) for i, j in zip(*np.nonzero(mean >= threshold), strict=True)}
        assert alignment.links == want


def test_encoder_evidence_changes_the_links(tiny_model_dir: Path) -> None:
    base = dict(model=str(tiny_model_dir), layer=LAYER, device="cpu", rel_iterations=0.2)
    statistical = Hybrid(weight=0.0, progress=False, **base).fit_align(PAIRS)  # type: ignore[arg-type]
    mixed = Hybrid(weight=0.6, progress=False, **base).fit_align(PAIRS)  # type: ignore[arg-type]
    assert [a.links for a in statistical] != [a.links for a in mixed]


def test_cli_hybrid_with_an_encoder_folder(tiny_model_dir: Path, tmp_path: Path) -> None:
    bitext = tmp_path / "pairs.tsv"
    bitext.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    out = tmp_path / "out.txt"
    command = [
        sys.executable, "-m", "wordalign", "align", "--method", "hybrid",
        "--model", str(tiny_model_dir), "--layer", str(LAYER), "--device", "cpu",
        "--param", "weight=0.5", "--bitext", str(bitext), "--out", str(out), "--no-progress",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(PAIRS) and any(lines)
    bad = subprocess.run(
        [*command[:-3], "--param", "weight=2", "--out", str(tmp_path / "x.txt")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "weight must be in [0, 1]" in bad.stderr


def test_evidence_is_reused_for_other_weights(tiny_model_dir: Path) -> None:
    base = dict(model=str(tiny_model_dir), layer=LAYER, device="cpu", rel_iterations=0.2)
    aligner = Hybrid(weight=0.3, progress=False, **base)  # type: ignore[arg-type]
    evidence = aligner.fit_evidence(PAIRS)
    for weight, threshold in ((0.3, 0.35), (0.8, 0.2)):
        fresh = Hybrid(
            weight=weight,
            posterior_threshold=threshold,
            progress=False,
            **base,  # type: ignore[arg-type]
        ).fit_align(PAIRS)
        aligner.set_params(weight=weight, posterior_threshold=threshold)
        assert [a.links for a in aligner.combine(evidence)] == [a.links for a in fresh]


def test_a_missing_layer_fails_before_training(tiny_model_dir: Path) -> None:
    import pytest

    from wordalign.errors import WordalignError

    aligner = Hybrid(model=str(tiny_model_dir), layer=9, device="cpu", progress=False)
    with pytest.raises(WordalignError, match="has no layer 9"):
        aligner.fit_align(PAIRS)
    assert not aligner.is_fitted()


def test_the_head_of_the_evidence_aligns_its_pairs_alike(tiny_model_dir: Path) -> None:
    aligner = Hybrid(
        model=str(tiny_model_dir), layer=LAYER, device="cpu", rel_iterations=0.2, progress=False
    )
    evidence = aligner.fit_evidence(PAIRS)
    whole = [a.links for a in aligner.combine(evidence)]
    for n in (0, 1, 5):
        assert [a.links for a in aligner.combine(evidence.head(n))] == whole[:n]
