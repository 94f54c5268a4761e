"""awesome-align's robust options and threshold sweep through a real (tiny, random) encoder, in
Python and on the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from wordalign.aligners.embedding import AwesomeAlign
from wordalign.cli.main import main
from wordalign.evaluation.metrics import evaluate
from wordalign.types import Alignment, SentencePair

LAYER = 2  # the tiny models' last layer (tests/conftest.py)

TEXTS = [
    ("das Haus ist klein", "la chasa è pitschna"),
    ("ein kleines Haus", "ina pitschna chasa"),
    ("", "nagut"),
    ("der Hund schläft im Haus", "il chaun dorma en chasa"),
]
PAIRS = [SentencePair(src.split(), tgt.split()) for src, tgt in TEXTS]
GOLD = [
    Alignment([(0, 0), (1, 1), (2, 2), (3, 3)]),
    Alignment([(0, 0), (1, 1), (2, 2)]),
    Alignment(),
    Alignment([(0, 0), (1, 1), (2, 2), (4, 4)], [(3, 3)]),
]
ROBUST = {"similarity": "cosine", "center": True}


def _write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    bitext = tmp_path / "pairs.tsv"
    bitext.write_text("".join(f"{' '.join(p.src)}\t{' '.join(p.tgt)}\n" for p in PAIRS), "utf-8")
    gold = tmp_path / "gold.txt"
    gold.write_text("".join(a.to_pharaoh() + "\n" for a in GOLD), "utf-8")
    return bitext, gold


def test_sweep_through_the_encoder_equals_aligning(tiny_model_dir: Path) -> None:
    thresholds = [0.001, 0.1, 0.3, 0.5]
    aligner = AwesomeAlign(
        model=str(tiny_model_dir), layer=LAYER, device="cpu", progress=False, **ROBUST
    )
    curves = aligner.sweep(PAIRS, GOLD, thresholds, temperatures=[0.05, 1.0])
    for temperature, curve in curves.curves:
        for row in curve.rows:
            aligner.set_params(threshold=row.threshold, temperature=temperature)
            assert row.result == evaluate(GOLD, aligner.align(PAIRS))


def test_align_cli_robust_flags_match_the_python_api(tiny_model_dir: Path, tmp_path: Path) -> None:
    bitext, _ = _write_inputs(tmp_path)
    out = tmp_path / "out.txt"
    argv = ["align", "--method", "awesome", "--model", str(tiny_model_dir), "--bitext", str(bitext)]
    argv += ["--device", "cpu", "--layer", str(LAYER), "--similarity", "cosine", "--center"]
    argv += ["--temperature", "0.1", "--threshold", "0.2", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    aligner = AwesomeAlign(
        model=str(tiny_model_dir), layer=LAYER, device="cpu", temperature=0.1, threshold=0.2,
        **ROBUST,
    )  # fmt: skip
    expected = [a.to_pharaoh() for a in aligner.align(PAIRS)]
    assert out.read_text(encoding="utf-8").splitlines() == expected


def test_tune_cli_prints_and_plots_the_best_setting(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wordalign.cli import tune

    bitext, gold = _write_inputs(tmp_path)
    parser = argparse.ArgumentParser(prog="wordalign")
    tune.add_parser(parser.add_subparsers())  # `wordalign tune` once main.py lists it
    argv = ["tune", "--model", str(tiny_model_dir), "--bitext", str(bitext), "--gold", str(gold)]
    argv += ["--layer", str(LAYER), "--device", "cpu", "--similarity", "cosine", "--center"]
    argv += ["--temperatures", "0.05,0.5", "--thresholds", "0.001,0.1:0.5:0.2", "--no-progress"]
    assert tune.run(parser.parse_args([*argv, "--json"])) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["temperature"] for c in result["curves"]] == [0.05, 0.5]
    assert [r["threshold"] for r in result["curves"][0]["rows"]] == [0.001, 0.1, 0.3, 0.5]
    expected = AwesomeAlign(
        model=str(tiny_model_dir), layer=LAYER, device="cpu", progress=False, **ROBUST
    ).sweep(PAIRS, GOLD, [0.001, 0.1, 0.3, 0.5], [0.05, 0.5])
    temperature, row = expected.best()
    assert result["best"] == {"temperature": temperature, **row.to_dict()}
    assert tune.run(parser.parse_args(argv)) == 0
    assert (
        f"best: temperature {temperature:g}, threshold {row.threshold:g}" in capsys.readouterr().out
    )
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib")
    picture = tmp_path / "curve.svg"
    assert tune.run(parser.parse_args([*argv, "--plot", str(picture)])) == 0
    assert picture.read_text(encoding="utf-8").lstrip().startswith("<?xml")
