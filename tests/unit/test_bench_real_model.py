"""bench/real_model.py builds the real encoder's folder once, rebuilds it when the source
changes, and reports an absent source as ``None`` (on a fake source whose build_hf.py only
writes a config and counts its runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FAKE_BUILD = """\
import argparse, json, pathlib, sys
ap = argparse.ArgumentParser()
ap.add_argument("--bin"); ap.add_argument("--tokenizer"); ap.add_argument("--out")
args = ap.parse_args()
runs = pathlib.Path(__file__).with_name("runs.txt")
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
if pathlib.Path(args.bin).read_bytes() == b"broken":
    sys.exit("cannot parse the image")
out = pathlib.Path(args.out)
out.mkdir(exist_ok=True)
(out / "config.json").write_text(json.dumps({"bin": pathlib.Path(args.bin).read_text()}))
"""


def _fake_source(models: Path, image: bytes = b"weights-1") -> Path:
    source = models / "multilingual-e5-small-q4"
    source.mkdir(parents=True)
    (source / "e5-small-q4.bin").write_bytes(image)
    (source / "tokenizer.json").write_text("{}", encoding="utf-8")
    (source / "build_hf.py").write_text(FAKE_BUILD, encoding="utf-8")
    return source


def _runs(source: Path) -> int:
    runs = source / "runs.txt"
    return len(runs.read_text()) if runs.exists() else 0


def test_real_model_absent_source_gives_none(tmp_path: Path, bench_real_model: Any) -> None:
    assert bench_real_model.e5_small_folder(tmp_path / "cache", tmp_path / "no-models") is None
    incomplete = tmp_path / "models" / "multilingual-e5-small-q4"
    incomplete.mkdir(parents=True)
    (incomplete / "e5-small-q4.bin").write_bytes(b"x")  # no tokenizer, no build script
    assert bench_real_model.e5_small_folder(tmp_path / "cache", tmp_path / "models") is None
    assert not (tmp_path / "cache").exists()


def test_real_model_builds_once_and_rebuilds_on_change(
    tmp_path: Path, bench_real_model: Any
) -> None:
    source = _fake_source(tmp_path / "models")
    cache = tmp_path / "cache"
    folder = bench_real_model.e5_small_folder(cache, tmp_path / "models")
    assert folder == cache / "models" / "e5-small-q4"
    assert json.loads((folder / "config.json").read_text()) == {"bin": "weights-1"}
    stamp = json.loads((folder / bench_real_model.STAMP).read_text())
    assert stamp["e5-small-q4.bin"]["size"] == len(b"weights-1")
    assert len(stamp["e5-small-q4.bin"]["sha256"]) == 64
    assert bench_real_model.e5_small_folder(cache, tmp_path / "models") == folder
    assert _runs(source) == 1  # the second call found the stamp current

    (source / "e5-small-q4.bin").write_bytes(b"weights-2")  # same size, other content
    assert bench_real_model.e5_small_folder(cache, tmp_path / "models") == folder
    assert _runs(source) == 2
    assert json.loads((folder / "config.json").read_text()) == {"bin": "weights-2"}
    # Nothing left beside the model but the lock: the temporary folders are gone.
    assert sorted(p.name for p in (cache / "models").iterdir()) == [
        ".e5-small-q4.lock",
        "e5-small-q4",
    ]


def test_real_model_failed_build_keeps_the_old_folder(
    tmp_path: Path, bench_real_model: Any
) -> None:
    source = _fake_source(tmp_path / "models")
    cache = tmp_path / "cache"
    folder = bench_real_model.e5_small_folder(cache, tmp_path / "models")
    (source / "e5-small-q4.bin").write_bytes(b"broken")
    with pytest.raises(RuntimeError, match="exit code 1:\ncannot parse the image"):
        bench_real_model.e5_small_folder(cache, tmp_path / "models")
    assert json.loads((folder / "config.json").read_text()) == {"bin": "weights-1"}
    assert sorted(p.name for p in (cache / "models").iterdir()) == [
        ".e5-small-q4.lock",
        "e5-small-q4",
    ]


def test_real_model_folders_from_the_environment(
    tmp_path: Path, bench_real_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_source(tmp_path / "models")
    monkeypatch.setenv("WORDALIGN_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("WORDALIGN_CACHE", str(tmp_path / "cache"))
    assert bench_real_model.e5_small_folder() == tmp_path / "cache" / "models" / "e5-small-q4"
