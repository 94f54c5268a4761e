"""CLI tests of ``wordalign experiment methods`` on synthetic gold files.

Models are replaced by a stand-in encoder (one-hot vectors of each word's meaning class), so
these tests need neither torch nor a download; tests/embedding/test_experiment_methods_tiny.py
runs the same command on tiny real models.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy", reason="SimAlign's Match needs scipy (the neural extra)")

from wordalign.cli.main import main
from wordalign.embed.encoder import SentenceEmbedding
from wordalign.errors import WordalignError
from wordalign.experiments import methods as experiment

CLASSES = {"das": 0, "la": 0, "haus": 1, "chasa": 1, "buch": 2, "cudesch": 2, "il": 3}


class FakeEncoder:
    def embed(
        self, sentences: Sequence[Sequence[str]], *, show_progress: bool = False
    ) -> list[SentenceEmbedding]:
        out = []
        for words in sentences:
            vectors = np.zeros((len(words), 4), dtype=np.float32)
            for k, word in enumerate(words):
                vectors[k, CLASSES[word]] = 10.0
            out.append(SentenceEmbedding(vectors, np.arange(len(words)), len(words)))
        return out


@pytest.fixture(autouse=True)
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(model: str, *args: object) -> FakeEncoder:
        if model != "mbert":
            raise WordalignError(f"cannot load model {model!r}: no internet")
        return FakeEncoder()

    monkeypatch.setattr(experiment, "_load", load)


def _write_gold(root: Path) -> Path:
    gold = root / "data" / "gold_standard"
    gold.mkdir(parents=True)
    (gold / "alignments_src_text.txt").write_text("0\tdas haus\n2\tdas buch\n", encoding="utf-8")
    (gold / "alignments_trg_text.txt").write_text("0\tla chasa\n2\til cudesch\n", encoding="utf-8")
    (gold / "alignments_pharaoh.txt").write_text("0\t0-0 1-1\n2\t0-0 1-1\n", encoding="utf-8")
    return root / "data"


def _args(tmp_path: Path, *extra: str) -> list[str]:
    data = _write_gold(tmp_path) if not (tmp_path / "data").exists() else tmp_path / "data"
    return [
        *("experiment", "methods", "--data", str(data), "--out", str(tmp_path / "out")),
        *("--no-progress", *extra),
    ]


def test_methods_cli_runs_the_models_that_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(tmp_path, "--models", "mbert,xlmr", "--pictures", "2")
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["wordalign: xlmr: cannot load model 'xlmr': no internet"]
    # "il" has no translation in the stand-in's classes; every method links the rest.
    assert (
        "| mbert:subword:match | mbert | subword | match | 1.000 | 1.000 | 1.000 | 0.000 "
        "| 0.795 | 0.781 | 0.220 | -0.220 | Table 5 |" in captured.out
    )
    assert sum(line.startswith("| mbert:") for line in captured.out.splitlines()) == 7
    out = tmp_path / "out"
    for name in ("methods.md", "methods.csv", "methods.json", "methods.html"):
        assert (out / name).is_file()
    svg = out / "pictures" / "sentence-2_mbert-subword-argmax-vs-mbert-awesome.svg"
    assert ET.parse(svg).getroot().tag.endswith("svg")
    png = svg.with_suffix(".png")
    assert not png.exists() or png.read_bytes().startswith(b"\x89PNG")
    assert main(args) == 2  # refuses to overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite", "--compare", "mbert:word:match,mbert:awesome"]) == 0
    pictures = sorted(p.name for p in (out / "pictures").glob("*.svg"))
    assert "sentence-2_mbert-word-match-vs-mbert-awesome.svg" in pictures


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--models", "xlmr,other"], "none of the models could be loaded (xlmr, other)"),
        (["--levels", "char"], "unknown level 'char'"),
        (["--methods", "mwmf"], "unknown method 'mwmf'"),
        (["--pictures", "1"], "no gold sentence with ID '1'"),
        (["--compare", "mbert:awesome"], "expected two systems as A,B"),
        (["--compare", "eflomal,mbert:awesome"], "eflomal"),
        (["--statistical", "missing.tsv"], "missing.tsv: no such file"),
    ],
)
def test_methods_cli_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(_args(tmp_path, "--models", "mbert", *extra)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.splitlines()[-1].startswith("wordalign: error: ")


def test_methods_cli_statistical_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("das haus\tla chasa\nein buch\tin cudesch\n", encoding="utf-8")
    args = _args(tmp_path, "--models", "mbert", "--methods", "match", "--levels", "word")
    args += ["--statistical", str(pairs), "--statistical-methods", "ibm1", "--pictures", "0"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "| ibm1 | – | – | ibm1 |" in out
    assert (tmp_path / "out" / "pictures").is_dir()


def test_methods_cli_compare_with_a_skipped_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(tmp_path, "--models", "mbert,xlmr", "--methods", "awesome", "--pictures", "0")
    assert main([*args, "--compare", "xlmr:awesome,mbert:awesome"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "wordalign: xlmr: cannot load model 'xlmr': no internet",
        "wordalign: --compare xlmr:awesome,mbert:awesome: xlmr:awesome did not run; "
        "no picture for it",
    ]
    assert not (tmp_path / "out" / "pictures").exists()
