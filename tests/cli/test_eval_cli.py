"""Tests of ``wordalign eval``: in-process through ``main([...])`` and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wordalign.cli.main import main

JSON_KEYS = {"precision", "recall", "f1", "aer", "pred_links", "sure_links", "possible_links"}

# Sentence 1: A = {0-0, 2-2, 1-2}, S = {0-0, 1-1}, P = S + {2-2}: |A∩S| = 1, |A∩P| = 2.
# Sentence 2: A = {}, S = P = {0-0}. Summed: |A| = 3, |S| = 3, |P| = 4, |A∩S| = 1, |A∩P| = 2,
# so precision 2/3, recall 1/3, F1 4/9, AER 1 - 3/6.
GOLD = "0-0 1-1 2p2\n0-0\n"
PRED = "0-0 2-2 1-2\n\n"
EXPECTED = {
    "precision": 2 / 3,
    "recall": 1 / 3,
    "f1": 4 / 9,
    "aer": 0.5,
    "pred_links": 3,
    "sure_links": 3,
    "possible_links": 4,
    "sentences": 2,
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "gold": tmp_path / "gold.txt",
        "pred": tmp_path / "pred.txt",
        "src": tmp_path / "text.src",
        "tgt": tmp_path / "text.tgt",
    }
    paths["gold"].write_text(GOLD)
    paths["pred"].write_text(PRED)
    paths["src"].write_text("a b c\nd\n")
    paths["tgt"].write_text("x y z\nw\n")
    return paths


def _eval(files: dict[str, Path], *extra: str) -> list[str]:
    return ["eval", "--gold", str(files["gold"]), "--pred", str(files["pred"]), *extra]


def test_eval_cli_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_eval(files), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert JSON_KEYS | {"sentences"} <= set(data)
    for key, value in EXPECTED.items():
        assert data[key] == pytest.approx(value, abs=1e-12), key


def test_eval_cli_table(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_eval(files, "--src", str(files["src"]), "--tgt", str(files["tgt"]))) == 0
    rows = dict(line.split() for line in capsys.readouterr().out.splitlines())
    assert rows == {
        "precision": "0.6667",
        "recall": "0.3333",
        "f1": "0.4444",
        "aer": "0.5000",
        "pred_links": "3",
        "sure_links": "3",
        "possible_links": "4",
        "sentences": "2",
    }


def test_eval_cli_per_sentence_report(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report" / "per_sentence.tsv"
    assert main([*_eval(files), "--per-sentence", str(report)]) == 0
    rows = [line.split("\t") for line in report.read_text().splitlines()]
    assert rows[0] == [
        "index",
        "precision",
        "recall",
        "f1",
        "aer",
        "pred_links",
        "sure_links",
        "possible_links",
        "a_and_s",
        "a_and_p",
    ]
    # Sentence 1: P = 2/3, R = 1/2, F1 = 4/7, AER = 1 - 3/5; sentence 2: nothing predicted.
    assert rows[1] == ["0", "0.666667", "0.500000", "0.571429", "0.400000", "3", "2", "3", "1", "2"]
    assert rows[2] == ["1", "0.000000", "0.000000", "0.000000", "1.000000", "0", "1", "1", "0", "0"]
    assert [p.name for p in report.parent.iterdir()] == ["per_sentence.tsv"]  # no temp file left


def test_eval_cli_naacl_gold_with_bitext(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # The same gold as GOLD in NAACL form (1-based); a NULL link and sentence 2 at the end.
    naacl = tmp_path / "gold.wa"
    naacl.write_text("1 1 1 S\n1 2 2\n1 3 3 P\n1 0 2\n2 1 1\n")
    bitext = tmp_path / "text.txt"
    bitext.write_text("a b c ||| x y z\nd ||| w\n")
    args = ["eval", "--gold", str(naacl), "--gold-one-based", "--pred", str(files["pred"])]
    assert main([*args, "--bitext", str(bitext), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["aer"] == pytest.approx(0.5)
    assert data["possible_links"] == 4


ERROR_CASES = [
    # (gold text, pred text, extra arguments, expected message after "wordalign: error: ")
    (
        GOLD,
        "0-0\n",
        [],
        "sentence counts differ: {gold} has 2 sentences, {pred} has 1",
    ),
    (
        GOLD,
        "0-0\n1_1\n",
        [],
        "{pred}:2: bad link '1_1' (expected 'i-j', 'ipj', 'i?j' or 'i-j-score')",
    ),
    (
        GOLD,
        "1-1\n0-0\n",
        ["--pred-one-based"],
        "{pred}:2: link '0-0' has index 0 but the file is read as 1-based (drop --pred-one-based)",
    ),
    (
        "1-1 2-2 3-3\n1-1\n",
        PRED,
        ["--src", "{src}", "--tgt", "{tgt}"],
        "{gold}:1: link 3-3 is outside the sentence pair (3 source, 3 target tokens); "
        "if the file is 1-based, use --gold-one-based",
    ),
    (
        GOLD,
        PRED,
        ["--gold-one-based"],
        "{gold}:1: link '0-0' has index 0 but the file is read as 1-based (drop --gold-one-based)",
    ),
    (
        GOLD,
        "1 1 1\n3 1 1\n",
        ["--pred-one-based", "--src", "{src}", "--tgt", "{tgt}"],
        "{pred}:2: sentence id 3 is beyond the 2 sentence pairs of the text",
    ),
]


@pytest.mark.parametrize(
    ("gold", "pred", "extra", "message"),
    ERROR_CASES,
    ids=["count", "bad-link", "zero-in-one-based", "bounds", "gold-zero", "naacl-id"],
)
def test_eval_cli_user_errors_are_one_line_with_exit_code_2(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    gold: str,
    pred: str,
    extra: list[str],
    message: str,
) -> None:
    files["gold"].write_text(gold)
    files["pred"].write_text(pred)
    names = {key: str(path) for key, path in files.items()}
    assert main(_eval(files, *(arg.format(**names) for arg in extra))) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0] == "wordalign: error: " + message.format(**names)


def test_eval_cli_stdin_only_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--gold", "-", "--pred", "-"]) == 2
    assert capsys.readouterr().err == (
        "wordalign: error: only one of --gold and --pred can be '-' (stdin)\n"
    )


def test_eval_cli_missing_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    files["pred"].unlink()
    assert main(_eval(files)) == 2
    assert capsys.readouterr().err == f"wordalign: error: {files['pred']}: no such file\n"


def _subprocess(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "wordalign", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_eval_cli_subprocess_json_and_errors(files: dict[str, Path]) -> None:
    done = _subprocess(*_eval(files, "--json"))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["aer"] == pytest.approx(0.5)
    assert set(data) >= JSON_KEYS

    piped = _subprocess("eval", "--gold", str(files["gold"]), "--pred", "-", "--json", stdin=PRED)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout) == data

    files["pred"].write_text("0-0\n")
    done = _subprocess(*_eval(files, "--json"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"wordalign: error: sentence counts differ: {files['gold']} has 2 sentences, "
        f"{files['pred']} has 1\n"
    )
    assert "Traceback" not in done.stderr


@pytest.mark.data
def test_eval_cli_dermit_gold_against_itself(
    gold_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gold = str(gold_files["alignments"])
    texts = ["--src", str(gold_files["src"]), "--tgt", str(gold_files["tgt"])]
    assert main(["eval", "--gold", gold, "--pred", gold, *texts, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    n_lines = len(gold_files["alignments"].read_text(encoding="utf-8").splitlines())
    assert data["aer"] == 0.0
    assert data["precision"] == 1.0
    assert data["recall"] == 1.0
    assert data["sentences"] == n_lines
    assert data["pred_links"] == data["sure_links"] > 0


# Scored predictions for the threshold sweep (gold = GOLD): sentence 1 keeps 0-0 (0.9, Sure),
# 2-2 (0.6, Possible) and 1-2 (0.3, wrong); sentence 2 has 0-0 (0.5, Sure).
# t=0.2: |A| = 4, |A∩S| = 2, |A∩P| = 3: P 3/4, R 2/3, AER 1 - 5/7.
# t=0.4: |A| = 3, |A∩S| = 2, |A∩P| = 3: P 1, R 2/3, AER 1 - 5/6 (the best).
# t=0.7: |A| = 1, |A∩S| = 1, |A∩P| = 1: P 1, R 1/3, AER 1 - 2/4.
SCORED = "0-0-0.9 2-2-0.6 1-2-0.3\n0-0-0.5\n"


def _sweep(files: dict[str, Path], *extra: str) -> list[str]:
    files["pred"].write_text(SCORED)
    return _eval(files, "--thresholds", "0.2,0.4,0.7", *extra)


def test_eval_cli_sweep_table(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_sweep(files, "--src", str(files["src"]), "--tgt", str(files["tgt"]))) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines[:4]] == [
        ["threshold", "precision", "recall", "f1", "aer", "links"],
        ["0.2", "0.7500", "0.6667", "0.7059", "0.2857", "4"],
        ["0.4", "1.0000", "0.6667", "0.8000", "0.1667", "3"],
        ["0.7", "1.0000", "0.3333", "0.5000", "0.5000", "1"],
    ]
    assert lines[4] == (
        "best threshold by AER: 0.4 (precision 1.0000, recall 0.6667, f1 0.8000, aer 0.1667, "
        "3 links)"
    )
    assert len(lines) == 5


def test_eval_cli_sweep_default_thresholds(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["pred"].write_text(SCORED)
    assert main(_eval(files, "--sweep", "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["threshold"] for row in data["rows"]] == [round(0.05 * k, 2) for k in range(1, 20)]


def test_eval_cli_sweep_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_sweep(files), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert [row["threshold"] for row in data["rows"]] == [0.2, 0.4, 0.7]
    assert [row["pred_links"] for row in data["rows"]] == [4, 3, 1]
    assert [row["aer"] for row in data["rows"]] == pytest.approx([2 / 7, 1 / 6, 0.5])
    assert set(data["rows"][0]) >= JSON_KEYS
    assert data["best"]["threshold"] == 0.4
    assert data["best"]["aer"] == pytest.approx(1 / 6)


def test_eval_cli_sweep_one_based_pred(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["pred"].write_text("1-1-0.9 3-3-0.6 2-3-0.3\n1-1-0.5\n")
    args = ["eval", "--gold", str(files["gold"]), "--pred", str(files["pred"]), "--pred-one-based"]
    assert main([*args, "--thresholds", "0.2,0.4,0.7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"]["threshold"] == 0.4
    assert data["best"]["aer"] == pytest.approx(1 / 6)


def test_eval_cli_sweep_plot_svg(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    plot = tmp_path / "plots" / "sweep.svg"
    assert main([*_sweep(files), "--plot", str(plot)]) == 0
    assert capsys.readouterr().out.startswith("threshold")
    text = plot.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml")
    assert "<svg" in text
    assert [p.name for p in plot.parent.iterdir()] == ["sweep.svg"]  # no temp file left


SWEEP_ERRORS = [
    # (pred text, extra arguments, expected message after "wordalign: error: ")
    (
        "0-0-0.9 2-2-1.5\n0-0-0.5\n",
        [],
        "{pred}:1: link 2-2: score 1.5 is not a probability (outside [0, 1])",
    ),
    (
        "0-0-0.9 2-2-0.5\n0-0\n",
        [],
        "{pred}:2: link 0-0 has no score (a threshold sweep needs one on every link)",
    ),
    (SCORED, ["--thresholds", "0.5:0.1:0.1"], "bad thresholds '0.5:0.1:0.1' (expected "),
    (SCORED, ["--plot", "{tmp}/sweep.pdf"], "--plot {tmp}/sweep.pdf: the file name must end in"),
    (
        SCORED,
        ["--sweep", "--per-sentence", "{tmp}/x.tsv"],
        "--per-sentence cannot be combined with a threshold sweep",
    ),
    ("0-0-0.9\n", ["--sweep"], "sentence counts differ: {gold} has 2 sentences, {pred} has 1"),
]


@pytest.mark.parametrize(
    ("pred", "extra", "message"),
    SWEEP_ERRORS,
    ids=["out-of-range", "unscored", "bad-range", "plot-suffix", "per-sentence", "count"],
)
def test_eval_cli_sweep_errors_are_one_line_with_exit_code_2(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    pred: str,
    extra: list[str],
    message: str,
) -> None:
    files["pred"].write_text(pred)
    names = {"gold": str(files["gold"]), "pred": str(files["pred"]), "tmp": str(tmp_path)}
    args = [arg.format(**names) for arg in extra] or ["--sweep"]
    assert main(_eval(files, *args)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("wordalign: error: " + message.format(**names))


def test_eval_cli_sweep_naacl_pred_names_the_sentence(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    naacl = tmp_path / "pred.wa"
    naacl.write_text("1 1 1 S 0.9\n2 1 1 S 1.5\n")
    args = ["eval", "--gold", str(files["gold"]), "--pred", str(naacl), "--pred-one-based"]
    assert main([*args, "--sweep"]) == 2
    assert capsys.readouterr().err == (
        f"wordalign: error: {naacl}: sentence 2: link 1 1: score 1.5 is not a probability "
        "(outside [0, 1])\n"
    )


def test_eval_cli_sweep_plot_without_matplotlib(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes the import fail
    plot = tmp_path / "sweep.svg"
    assert main([*_sweep(files), "--plot", str(plot)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "wordalign: error: drawing a plot needs matplotlib: pip install 'wordalign[plot]'\n"
    )
    assert not plot.exists()


# -- index bases, wild links and huge ids (issue 14) -------------------------------------------

NAACL_GOLD_1 = "1 1 1 S\n1 2 2 S\n2 1 2 S\n2 2 1 P\n3 1 1 S\n"  # 3 pairs, 1-based
PRED_0 = "0-0 1-1\n0-1 1-0\n0-0\n"


def test_eval_cli_naacl_count_mismatch_suggests_gold_one_based(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["gold"].write_text(NAACL_GOLD_1)
    files["pred"].write_text(PRED_0)
    assert main(_eval(files)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"wordalign: error: sentence counts differ: {files['gold']} has 4 sentences, "
        f"{files['pred']} has 3; {files['gold']} has no sentence id 0: if its ids start at 1, "
        "use --gold-one-based"
    ]
    assert main(_eval(files, "--gold-one-based", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["aer"] == 0.0


def test_eval_cli_naacl_missing_trailing_pairs_suggest_the_texts(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["gold"].write_text("1 1 1 S\n")
    files["pred"].write_text(PRED_0)
    assert main(_eval(files, "--gold-one-based")) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "has 1 sentences" in lines[0]
    assert "give the texts (--bitext, or --src and --tgt)" in lines[0]


def test_eval_cli_huge_naacl_id_is_one_line(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["gold"].write_text(NAACL_GOLD_1 + "100000000 1 1 S\n")
    files["pred"].write_text(PRED_0)
    assert main(_eval(files, "--gold-one-based")) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"wordalign: error: {files['gold']}:6: sentence id 100000000 ")


def test_eval_cli_one_based_file_read_as_zero_based_warns(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    files["gold"].write_text("1-1 2-2\n1-2 2-1\n1-1\n")  # 1-based, read without the flag
    files["pred"].write_text(PRED_0)
    assert main(_eval(files, "--json")) == 0
    assert json.loads(capsys.readouterr().out)["aer"] > 0.5  # scored as asked, but ...
    assert [r.getMessage() for r in caplog.records] == [
        f"warning: {files['gold']}: no link uses position 0 in 3 sentence pairs with links: "
        "if the file is 1-based, use --gold-one-based"
    ]
    caplog.clear()
    assert main(_eval(files, "--gold-one-based", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["aer"] == 0.0
    assert caplog.records == []


def test_eval_cli_positions_shifted_by_one_warn(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Both files use position 0, but the pred agrees only when shifted by one.
    files["gold"].write_text("0-0 1-2 2-1 3-4 4-3\n" * 3)
    files["pred"].write_text("0-1 1-0 2-3 3-2\n" * 3)
    assert main(_eval(files)) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert messages[0].startswith(
        f"warning: {files['pred']} agrees with {files['gold']} far better with its positions "
        "shifted by +1 (12 links in common, 0 as read)"
    )
    assert "use --gold-one-based" in messages[0]


def test_eval_cli_link_far_beyond_the_gold_warns_without_texts(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    files["pred"].write_text("0-0 2-2 1-2\n0-999\n")
    assert main(_eval(files)) == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"warning: {files['pred']}:2: link 0-999 lies far beyond the gold links of its sentence "
        "pair (largest source position 0, target 0); give the texts (--bitext, or --src and "
        "--tgt) to check every link against its sentences"
    ]
    # With the texts it is an error, as before.
    caplog.clear()
    args = _eval(files, "--src", str(files["src"]), "--tgt", str(files["tgt"]))
    assert main(args) == 2
    assert "outside the sentence pair" in capsys.readouterr().err


def test_eval_cli_ordinary_files_give_no_warning(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(_eval(files)) == 0
    assert main(_eval(files, "--src", str(files["src"]), "--tgt", str(files["tgt"]))) == 0
    assert caplog.records == []


def test_eval_cli_per_sentence_output_checked_before_reading(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    files["gold"].unlink()  # would be the error if the output were not checked first
    assert main(_eval(files, "--per-sentence", str(tmp_path))) == 2
    assert capsys.readouterr().err == (
        f"wordalign: error: {tmp_path}: cannot write (it is a directory)\n"
    )
