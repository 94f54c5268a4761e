"""Benchmark of the first run: numba compiling the statistical kernels, on a cold and a warm cache.

Each method aligns the same 8 synthetic sentence pairs twice with ``wordalign align``, each time in
a fresh subprocess started in a temporary folder (so nothing of the source tree's numba cache is
used): first with ``WORDALIGN_CACHE`` pointing at a new, empty folder (cold: every kernel the run
needs is compiled, and cached in ``$WORDALIGN_CACHE/numba``), then with the same folder again
(warm: the kernels load from that cache). ``NUMBA_CACHE_DIR`` is removed from the subprocesses'
environment, as for a user who never heard of it. The wall time is the whole subprocess: Python's
start, imports, reading, compiling or loading, training, writing.

Usage::

    python bench/bench_firstrun.py [--methods fastalign,ibm1,eflomal] [--pairs 8]

Prints a markdown section (heading, commands, table) on stdout.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METHODS = "fastalign,ibm1,eflomal"


def write_pairs(path: Path, n_pairs: int, seed: int = 0) -> None:
    """``n_pairs`` synthetic tab-separated pairs: each target word translates one source word."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(n_pairs):
            words = [rng.randrange(30) for _ in range(rng.randint(5, 12))]
            src = " ".join(f"s{w}" for w in words)
            tgt = " ".join(f"t{w}" for w in words[::-1])
            out.write(f"{src}\t{tgt}\n")


def align_command(method: str) -> list[str]:
    """The command line each run executes (in the run's temporary folder)."""
    return [
        *("wordalign", "align", "--method", method),
        *("--bitext", "pairs.tsv", "--out", "aligned.txt", "--overwrite"),
    ]


def timed_run(method: str, folder: Path, cache: Path) -> tuple[float, bool]:
    """Wall seconds of one ``wordalign align`` run, and whether it said that it compiles."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["WORDALIGN_CACHE"] = str(cache)
    command = [sys.executable, "-m", "wordalign", *align_command(method)[1:], "--no-progress"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, "wordalign: compiling the" in done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default=METHODS, help=f"comma-separated (default {METHODS})")
    parser.add_argument("--pairs", type=int, default=8, help="synthetic pairs (default 8)")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]

    rows = []
    with tempfile.TemporaryDirectory(prefix="wordalign-firstrun-") as tmp:
        folder = Path(tmp)
        write_pairs(folder / "pairs.tsv", args.pairs)
        for method in methods:
            cache = folder / f"cache-{method}"  # fresh: nothing compiled yet
            cold, said_cold = timed_run(method, folder, cache)
            warm, said_warm = timed_run(method, folder, cache)
            rows.append((method, cold, warm, said_cold, said_warm))
            print(f"{method}: cold {cold:.1f} s, warm {warm:.1f} s", file=sys.stderr, flush=True)

    print("## First run: numba compilation, cold and warm cache (issue 14)\n")
    print(
        f"Command: `python bench/bench_firstrun.py --methods {','.join(methods)} "
        f"--pairs {args.pairs}`, which runs, for each method, in a temporary folder holding "
        f"{args.pairs} synthetic pairs and without `NUMBA_CACHE_DIR` in the environment:\n"
    )
    print("```")
    print("export WORDALIGN_CACHE=$(mktemp -d)   # a fresh cache folder per method")
    print(" ".join(align_command("METHOD")) + " --no-progress   # cold: compiles")
    print(" ".join(align_command("METHOD")) + " --no-progress   # warm: loads from the cache")
    print("```\n")
    print(
        "Wall seconds of the whole subprocess on this machine. 'Said so' tells whether the run "
        "wrote the one-line compile notice on stderr (expected on the cold run only).\n"
    )
    print("| method | cold s | warm s | said so (cold / warm) |")
    print("|---|---|---|---|")
    for method, cold, warm, said_cold, said_warm in rows:
        said = f"{'yes' if said_cold else 'no'} / {'yes' if said_warm else 'no'}"
        print(f"| {method} | {cold:.1f} | {warm:.1f} | {said} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
