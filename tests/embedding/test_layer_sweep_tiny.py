"""The layer sweep on the tiny random BERT (no download): ``Encoder.embed_layers`` gives each
layer the vectors of an encoder loaded at that layer, the sweep's rows are the methods
experiment's at each layer, and ``wordalign experiment methods --layers`` writes its files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from wordalign.cli.main import main
from wordalign.embed.encoder import load_encoder
from wordalign.errors import WordalignError
from wordalign.experiments import layers as sweeps
from wordalign.experiments import methods as experiment
from wordalign.types import Alignment, SentencePair


def _sentences(pairs: list[SentencePair]) -> list[list[str]]:
    return [list(p.src) for p in pairs] + [list(p.tgt) for p in pairs]


@pytest.mark.parametrize("fixture", ["tiny_model_dir", "short_model_dir"])
def test_embed_layers_equal_embed_at_each_layer(
    request: pytest.FixtureRequest, fixture: str, toy_pairs: list[SentencePair]
) -> None:
    model: Path = request.getfixturevalue(fixture)
    # 90 words: the short model (64 subwords) embeds this sentence in overlapping windows.
    sentences = [*_sentences(toy_pairs), ["kastergen", "ri", "lala"] * 30]
    full = load_encoder(model, "cpu", layer=2, batch_size=3)
    by_layer = full.embed_layers(sentences, [2, 0, 1, 2])
    assert list(by_layer) == [2, 0, 1]
    assert [len(v) for v in by_layer.values()] == [len(sentences)] * 3
    # Layer 0 is not compared: an encoder loaded at layer 0 keeps no transformer layer, and
    # transformers 5 then returns no hidden states at all (Encoder.embed fails there).
    for layer in (1, 2):
        alone = load_encoder(model, "cpu", layer=layer, batch_size=3).embed(sentences)
        assert len(by_layer[layer]) == len(sentences)
        for ours, own in zip(by_layer[layer], alone, strict=True):
            np.testing.assert_array_equal(ours.vectors, own.vectors)
            np.testing.assert_array_equal(ours.word_ids, own.word_ids)
            assert ours.n_words == own.n_words


def test_embed_layers_refuses_layers_the_encoder_dropped(
    tiny_model_dir: Path, toy_pairs: list[SentencePair]
) -> None:
    encoder = load_encoder(tiny_model_dir, "cpu", layer=1)
    with pytest.raises(WordalignError, match=r"layer 2 is not available: .*layer=1"):
        encoder.embed_layers(_sentences(toy_pairs), [1, 2])
    with pytest.raises(WordalignError, match="layer -1 is not available"):
        encoder.embed_layers(_sentences(toy_pairs), [-1])


def test_sweep_rows_equal_the_methods_experiment_at_each_layer(
    tiny_model_dir: Path, toy_pairs: list[SentencePair], toy_gold: list[Alignment]
) -> None:
    model = str(tiny_model_dir)
    sweep = sweeps.run_layer_sweep(
        toy_pairs, toy_gold, [model], [1, 2, 0], device="cpu", progress=False
    )
    assert sweep.layers == [0, 1, 2] and sweep.n_pairs == len(toy_pairs)
    assert len(sweep.results) == 3 * 7  # 3 layers x (3 methods x 2 levels + awesome)
    for layer in (1, 2):  # run_methods cannot load layer 0 (see the test above)
        run = experiment.run_methods(
            toy_pairs, toy_gold, [model], layer=layer, device="cpu", progress=False
        )
        for row in run.results:
            swept = sweep.at(row.system, layer)
            assert swept is not None
            assert (swept.precision, swept.recall, swept.aer) == (
                row.precision,
                row.recall,
                row.aer,
            )
    best = sweep.best()
    assert set(best) == set(experiment.planned_systems([model]))
    for system, row in best.items():
        rows = sweep.series()[system]
        assert row.aer == min(r.aer for r in rows)
        assert row.layer == min(r.layer for r in rows if r.aer == row.aer)
    assert all(r.embed_seconds > 0 and r.pairs_per_second > 0 for r in sweep.results)


def test_sweep_skips_a_model_it_cannot_load(
    tiny_model_dir: Path,
    toy_pairs: list[SentencePair],
    toy_gold: list[Alignment],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    skipped = []
    sweep = sweeps.run_layer_sweep(
        toy_pairs,
        toy_gold,
        ["no-such-model", str(tiny_model_dir)],
        [2],
        levels=["word"],
        methods=["match"],
        device="cpu",
        progress=False,
        on_skip=skipped.append,
    )
    assert [s.model for s in skipped] == ["no-such-model"] == [s.model for s in sweep.skipped]
    assert [r.series for r in sweep.results] == [f"{tiny_model_dir}:word:match"]
    with pytest.raises(WordalignError, match="none of the models could be loaded"):
        sweeps.run_layer_sweep(toy_pairs, toy_gold, ["no-such-model"], [2], progress=False)


def test_sweep_beyond_the_models_depth_skips_it(
    tiny_model_dir: Path, toy_pairs: list[SentencePair], toy_gold: list[Alignment]
) -> None:
    skipped = []
    with pytest.raises(WordalignError, match="none of the models could be loaded"):
        sweeps.run_layer_sweep(
            toy_pairs,
            toy_gold,
            [str(tiny_model_dir)],
            [2, 3],
            device="cpu",
            progress=False,
            on_skip=skipped.append,
        )
    [item] = skipped
    assert "layer 3" in item.reason and "2 layers" in item.reason  # the loader's own words


def test_cli_layer_sweep_writes_tables_and_plot(
    tmp_path: Path,
    tiny_model_dir: Path,
    toy_data_dir: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = toy_data_dir()
    out = tmp_path / "out"
    args = ["experiment", "methods", "--models", str(tiny_model_dir), "--layers", "1-2"]
    args += ["--device", "cpu", "--data", str(data), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# Layer sweep: embedding aligners on DE-RM")
    assert printed == (out / "layers.md").read_text(encoding="utf-8")
    assert "| tiny-bert0:subword:match |" in printed and "layers 1-2" in printed
    payload = json.loads((out / "layers.json").read_text(encoding="utf-8"))
    assert payload["layers"] == [1, 2] and len(payload["results"]) == 14
    assert set(payload["best"]) == set(experiment.planned_systems([str(tiny_model_dir)]))
    csv_lines = (out / "layers.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0].startswith("system,model,layer,level,method,") and len(csv_lines) == 15
    svg = out / "layers.svg"
    if svg.exists():  # matplotlib installed
        assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        assert (out / "layers.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert main(args) == 2  # results there already, no --overwrite
    assert "use --overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite", "--statistical", "x.tsv"]) == 2
    assert "--statistical does not go with --layers" in capsys.readouterr().err


LAYER_CASES = [
    ("4-12", list(range(4, 13))),
    ("8", [8]),
    ("2, 4-6,4", [2, 4, 5, 6]),
    ("12-12,0", [0, 12]),
]


@pytest.mark.parametrize(("text", "expected"), LAYER_CASES)
def test_parse_layers(text: str, expected: list[int]) -> None:
    assert sweeps.parse_layers(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no layer given"),
        ("eight", "bad layer 'eight'"),
        ("12-4", "bad layer range '12-4'"),
        ("4-x", "bad layer '4-x'"),
    ],
)
def test_parse_layers_errors(text: str, message: str) -> None:
    with pytest.raises(WordalignError, match=message):
        sweeps.parse_layers(text)


def test_layer_result_paper_numbers() -> None:
    row = sweeps.LayerResult("m", 8, "subword", "match", 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 10)
    assert row.paper("mbert") == experiment.PAPER_TABLE5[("mbert", "subword", "match")]
    assert row.paper("xlmr") == experiment.PAPER_TABLE5[("xlmr", "subword", "match")]
    word = sweeps.LayerResult("m", 8, "word", "match", 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 10)
    assert word.paper("mbert") is None  # not in the paper's Table 5
    awesome = sweeps.LayerResult("m", 8, "subword", "awesome", 0, 0, 0, 1, 1.0, 1.0, 10)
    assert awesome.paper("mbert") == experiment.PAPER_TABLE2["awesome"]
    assert awesome.paper("xlmr") is None and awesome.series == "m:awesome"
    assert row.pairs_per_second == 5.0
