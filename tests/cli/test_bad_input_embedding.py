"""A model that cannot serve as an encoder is one line on stderr and exit code 2, before the
weights load.

One table over the commands that take an encoder (``align`` with SimAlign and awesome-align,
``embed map``) x the kinds of bad model: a file, a folder without ``config.json``, a
``config.json`` that is not JSON or not a model's configuration, a wordalign model folder, a
tokenizer whose ids do not fit the embedding matrix, a layer the model lacks. The commands run
in-process through ``main([...])``; loading the weights fails the test, so every check is shown to
happen before them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from wordalign.cli.main import main

BITEXT = "das Haus ||| la chasa\nein Buch ||| in cudesch\n"
ALIGNMENTS = "0-0-0.99 1-1-0.99\n0-0-0.99 1-1-0.99\n"

COMMANDS = {
    "simalign": ("align", "--method", "simalign-argmax", "--bitext", "{bitext}"),
    "awesome": ("align", "--method", "awesome", "--bitext", "{bitext}"),
    "embed-map": ("embed", "map", "--bitext", "{bitext}", "--alignments", "{alignments}"),
}
COMMON = ("--model", "{model}", "--device", "cpu", "--no-progress", "--out", "{out}")


def _copy_model(tiny: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(tiny, folder)
    return folder


def _edit_config(folder: Path, **changes: object) -> None:
    path = folder / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(changes)
    path.write_text(json.dumps(config), encoding="utf-8")


def _a_file(tiny: Path, tmp_path: Path) -> Path:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0" * 16)
    return path


def _no_config(tiny: Path, tmp_path: Path) -> Path:
    folder = _copy_model(tiny, tmp_path)
    (folder / "config.json").unlink()
    return folder


def _config_not_json(tiny: Path, tmp_path: Path) -> Path:
    folder = _copy_model(tiny, tmp_path)
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    return folder


def _config_not_a_model(tiny: Path, tmp_path: Path) -> Path:
    folder = _copy_model(tiny, tmp_path)
    (folder / "config.json").write_text('{"learning_rate": 0.1}', encoding="utf-8")
    return folder


def _wordalign_model(tiny: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ibm1"
    bitext = tmp_path / "train.txt"
    bitext.write_text(BITEXT, encoding="utf-8")
    argv = ["train", "--method", "ibm1", "--n-iter", "1", "--bitext", str(bitext)]
    assert main([*argv, "--model-out", str(folder), "--no-progress"]) == 0
    return folder


def _small_embedding_matrix(tiny: Path, tmp_path: Path) -> Path:
    folder = _copy_model(tiny, tmp_path)
    _edit_config(folder, vocab_size=100)  # the tokenizer has 2,000 tokens
    return folder


MODELS: dict[str, tuple[Callable[[Path, Path], Path], tuple[str, ...], str]] = {
    # kind -> (build the model, extra argv, what the line says)
    "a_file": (_a_file, (), "not a model folder"),
    "no_config": (_no_config, (), "not an encoder model folder (no config.json"),
    "config_not_json": (_config_not_json, (), "config.json: not a model configuration"),
    "config_not_a_model": (_config_not_a_model, (), "not a model configuration (no 'model_type'"),
    "wordalign_model": (_wordalign_model, (), "holds a wordalign 'ibm1' model, not an encoder"),
    "vocabulary_too_large": (
        _small_embedding_matrix,
        ("--layer", "2"),
        "tokenizer gives ids up to 1999, but the model's embedding matrix has 100 rows",
    ),
    "layer_too_high": (lambda tiny, _: tiny, ("--layer", "5"), "has no layer 5: it has 2 layers"),
    "layer_too_low": (lambda tiny, _: tiny, ("--layer", "-4"), "has no layer -4"),
}


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_encoder_is_one_line_with_exit_code_2_before_the_weights_load(
    command: str,
    kind: str,
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import transformers

    build, extra, message = MODELS[kind]
    model = build(tiny_model_dir, tmp_path)

    def no_weights(*args: object, **kwargs: object) -> None:
        raise AssertionError("the weights were loaded before the model was checked")

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", no_weights)
    paths = {
        "bitext": tmp_path / "pairs.txt",
        "alignments": tmp_path / "pairs.pharaoh",
        "model": model,
        "out": tmp_path / "out.txt",
    }
    paths["bitext"].write_text(BITEXT, encoding="utf-8")
    paths["alignments"].write_text(ALIGNMENTS, encoding="utf-8")
    argv = [part.format(**paths) for part in (*COMMANDS[command], *COMMON)]
    capsys.readouterr()
    code = main([*argv, *extra])
    lines = capsys.readouterr().err.splitlines()
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("wordalign: error: "), lines
    assert message in lines[0], lines
    assert not paths["out"].exists()
