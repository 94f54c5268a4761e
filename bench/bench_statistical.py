"""Benchmark of the statistical aligners against the PyPI ``eflomal`` package.

For every size N, the training set is the gold pairs followed by the first N corpus pairs (the
setup of the paper's learning curve); every method aligns it in a fresh subprocess and the first
len(gold) alignments are scored against the gold. Each run reports precision, recall, F1, AER,
wall time (the whole subprocess: start, reading, training, writing), CPU time and peak resident
memory of the run's whole process tree: the PyPI package keeps its Python process (text, index,
numpy) alive while its eflomal binary runs, so the memory a user needs is the sum of both at the
same moment, not the larger of the two. The sum is sampled every 10 ms; a single process's own
high-water mark is taken when it is larger.

The PyPI package is a peer for comparison only, never a dependency of wordalign: install it into a
separate virtual environment and pass its Python with ``--peer-python`` (default
``.venv-peers/bin/python``, which ``make bench`` creates; the peer is skipped when that file is
missing). Both eflomal
implementations get the same iteration counts (the reference's corpus-size rule, computed here)
and the same symmetrization (``wordalign.symmetrization``).

Usage::

    python bench/bench_statistical.py --pairs out/corpus/de-rm.tsv \\
        --gold-dir ../shared/dermit/gold_standard --sizes 10000 all

Prints a markdown section (heading, command, table) on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# Methods whose alignment depends on the seed.
STOCHASTIC = ("eflomal", "pypi-eflomal")


def paper_aer(method: str, n_corpus: int, all_pairs: bool) -> float | None:
    """The paper's AER (Table 4) for the same number of added corpus pairs, if it has that size."""
    from wordalign.experiments.learning_curve import ALL, PAPER_TABLE4

    size = ALL if all_pairs else n_corpus
    rows = PAPER_TABLE4.get(method.removeprefix("pypi-"), ())
    return next((row.aer for row in rows if row.size == size), None)


# -- workers (run in subprocesses; the peer worker imports nothing from wordalign) ------------


def _usage() -> dict[str, float]:
    # Peak memory of this process is VmHWM (reset by exec); ru_maxrss of RUSAGE_SELF is not, on
    # Linux it keeps the peak of the process that spawned us. Children (the eflomal binary) are
    # measured by RUSAGE_CHILDREN.
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    hwm_kb = float(own.ru_maxrss)
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm_kb = float(line.split()[1])
    except OSError:
        pass
    return {
        "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
        "peak_mb": max(hwm_kb, kids.ru_maxrss) / 1024,
    }


def worker_wordalign(args: argparse.Namespace) -> None:
    from wordalign.io.bitext import read_parallel
    from wordalign.io.pharaoh import write_pharaoh
    from wordalign.registry import get_aligner

    params: dict[str, Any] = json.loads(args.params)
    aligner = get_aligner(args.method, **params)
    alignments = aligner.fit_align(read_parallel(args.src, args.tgt, index_column=False))
    write_pharaoh(args.out, alignments)  # as `wordalign train` / `align` write them
    print(json.dumps(_usage()))


def worker_pypi(args: argparse.Namespace) -> None:
    import eflomal  # the peer package, from its own virtual environment

    iters = tuple(json.loads(args.params)["n_iterations"])
    aligner = eflomal.Aligner(n_iterations=iters, n_samplers=3)
    with open(args.src, encoding="utf-8") as src, open(args.tgt, encoding="utf-8") as tgt:
        aligner.align(
            src, tgt, links_filename_fwd=args.out + ".fwd", links_filename_rev=args.out + ".rev"
        )
    print(json.dumps(_usage()))


# -- the driver -------------------------------------------------------------------------------


def write_training_set(gold: list[Any], corpus: list[Any], folder: Path) -> tuple[Path, Path]:
    src, tgt = folder / "train.src", folder / "train.tgt"
    with open(src, "w", encoding="utf-8") as fs, open(tgt, "w", encoding="utf-8") as ft:
        for pair in [*gold, *corpus]:
            fs.write(" ".join(pair.src) + "\n")
            ft.write(" ".join(pair.tgt) + "\n")
    return src, tgt


def run_worker(
    python: str, kind: str, method: str, params: dict[str, Any], src: Path, tgt: Path, out: Path
) -> dict[str, float]:
    cmd = [
        python, str(Path(__file__).resolve()), "--worker", kind, "--method", method,
        "--params", json.dumps(params), "--src", str(src), "--tgt", str(tgt), "--out", str(out),
    ]  # fmt: skip
    returncode, stdout, stderr, wall, tree_peak = run_sampled(cmd)
    if returncode != 0:
        raise RuntimeError(f"{kind} {method} failed ({returncode}): {stderr[-2000:]}")
    usage: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    usage["wall_s"] = wall
    usage["tree_mb"] = max(usage["peak_mb"], tree_peak / 2**20)
    return usage


