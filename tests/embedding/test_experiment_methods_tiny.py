"""The methods experiment on the tiny random BERT and XLM-R (no download).

Checks that sharing one forward pass between all methods and levels gives the same links as
each aligner on its own, that the CLI skips a model it cannot load with one line, and runs the
experiment on a few DE-RM gold pairs when the data is present.
"""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from wordalign.aligners.embedding import AwesomeAlign, SimAlign
from wordalign.cli.main import main
from wordalign.experiments import methods as experiment
from wordalign.io.bitext import read_parallel
from wordalign.io.pharaoh import read_pharaoh
from wordalign.types import Alignment, SentencePair

LAYER = 2  # the tiny models' last layer (see conftest.py)


def test_shared_embeddings_give_each_aligners_own_links(
    tiny_model_dir: Path,
    tiny_xlmr_dir: Path,
    toy_pairs: list[SentencePair],
    toy_gold: list[Alignment],
) -> None:
    models = [str(tiny_model_dir), str(tiny_xlmr_dir)]
    run = experiment.run_methods(
        toy_pairs, toy_gold, models, layer=LAYER, device="cpu", progress=False
    )
    assert [r.system for r in run.results] == experiment.planned_systems(models)
    methods = ("argmax", "itermax", "match")
    for model, level, method in itertools.product(models, experiment.LEVELS, methods):
        aligner = SimAlign(model=model, method=method, level=level, layer=LAYER, device="cpu")  # type: ignore[arg-type]
        own = aligner.align(toy_pairs)
        assert run.predictions[f"{model}:{level}:{method}"] == own
    for model in models:
        own = AwesomeAlign(model=model, layer=LAYER, device="cpu", progress=False).align(toy_pairs)
        assert run.predictions[f"{model}:awesome"] == own
    assert run.predictions[f"{models[0]}:word:match"][2] == Alignment()
    for row in run.results:
        assert 0.0 <= row.aer <= 1.0 and row.paper is None and row.embed_seconds > 0


def test_cli_skips_a_model_it_cannot_load(
    tmp_path: Path,
    tiny_model_dir: Path,
    toy_data_dir: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # answer at once instead of probing the hub
    data = toy_data_dir(index=True)
    out = tmp_path / "out"
    args = ["experiment", "methods", "--models", f"no-such-model,{tiny_model_dir}"]
    args += ["--finetuned", str(tiny_model_dir), "--layer", str(LAYER), "--device", "cpu"]
    args += ["--data", str(data), "--out", str(out), "--pictures", "0,6", "--no-progress"]
    assert main(args) == 0
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("wordalign: no-such-model: cannot load model 'no-such-model'")
    assert f"| {tiny_model_dir}:word:itermax |" in captured.out
    payload = json.loads((out / "methods.json").read_text(encoding="utf-8"))
    assert len(payload["results"]) == 8 and payload["skipped"][0]["model"] == "no-such-model"
    svgs = sorted((out / "pictures").glob("*.svg"))
    assert [p.name.split("_")[0] for p in svgs] == ["sentence-0", "sentence-6"]
    for svg in svgs:
        assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        png = svg.with_suffix(".png")
        assert not png.exists() or png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_methods_on_dermit_gold_pairs(tiny_model_dir: Path, gold_files: dict[str, Path]) -> None:
    pairs = list(itertools.islice(read_parallel(gold_files["src"], gold_files["tgt"]), 20))
    gold = list(itertools.islice(read_pharaoh(gold_files["alignments"]), 20))
    run = experiment.run_methods(
        pairs,
        gold,
        [str(tiny_model_dir)],
        levels=["subword"],
        methods=["match", "awesome"],
        layer=LAYER,
        device="cpu",
        progress=False,
    )
    match = run.result(f"{tiny_model_dir}:subword:match")
    own = SimAlign(model=str(tiny_model_dir), method="match", layer=LAYER, device="cpu")
    assert run.predictions[match.system] == own.align(pairs)
    from wordalign.evaluation.metrics import evaluate

    assert match.aer == evaluate(gold, own.align(pairs)).aer
    assert 0.0 < match.aer < 1.0
