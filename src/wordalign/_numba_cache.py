"""numba's compilation cache in the user's cache folder, and one line when a first run compiles.

Every module that defines numba kernels imports this module first, before numba itself::

    import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)

Importing it (once per process):

* points ``NUMBA_CACHE_DIR`` at ``$WORDALIGN_CACHE/numba`` (default ``~/.cache/wordalign/numba``),
  unless the user set ``NUMBA_CACHE_DIR`` already or that folder cannot be created or written
  (then numba keeps its own default: the cache is a speed-up, never a reason to fail);
* listens to numba's ``numba:compile`` events, which fire only when a kernel is really compiled
  (not when it is loaded from the cache), and writes one line on stderr at the first one, since a
  cold compile takes from seconds to a minute with nothing else to show for it.

``import wordalign`` does not import this module (nor numba): only the kernel modules do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from wordalign.corpus.dermit import user_cache_dir
from wordalign.io.files import probe_folder

ENV_NUMBA_CACHE = "NUMBA_CACHE_DIR"

# What a first run compiles, by the kernel module that is loaded, most specific first: the label
# of the message and its rough cold compile time (seconds, measured with bench/bench_firstrun.py).
_KERNELS = (
    ("wordalign.aligners.statistical._eflomal_kernels", "eflomal", 30),
    ("wordalign.aligners.statistical._fastalign_kernels", "fast_align", 15),
    ("wordalign.aligners.statistical._ibm1_kernels", "IBM1", 10),
    ("wordalign.corpus._sentalign_kernels", "sentence-alignment", 5),
)
_OTHER = ("statistical", 10)

_announced = False


def numba_cache_dir() -> Path:
    """Where wordalign asks numba to cache compiled kernels: the user's cache folder / ``numba``."""
    return user_cache_dir() / "numba"


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe_folder(folder)
    except OSError:
        return False
    return True


def configure_cache_dir() -> str | None:
    """Set ``NUMBA_CACHE_DIR`` unless the user did; the folder numba will use, or None for its
    default. Has effect only before numba is first imported (numba reads the variable then)."""
    if os.environ.get(ENV_NUMBA_CACHE):
        return os.environ[ENV_NUMBA_CACHE]
    try:
        folder = numba_cache_dir()
    except RuntimeError:  # no home folder to expand
        return None
    if not _writable(folder):
        return None
    os.environ[ENV_NUMBA_CACHE] = str(folder)
    return str(folder)


def _shown(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path == home or path.startswith(home + os.sep) else path


def compile_message(cache_dir: str | None, module: str = "") -> str:
    """The line written at the first compile of a process, naming the kernels being compiled:
    those of ``module`` (the compiled function's) if it is an aligner's kernel module, else
    those of the most specific kernel module loaded."""
    known = {name: (label, s) for name, label, s in _KERNELS}
    label, seconds = known.get(module) or next(
        ((label, s) for name, label, s in _KERNELS if name in sys.modules), _OTHER
    )
    where = f"cached in {_shown(cache_dir)}" if cache_dir else "cached by numba"
    return f"wordalign: compiling the {label} kernels (first run only, about {seconds} s; {where})"


def announce(cache_dir: str | None, module: str = "") -> None:
    """Write :func:`compile_message` on stderr, the first time only."""
    global _announced
    if _announced:
        return
    _announced = True
    print(compile_message(cache_dir, module), file=sys.stderr, flush=True)


def _listen(cache_dir: str | None) -> None:
    from numba.core import event

    class _FirstCompile(event.Listener):
        def on_start(self, event: Any) -> None:
            if _announced:
                return
            dispatcher = (event.data or {}).get("dispatcher")
            announce(cache_dir, getattr(getattr(dispatcher, "py_func", None), "__module__", ""))

        def on_end(self, event: Any) -> None:
            pass

    event.register("numba:compile", _FirstCompile())  # type: ignore[no-untyped-call]


_listen(configure_cache_dir())
