"""A real pretrained encoder for tests and benchmarks: multilingual-e5-small, built once.

``../shared/models/multilingual-e5-small-q4`` (or ``$WORDALIGN_MODELS/multilingual-e5-small-q4``)
holds a 4-bit image of ``intfloat/multilingual-e5-small`` and ``build_hf.py``, which turns it into
a Hugging Face ``BertModel`` folder (470 MB, about 10 s). :func:`e5_small_folder` builds that
folder into the cache (``$WORDALIGN_CACHE/models``, default ``~/.cache/wordalign/models``), never
into the repository, and only once: a stamp in the folder records the size and sha256 of every
source file, so a changed source is rebuilt. The build goes to a temporary folder beside the
target and is renamed into place when complete, so an interrupted build leaves nothing behind.

On a user's fresh clone ``../shared/models`` does not exist: :func:`e5_small_folder` then returns
``None`` and the tests that need the model skip.

Usage: ``python bench/real_model.py`` builds the folder (when needed) and prints its path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV_MODELS = "WORDALIGN_MODELS"
ENV_CACHE = "WORDALIGN_CACHE"
SOURCE = "multilingual-e5-small-q4"
SOURCE_FILES = ("e5-small-q4.bin", "tokenizer.json", "build_hf.py")
STAMP = "wordalign-source.json"


def models_dir() -> Path:
    """``$WORDALIGN_MODELS``, else ``../shared/models`` beside the repository."""
    env = os.environ.get(ENV_MODELS)
    return Path(env) if env else REPO.parent / "shared" / "models"


def cache_dir() -> Path:
    """``$WORDALIGN_CACHE``, else ``~/.cache/wordalign`` (the library's cache)."""
    env = os.environ.get(ENV_CACHE)
    return Path(env) if env else Path.home() / ".cache" / "wordalign"


def source_dir(models: Path | None = None) -> Path | None:
    """The e5 source folder when it holds every file the build needs, else ``None``."""
    folder = (models_dir() if models is None else models) / SOURCE
    if all((folder / name).is_file() for name in SOURCE_FILES):
        return folder
    return None


def fingerprint(source: Path) -> dict[str, dict[str, int | str]]:
    """Size and sha256 of each source file: what the stamp of a built folder records."""
    out: dict[str, dict[str, int | str]] = {}
    for name in SOURCE_FILES:
        digest = hashlib.sha256()
        with open(source / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        out[name] = {"size": (source / name).stat().st_size, "sha256": digest.hexdigest()}
    return out


def _is_current(target: Path, stamp: dict[str, dict[str, int | str]]) -> bool:
    try:
        recorded = json.loads((target / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == stamp and (target / "config.json").is_file())


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (POSIX), so two processes do not build at once."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the rename below still keeps folders whole
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def e5_small_folder(cache: Path | None = None, models: Path | None = None) -> Path | None:
    """The Hugging Face folder of multilingual-e5-small, built from the source when needed.

    Args:
        cache: The cache root (default :func:`cache_dir`); the folder is ``CACHE/models/e5-small-q4``.
        models: The folder holding ``multilingual-e5-small-q4/`` (default :func:`models_dir`).

    Returns:
        The model folder, or ``None`` when the source is absent (a user's clone).

    Raises:
        RuntimeError: when ``build_hf.py`` fails (with the end of its output).
    """
    source = source_dir(models)
    if source is None:
        return None
    root = (cache_dir() if cache is None else cache) / "models"
    target = root / "e5-small-q4"
    stamp = fingerprint(source)
    if _is_current(target, stamp):
        return target
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / ".e5-small-q4.lock"):
        if _is_current(target, stamp):  # another process built it while we waited
            return target
        build = Path(tempfile.mkdtemp(prefix=".e5-small-q4-build-", dir=root))
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    str(source / "build_hf.py"),
                    "--bin",
                    str(source / "e5-small-q4.bin"),
                    "--tokenizer",
                    str(source / "tokenizer.json"),
                    "--out",
                    str(build),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
                raise RuntimeError(
                    f"{source / 'build_hf.py'} failed with exit code {proc.returncode}:\n{tail}"
                )
            (build / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
            build.chmod(0o755)  # mkdtemp's 0o700 would hide the model from other users
            old = None
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=".e5-small-q4-old-", dir=root))
                target.rename(old / "model")
            build.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if build.exists():
                shutil.rmtree(build, ignore_errors=True)
    return target


if __name__ == "__main__":
    folder = e5_small_folder()
    if folder is None:
        sys.exit(f"no model source: {models_dir() / SOURCE} is missing (set {ENV_MODELS})")
    print(folder)
