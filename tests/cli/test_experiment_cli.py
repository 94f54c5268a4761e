"""CLI tests of ``wordalign experiment learning-curve`` on synthetic data."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordalign.cli.main import main


def _write_data(root: Path) -> tuple[Path, Path]:
    gold = root / "data" / "gold_standard"
    gold.mkdir(parents=True)
    (gold / "alignments_src_text.txt").write_text("0\tdas haus\n2\tdas buch\n", encoding="utf-8")
    (gold / "alignments_trg_text.txt").write_text("0\tla chasa\n2\til cudesch\n", encoding="utf-8")
    (gold / "alignments_pharaoh.txt").write_text("0\t0-0 1-1\n2\t0-0 1-1\n", encoding="utf-8")
    pairs = root / "de-rm.tsv"
    pairs.write_text(
        "ein buch\tin cudesch\nein haus\tina chasa\ndas haus ist klein\tla chasa è pitschna\n",
        encoding="utf-8",
    )
    return root / "data", pairs


def test_experiment_cli_learning_curve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, pairs = _write_data(tmp_path)
    out = tmp_path / "out"
    args = ["experiment", "learning-curve", "--data", str(data), "--pairs-file", str(pairs)]
    args += ["--sizes", "0,all", "--methods", "fastalign", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    assert "| fastalign | 3 (all) | 5 |" in capsys.readouterr().out
    assert (out / "learning_curve.csv").is_file() and (out / "learning_curve.svg").is_file()
    assert main(args) == 2  # refuses to overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pairs-file", "missing.tsv"], "no such file"),
        (["--sizes", "x"], "bad size"),
        (["--methods", "nosuch"], "nosuch"),
    ],
)
def test_experiment_cli_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    data, pairs = _write_data(tmp_path)
    args = ["experiment", "learning-curve", "--data", str(data), "--pairs-file", str(pairs)]
    args += ["--out", str(tmp_path / "out"), "--no-progress", *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_experiment_cli_missing_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, pairs = _write_data(tmp_path)
    args = ["experiment", "learning-curve", "--data", str(tmp_path / "nowhere")]
    args += ["--pairs-file", str(pairs), "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "gold standard file not found" in capsys.readouterr().err
