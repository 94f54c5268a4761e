"""numba's cache in the user's cache folder, and the one line a cold compile writes (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

MESSAGE = "wordalign: compiling the"


def _run(
    code: str, *, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["WORDALIGN_CACHE"] = str(cache)
    env.update(extra)
    return env


PRINT_DIR = (
    "import os, wordalign.aligners.statistical._ibm1_kernels; "
    "print(os.environ.get('NUMBA_CACHE_DIR'))"
)


def test_the_cache_folder_follows_wordalign_cache(tmp_path: Path) -> None:
    out = _run(PRINT_DIR, env=_env(tmp_path / "cache"))
    assert out.stdout.strip() == str(tmp_path / "cache" / "numba")
    assert (tmp_path / "cache" / "numba").is_dir()


def test_a_users_numba_cache_dir_is_kept(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    out = _run(PRINT_DIR, env=_env(tmp_path / "cache", NUMBA_CACHE_DIR=str(mine)))
    assert out.stdout.strip() == str(mine)
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_falls_back_to_numbas_default(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    # A folder under a regular file cannot be created, whoever runs the test (root included).
    out = _run(PRINT_DIR, env=_env(blocker / "cache"))
    assert out.stdout.strip() == "None"
    assert out.stderr == ""


TINY_KERNELS = """
import wordalign._numba_cache  # noqa: F401
from numba import njit


@njit(cache=True)
def add_one(x):
    return x + 1
"""

CALL_TWICE = "import tiny_kernels as k; print(k.add_one(1), k.add_one(2.5))"


def test_the_compile_message_once_when_cold_and_never_when_warm(tmp_path: Path) -> None:
    (tmp_path / "tiny_kernels.py").write_text(textwrap.dedent(TINY_KERNELS))
    env = _env(tmp_path / "cache", PYTHONPATH=str(tmp_path))
    cold = _run(CALL_TWICE, env=env, cwd=tmp_path)
    assert cold.stdout.split() == ["2", "3.5"]
    # Two signatures compiled, one line.
    assert cold.stderr.count(MESSAGE) == 1, cold.stderr
    assert f"cached in {tmp_path / 'cache' / 'numba'}" in cold.stderr
    warm = _run(CALL_TWICE, env=env, cwd=tmp_path)
    assert warm.stdout.split() == ["2", "3.5"]
    assert MESSAGE not in warm.stderr, warm.stderr


def test_the_message_names_the_kernels_of_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from wordalign import _numba_cache

    for name, _label, _s in _numba_cache._KERNELS:
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert "the statistical kernels" in _numba_cache.compile_message(None)
    eflomal = "wordalign.aligners.statistical._eflomal_kernels"
    monkeypatch.setitem(sys.modules, eflomal, ModuleType(eflomal))
    message = _numba_cache.compile_message(str(Path.home() / ".cache" / "wordalign" / "numba"))
    assert message.startswith("wordalign: compiling the eflomal kernels (first run only, about ")
    assert message.endswith("; cached in ~/.cache/wordalign/numba)")
    # The compiled function's own module wins over the modules loaded.
    ibm1 = "wordalign.aligners.statistical._ibm1_kernels"
    assert "the IBM1 kernels" in _numba_cache.compile_message(None, ibm1)


def test_dermit_and_numba_share_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wordalign import _numba_cache
    from wordalign.corpus.dermit import default_cache_dir

    monkeypatch.setenv("WORDALIGN_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "dermit"
    assert _numba_cache.numba_cache_dir() == tmp_path / "numba"