def run_sampled(cmd: list[str]) -> tuple[int, str, str, float, int]:
    """Run ``cmd`` (progress off) while sampling its process tree's resident memory:
    ``(returncode, stdout, stderr, wall seconds, peak tree bytes)``."""
    env = dict(os.environ, WORDALIGN_PROGRESS="0")
    start = time.perf_counter()
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        peak = [0]
        sampling = threading.Event()
        sampler = threading.Thread(target=_sample_tree_rss, args=(proc.pid, sampling, peak))
        sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - start
        sampling.set()
        sampler.join()
    return proc.returncode, stdout, stderr, wall, peak[0]


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants now (0 for processes already gone)."""
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def _sample_tree_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(0.01):
        peak[0] = max(peak[0], _tree_rss(pid))


def score(pred_path: Path, gold: list[Any]) -> Any:
    from wordalign.evaluation.metrics import evaluate
    from wordalign.io.pharaoh import read_pharaoh

    pred = list(read_pharaoh(pred_path, index_column=False))[: len(gold)]
    return evaluate(gold, pred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parent.parent
    built = repo / "out" / "corpus" / "de-rm.tsv"  # what `make demo` / `make bench` build
    data = Path(os.environ.get("WORDALIGN_DATA") or repo.parent / "shared" / "dermit")
    parser.add_argument(
        "--pairs",
        default=str(built) if built.exists() else None,
        help="corpus pairs (TSV or 'src ||| tgt'); gold only when absent (default: %(default)s)",
    )
    parser.add_argument("--gold-dir", default=str(data / "gold_standard"))
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=["10000", "all"],
        help="corpus pairs added to the gold ('all' = every pair)",
    )
    parser.add_argument("--methods", default="eflomal,pypi-eflomal,fastalign")
    parser.add_argument("--symmetrize", default="grow-diag-final-and")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of each Gibbs sampler per size (ours with seeds SEED, SEED+1, ...)",
    )
    parser.add_argument(
        "--peer-python",
        default=str(repo / ".venv-peers" / "bin" / "python"),
        help="Python of a separate venv with the PyPI eflomal package (make bench builds it)",
    )
    parser.add_argument(
        "--warmup",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compile the numba kernels before timing",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--tgt", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "wordalign":
        worker_wordalign(args)
        return 0
    if args.worker == "pypi":
        worker_pypi(args)
        return 0

    from wordalign.aligners.statistical.eflomal import iteration_schedule
    from wordalign.io.bitext import read_bitext, read_parallel
    from wordalign.io.pharaoh import read_pharaoh
    from wordalign.registry import aligner_names
    from wordalign.symmetrization import symmetrize_all

    gold_dir = Path(args.gold_dir)
    gold_pairs = list(
        read_parallel(gold_dir / "alignments_src_text.txt", gold_dir / "alignments_trg_text.txt")
    )
    gold = list(read_pharaoh(gold_dir / "alignments_pharaoh.txt"))
    corpus = list(read_bitext(args.pairs)) if args.pairs else []
    methods = [m for m in args.methods.split(",") if m]
    if "pypi-eflomal" in methods and not Path(args.peer_python).is_file():
        print(f"<!-- pypi-eflomal skipped: no {args.peer_python} -->", file=sys.stderr)
        methods.remove("pypi-eflomal")
    methods = [m for m in methods if m == "pypi-eflomal" or m in aligner_names()]

    rows: list[list[str]] = []
    # (method, n_pairs): (result, usage) of every run
    measured: dict[tuple[str, int], list[tuple[Any, dict[str, float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="wa-bench-") as tmp:
        folder = Path(tmp)
        # Every wordalign method compiles (or loads) its kernels once on a few pairs first, so
        # that no timed run pays numba's compilation after a kernel changed.
        warm_params: dict[str, dict[str, Any]] = {
            "eflomal": {"n_iter_ibm1": 1, "n_iter_hmm": 1, "n_iter_fert": 1}
        }
        for method in methods if args.warmup else []:
            if method == "pypi-eflomal":
                continue
            src, tgt = write_training_set(gold_pairs[:20], [], folder)
            warm = {"progress": False, **warm_params.get(method, {})}
            run_worker(sys.executable, "wordalign", method, warm, src, tgt, folder / "warm")
        for size in args.sizes:
            n = len(corpus) if size == "all" else min(int(size), len(corpus))
            src, tgt = write_training_set(gold_pairs, corpus[:n], folder)
            n_pairs = len(gold_pairs) + n
            iters = iteration_schedule(n_pairs)
            # Gibbs samplers give another alignment for every seed (the PyPI package takes none
            # and draws its own), so they run --repeats times, taking turns with each other so
            # that a slow spell of the machine does not fall on one side only.
            runs = [
                (r, method)
                for r in range(args.repeats)
                for method in methods
                if r == 0 or method in STOCHASTIC
            ]
            for r, method in runs:
                out = folder / f"{method}.{n}.pharaoh"
                if method == "pypi-eflomal":
                    usage = run_worker(
                        args.peer_python, "pypi", method, {"n_iterations": iters}, src, tgt, out
                    )
                    fwd = list(read_pharaoh(str(out) + ".fwd", index_column=False))
                    rev = list(read_pharaoh(str(out) + ".rev", index_column=False))
                    with open(out, "w", encoding="utf-8") as f:
                        for a in symmetrize_all(fwd, rev, args.symmetrize):
                            f.write(a.to_pharaoh() + "\n")
                else:
                    params: dict[str, Any] = {"symmetrize": args.symmetrize, "progress": False}
                    if method == "eflomal":
                        # The reference's settings (no stemming), as the PyPI package runs:
                        # this table compares implementations; bench_quality.py the settings.
                        params.update(
                            random_state=args.seed + r,
                            n_iter_ibm1=iters[0],
                            n_iter_hmm=iters[1],
                            n_iter_fert=iters[2],
                            src_prefix_len=0,
                            tgt_prefix_len=0,
                        )
                    usage = run_worker(sys.executable, "wordalign", method, params, src, tgt, out)
                result = score(out, gold)
                measured.setdefault((method, n_pairs), []).append((result, usage))
                paper = paper_aer(method, n, all_pairs=n == len(corpus))
                label = (
                    method
                    if r == 0
                    else f"{method}, "
                    + (f"seed {args.seed + r}" if method == "eflomal" else f"run {r + 1}")
                )
                rows.append([
                    label, f"{n_pairs}", f"{result.precision:.3f}", f"{result.recall:.3f}", f"{result.f1:.3f}",
                    f"{result.aer:.3f}", "" if paper is None else f"{paper:.3f}",
                    f"{usage['wall_s']:.1f}", f"{usage['cpu_s']:.1f}", f"{usage['tree_mb']:.0f}", f"{usage['peak_mb']:.0f}",
                ])  # fmt: skip
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)

    print("## Statistical aligners vs PyPI eflomal\n")
    print(
        f"Command: `python bench/bench_statistical.py --pairs {os.path.relpath(args.pairs or '-')} "
        f"--sizes {' '.join(args.sizes)} --methods {args.methods} --seed {args.seed} "
        f"--repeats {args.repeats}`\n"
    )
    print(
        f"Training on the {len(gold_pairs)} gold pairs + N corpus pairs, scoring the gold pairs; "
        f"symmetrization {args.symmetrize}; eflomal iteration counts from the reference's rule "
        f"for both implementations, and no stemming (the reference's settings, not wordalign's "
        f"defaults: see the quality section); times are whole subprocesses on this machine. Peak memory: "
        f"'tree' is the resident sum of all processes of a run at the same moment (sampled "
        f"every 10 ms; for the PyPI package its Python process and its eflomal binary), "
        f"'largest' the high-water mark of its largest single process.\n"
    )
    header = [
        "method",
        "pairs",
        "P",
        "R",
        "F1",
        "AER",
        "paper AER (same size)",
        "wall s",
        "CPU s",
        "peak MB (tree)",
        "peak MB (largest)",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print_comparison(measured)
    return 0


def print_comparison(
    measured: dict[tuple[str, int], list[tuple[Any, dict[str, float]]]],
) -> None:
    """Our eflomal against the PyPI package, for every size both ran: AER to four decimals (the
    table rounds to three, as the paper does) run by run and on average, and the ratios of the
    mean wall time and of the largest peak memory."""

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    lines = []
    for n in sorted(n for method, n in measured if method == "eflomal"):
        if ("pypi-eflomal", n) not in measured:
            continue
        ours, peer = measured["eflomal", n], measured["pypi-eflomal", n]
        ours_aer, peer_aer = [r.aer for r, _ in ours], [r.aer for r, _ in peer]
        wall = mean([u["wall_s"] for _, u in ours]) / mean([u["wall_s"] for _, u in peer])
        peak = max(u["tree_mb"] for _, u in ours) / max(u["tree_mb"] for _, u in peer)
        lines.append(
            f"- {n} pairs: AER {mean(ours_aer):.4f} ({', '.join(f'{a:.4f}' for a in ours_aer)}) "
            f"vs {mean(peer_aer):.4f} ({', '.join(f'{a:.4f}' for a in peer_aer)}); "
            f"wall {wall:.2f}x; peak memory (tree) {peak:.2f}x"
        )
    if lines:
        print("\neflomal against PyPI eflomal (ours vs theirs; mean AER, then each run's):\n")
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
