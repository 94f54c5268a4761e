"""``wordalign finetune``: trains, resumes with a note on stderr, feeds ``align --model``, and
reports bad input in one line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="fine-tuning needs the neural extra (torch)")
pytest.importorskip("transformers", reason="fine-tuning needs the neural extra")


from wordalign.cli.main import main

PAIRS = [
    "ka lamun tsch ||| rister gen",
    "ai ü chà ||| kala ung ster",
    "mun ri ||| tschai gen lala",
    "ster ster ka ||| ü à",
    "||| ",
    "genung kari ||| chmun tsch",
]


def flags(model: Path, bitext: Path, out: Path, *extra: str) -> list[str]:
    argv = ["finetune", "--model", str(model), "--bitext", str(bitext), "--out", str(out)]
    return [*argv, "--align-layer", "1", "--device", "cpu", "--no-progress", *extra]


def test_finetune_cli_trains_resumes_and_the_model_aligns(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bitext = tmp_path / "pairs.txt"
    bitext.write_text("\n".join(PAIRS) + "\n", encoding="utf-8")
    out = tmp_path / "tuned"
    assert main(flags(tiny_model_dir, bitext, out, "--max-steps", "2", "--save-steps", "1")) == 0
    captured = capsys.readouterr()
    assert "left out 1 pair(s) with an empty side" in captured.err
    assert "fine-tuned on 5 pairs: step 2" in captured.out
    assert {p.name for p in out.glob("checkpoint-*")} == {"checkpoint-1", "checkpoint-2"}

    argv = flags(tiny_model_dir, bitext, out, "--max-steps", "4", "--save-steps", "1", "--json")
    assert main([*argv, "--mlm-vocab", "corpus"]) == 2  # another setting: refused
    capsys.readouterr()
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert f"wordalign: resuming from {out / 'checkpoint-2'} (step 2 of 4)" in captured.err
    assert "holds no optimizer state" in captured.err
    result = json.loads(captured.out)
    assert (result["start_step"], result["steps"]) == (2, 4)
    assert len(result["losses"]["tlm"]) == len(result["losses"]["so"]) == 4

    aligned = tmp_path / "out.pharaoh"
    argv = ["align", "--method", "awesome", "--model", str(out), "--bitext", str(bitext)]
    argv += ["--layer", "1", "--device", "cpu", "--no-progress", "--out", str(aligned)]
    assert main(argv) == 0
    lines = aligned.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(PAIRS) and lines[4] == "" and all(lines[:4])
    argv[2] = "simalign-argmax"
    assert main([*argv, "--overwrite"]) == 0
    lines = aligned.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(PAIRS) and lines[4] == "" and all(lines[:4])


def test_finetune_cli_bad_bitext_line_names_file_and_line(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bitext = tmp_path / "bad.txt"
    bitext.write_text("ka la ||| mun\nno separator here\n", encoding="utf-8")
    assert main(flags(tiny_model_dir, bitext, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err == (
        f"wordalign: error: {bitext}:2: expected exactly ' ||| ' between source and target\n"
    )
    assert not (tmp_path / "out").exists()


def test_finetune_cli_unknown_objective_is_one_line(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bitext = tmp_path / "pairs.txt"
    bitext.write_text("\n".join(PAIRS) + "\n", encoding="utf-8")
    argv = flags(tiny_model_dir, bitext, tmp_path / "out", "--objectives", "tlm,sso")
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "wordalign: error: unknown fine-tuning objective 'sso'; "
        "choose one of: co, mlm, psi, so, tlm\n"
    )


def test_finetune_cli_model_without_head_needs_new_head(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from transformers import AutoModel

    headless = tmp_path / "headless"
    AutoModel.from_pretrained(tiny_model_dir).save_pretrained(headless)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        shutil.copy(tiny_model_dir / name, headless / name)
    capsys.readouterr()  # transformers' own report of that load
    bitext = tmp_path / "pairs.txt"
    bitext.write_text("\n".join(PAIRS) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(flags(headless, bitext, out, "--max-steps", "1")) == 2
    err = capsys.readouterr().err
    assert err.startswith("wordalign: error: model ") and err.count("\n") == 1
    assert "no masked-language-model head" in err and "--new-head" in err

    argv = flags(headless, bitext, out, "--max-steps", "1", "--new-head", "--save-optimizer")
    assert main(argv) == 0
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if "initialised randomly" in x]
    assert line.startswith("wordalign: warning: model ") and "cls.predictions.bias" in line
    assert (out / "checkpoint-1" / "optimizer.pt").is_file()
