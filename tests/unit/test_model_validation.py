"""Aligner.load checks a model folder before using it: every damaged or foreign model is one
WordalignError naming the file, never a traceback or an alignment with other links."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.statistical.eflomal import Eflomal
from wordalign.aligners.statistical.fastalign import FastAlign
from wordalign.aligners.statistical.ibm1 import IBM1
from wordalign.cli.main import main
from wordalign.errors import WordalignError

PAIRS = [
    ("das haus ist klein", "la chasa es pitschna"),
    ("das buch ist gross", "il cudesch es grond"),
    ("ein haus", "ina chasa"),
    ("ein buch", "in cudesch"),
    ("klein buch", "pitschen cudesch"),
] * 3

METHODS = ("ibm1", "fastalign", "eflomal")
# The model whose arrays are swapped in for each method's (same sentences, other method).
OTHER = {"ibm1": "fastalign", "fastalign": "ibm1", "eflomal": "ibm1"}
# The arrays that are not a model's table: its vocabularies and the aligner's name.
KEEP = (
    "wordalign_aligner",
    "src_vocab_bytes",
    "src_vocab_offsets",
    "tgt_vocab_bytes",
    "tgt_vocab_offsets",
)
# A parameter of each method and a value of the wrong type.
MISTYPED = {"ibm1": ("n_iter", "five"), "fastalign": ("p0", "high"), "eflomal": ("model", 2.5)}


def _make(name: str) -> Aligner:
    if name == "ibm1":
        return IBM1(n_iter=2, progress=False)
    if name == "fastalign":
        return FastAlign(n_iter=2, progress=False)
    return Eflomal(rel_iterations=0.2, scores=True, progress=False)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {name: _make(name).fit(PAIRS).save(root / name) for name in METHODS}


# -- corruptions: each changes a copy of a model folder, returns the path to load ------------

Corrupt = Callable[[Path, dict[str, Path], str], Path]


def _arrays(folder: Path) -> dict[str, np.ndarray]:
    with np.load(folder / "arrays.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _write_arrays(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez_compressed(folder / "arrays.npz", **arrays)  # type: ignore[arg-type]


def _edit_config(folder: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    change(config)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")


def truncated_arrays(folder: Path, models: dict[str, Path], name: str) -> Path:
    data = (folder / "arrays.npz").read_bytes()
    (folder / "arrays.npz").write_bytes(data[: len(data) // 2])
    return folder


def empty_arrays(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "arrays.npz").write_bytes(b"")
    return folder


def object_arrays(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    arrays["src_vocab_bytes"] = np.array([{"a": 1}, "b"], dtype=object)
    np.savez(folder / "arrays.npz", **arrays)  # type: ignore[arg-type]
    return folder


def arrays_is_a_directory(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "arrays.npz").unlink()
    (folder / "arrays.npz").mkdir()
    return folder


def no_arrays(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "arrays.npz").unlink()
    return folder


def config_not_utf8(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "config.json").write_bytes('{"aligner": "Schwätzli"}'.encode("latin-1"))
    return folder


def config_is_a_directory(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "config.json").unlink()
    (folder / "config.json").mkdir()
    return folder


def config_not_json(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    return folder


def config_not_an_object(folder: Path, models: dict[str, Path], name: str) -> Path:
    (folder / "config.json").write_text("[1, 2]", encoding="utf-8")
    return folder


def config_without_aligner(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.pop("aligner"))
    return folder


def unknown_aligner(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.update(aligner="giza"))
    return folder


def newer_major_version(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.update(wordalign_version="99.0.0"))
    return folder


def malformed_version(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.update(wordalign_version="latest"))
    return folder


def missing_version(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.pop("wordalign_version"))
    return folder


def params_not_an_object(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.update(params=[1, 2]))
    return folder


def unknown_param(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c["params"].update(nope=1))
    return folder


def mistyped_param(folder: Path, models: dict[str, Path], name: str) -> Path:
    param, value = MISTYPED[name]
    _edit_config(folder, lambda c: c["params"].update({param: value}))
    return folder


def state_not_an_object(folder: Path, models: dict[str, Path], name: str) -> Path:
    _edit_config(folder, lambda c: c.update(state="x"))
    return folder


def arrays_of_another_method(folder: Path, models: dict[str, Path], name: str) -> Path:
    shutil.copy(models[OTHER[name]] / "arrays.npz", folder / "arrays.npz")
    return folder


def foreign_arrays_without_marker(folder: Path, models: dict[str, Path], name: str) -> Path:
    # As a model saved before the aligner's name was stored in arrays.npz.
    other = {"ibm1": "fastalign", "fastalign": "eflomal", "eflomal": "ibm1"}[name]
    arrays = _arrays(models[other])
    del arrays["wordalign_aligner"]
    _write_arrays(folder, arrays)
    return folder


def all_arrays_zeroed(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    _write_arrays(
        folder,
        {k: v if k == "wordalign_aligner" else np.zeros_like(v) for k, v in arrays.items()},
    )
    return folder


def model_arrays_zeroed(folder: Path, models: dict[str, Path], name: str) -> Path:
    # The vocabularies kept: only the tables / statistics are zeros of the same shapes.
    arrays = _arrays(folder)
    keep = KEEP
    _write_arrays(folder, {k: v if k in keep else np.zeros_like(v) for k, v in arrays.items()})
    return folder


def values_zeroed(folder: Path, models: dict[str, Path], name: str) -> Path:
    # The structure kept, the probabilities / counts zeroed.
    arrays = _arrays(folder)
    for key in ("forward_probs", "reverse_probs", "forward_lex_count", "reverse_lex_count"):
        if key in arrays:
            arrays[key] = np.zeros_like(arrays[key])
    _write_arrays(folder, arrays)
    return folder


def ids_out_of_range(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    key = "forward_lex_f" if name == "eflomal" else "forward_cols"
    arrays[key] = arrays[key].copy()
    arrays[key][-1] = 10_000
    _write_arrays(folder, arrays)
    return folder


def vocab_offsets_off(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    arrays["tgt_vocab_offsets"] = arrays["tgt_vocab_offsets"][:-1]
    _write_arrays(folder, arrays)
    return folder


def missing_vocab_array(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    del arrays["src_vocab_bytes"]
    _write_arrays(folder, arrays)
    return folder


def missing_table_array(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    del arrays["forward_lex_count" if name == "eflomal" else "forward_probs"]
    _write_arrays(folder, arrays)
    return folder


def no_direction(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    keep = KEEP
    _write_arrays(folder, {k: v for k, v in arrays.items() if k in keep})
    return folder


def unexpected_array(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    arrays["weights"] = np.ones(3)
    _write_arrays(folder, arrays)
    return folder


def wrong_dtype(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    arrays["src_vocab_offsets"] = arrays["src_vocab_offsets"].astype(np.float64)
    _write_arrays(folder, arrays)
    return folder


def wrong_ndim(folder: Path, models: dict[str, Path], name: str) -> Path:
    arrays = _arrays(folder)
    arrays["tgt_vocab_bytes"] = arrays["tgt_vocab_bytes"].reshape(1, -1)
    _write_arrays(folder, arrays)
    return folder


def model_is_a_file(folder: Path, models: dict[str, Path], name: str) -> Path:
    path = folder.parent / "a_file"
    path.write_text("x\n", encoding="utf-8")
    return path


def model_is_absent(folder: Path, models: dict[str, Path], name: str) -> Path:
    return folder.parent / "absent"


# (corruption, what the message says beyond the file name)
CASES: list[tuple[Corrupt, str]] = [
    (truncated_arrays, "arrays.npz: not a readable model archive"),
    (empty_arrays, "arrays.npz: not a readable model archive (empty or truncated)"),
    (object_arrays, "object arrays"),
    (arrays_is_a_directory, "arrays.npz: not a readable model archive"),
    (no_arrays, "missing array 'src_vocab_bytes'"),
    (config_not_utf8, "config.json: not a wordalign model config (not valid UTF-8"),
    (config_is_a_directory, "config.json: cannot read (is a directory)"),
    (config_not_json, "config.json: not a wordalign model config (not valid JSON"),
    (config_not_an_object, "(not a JSON object)"),
    (config_without_aligner, "(no field 'aligner')"),
    (unknown_aligner, "unknown aligner 'giza'; choose one of:"),
    (newer_major_version, "written by wordalign 99.0.0, this is 0."),
    (malformed_version, "malformed wordalign_version 'latest'"),
    (missing_version, "(no field 'wordalign_version')"),
    (params_not_an_object, "field 'params' must be a dict"),
    (unknown_param, "has no parameter 'nope'; its parameters: "),
    (mistyped_param, "must be"),
    (state_not_an_object, "field 'state' must be a dict"),
    (arrays_of_another_method, "holds the arrays of a "),
    (foreign_arrays_without_marker, "arrays.npz: "),
    (all_arrays_zeroed, "vocab_offsets"),
    (model_arrays_zeroed, "arrays.npz: "),
    (values_zeroed, "arrays.npz: "),
    (ids_out_of_range, "10000"),
    (vocab_offsets_off, "array 'tgt_vocab_offsets' ends at"),
    (missing_vocab_array, "missing array 'src_vocab_bytes'"),
    (missing_table_array, "missing array 'forward_"),
    (no_direction, "no forward_* or reverse_* arrays"),
    (unexpected_array, "unexpected array 'weights'"),
    (wrong_dtype, "array 'src_vocab_offsets' has dtype float64, expected signed integers"),
    (wrong_ndim, "array 'tgt_vocab_bytes' has 2 dimensions, expected 1"),
    (model_is_a_file, "not a folder"),
    (model_is_absent, "not a wordalign model (no config.json)"),
]


def _copy(models: dict[str, Path], name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(models[name], tmp_path / "model"))


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize(("corrupt", "expected"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_model_validation_damaged_model_is_one_error_naming_the_file(
    name: str,
    corrupt: Corrupt,
    expected: str,
    models: dict[str, Path],
    tmp_path: Path,
) -> None:
    path = corrupt(_copy(models, name, tmp_path), models, name)
    with pytest.raises(WordalignError) as info:
        Aligner.load(path)
    message = str(info.value)
    assert str(path) in message, message
    assert expected in message, message
    assert "\n" not in message, message


@pytest.mark.parametrize("name", METHODS)
def test_model_validation_round_trip_aligns_identically(
    name: str, models: dict[str, Path], tmp_path: Path
) -> None:
    trained = _make(name).fit(PAIRS)
    expected = trained.align(PAIRS)
    loaded = Aligner.load(trained.save(tmp_path / "again"))
    assert type(loaded) is type(trained)
    assert loaded.align(PAIRS) == expected
    assert Aligner.load(models[name]).align(PAIRS) == expected


@pytest.mark.parametrize(
    "aligner",
    [
        FastAlign(n_iter=1, progress=False),  # no M-step: an all-zero table is what it has
        FastAlign(n_iter=3, variational_bayes=False, symmetrize="forward", progress=False),
        IBM1(n_iter=1, symmetrize="reverse", progress=False),
        Eflomal(rel_iterations=0.2, symmetrize="forward", progress=False),
        Eflomal(rel_iterations=0.2, remember_training_links=False, progress=False),
    ],
    ids=[
        "fastalign-uniform",
        "fastalign-ml-forward",
        "ibm1-reverse",
        "eflomal-forward",
        "eflomal-no-memory",
    ],
)
def test_model_validation_accepts_every_kind_of_valid_model(
    aligner: Aligner, tmp_path: Path
) -> None:
    expected = aligner.fit_align(PAIRS)
    loaded = Aligner.load(aligner.save(tmp_path / "m"))
    assert loaded.align(PAIRS) == expected


def test_model_validation_version_of_an_older_or_same_major_loads(
    models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models, "ibm1", tmp_path)
    _edit_config(folder, lambda c: c.update(wordalign_version="0.0.1"))
    assert isinstance(Aligner.load(folder), IBM1)


def test_model_validation_subclass_load_refuses_another_method(models: dict[str, Path]) -> None:
    with pytest.raises(WordalignError, match="holds a 'fastalign' model, not IBM1"):
        IBM1.load(models["fastalign"])


@pytest.mark.parametrize(
    "corrupt",
    [truncated_arrays, newer_major_version, all_arrays_zeroed, unknown_param, model_is_a_file],
    ids=lambda c: c.__name__,
)
def test_model_validation_cli_align_exits_2_with_one_line(
    corrupt: Corrupt,
    models: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bitext = tmp_path / "bitext.txt"
    bitext.write_text("das haus ||| la chasa\n", encoding="utf-8")
    path = corrupt(_copy(models, "fastalign", tmp_path), models, "fastalign")
    capsys.readouterr()
    code = main(["align", "--model", str(path), "--bitext", str(bitext), "--no-progress"])
    lines = capsys.readouterr().err.splitlines()
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("wordalign: error: ") and str(path) in lines[0], lines


def _bad_memory_link(folder: Path) -> None:
    arrays = _arrays(folder)
    arrays["memory_forward"] = arrays["memory_forward"].copy()
    arrays["memory_forward"][0] = 50  # no source sentence is that long
    _write_arrays(folder, arrays)


def _bad_memory_offsets(folder: Path) -> None:
    arrays = _arrays(folder)
    arrays["memory_reverse_offsets"] = arrays["memory_reverse_offsets"][::-1].copy()
    _write_arrays(folder, arrays)


def _bad_post_counts(folder: Path) -> None:
    arrays = _arrays(folder)
    arrays["memory_forward_post_counts"] = arrays["memory_forward_post_counts"] * 2
    _write_arrays(folder, arrays)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: _edit_config(f, lambda c: c["state"].update(n_train_pairs=3)), "memory_keys"),
        (lambda f: _edit_config(f, lambda c: c["state"].update(n_train_pairs="15")), "integer"),
        (_bad_memory_link, "array 'memory_forward' holds 50 at 0"),
        (_bad_memory_offsets, "array 'memory_reverse_offsets' starts at"),
        (_bad_post_counts, "memory_forward_post_counts"),
    ],
    ids=["n_train_pairs", "n_train_pairs_type", "link", "offsets", "post_counts"],
)
def test_model_validation_eflomal_memory_must_fit_the_training_pairs(
    change: Callable[[Path], None], expected: str, models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models, "eflomal", tmp_path)
    change(folder)
    with pytest.raises(WordalignError, match=f"^{folder}.*{expected}"):
        Aligner.load(folder)
