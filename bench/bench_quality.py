"""Ablation of eflomal's quality levers on DE-RM, beside the PyPI ``eflomal`` package.

Training text: the development half of the gold (300 pairs) followed by every DE-RM corpus pair;
score: those 300 gold pairs (P, R, AER). Every row is one ``wordalign`` command line (printed as
it ran, with SEED for the seed), run as a fresh subprocess for seeds SEED, SEED+1, ... and timed
as a whole (start, reading, training, writing; the pivot rows include training the two pivot
models). PyPI eflomal runs --repeats times in the same run, taking turns with ours, with the same
iteration rule and grow-diag-final-and, as in bench_statistical.py.

Usage::

    python bench/bench_quality.py [--corpus-dir out/corpus] [--repeats 3] [--rows NAME,...]

Prints a markdown section on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_statistical import run_sampled, run_worker, score, write_training_set

REPO = Path(__file__).resolve().parent.parent
PEER_PYTHON = REPO / ".venv-peers" / "bin" / "python"

# (name, what it shows, flags after `wordalign align --method eflomal --bitext TRAIN --seed SEED`).
# PIVOT_SRC / PIVOT_TGT stand for the DE-IT and RM-IT pair files.
BEFORE = "--symmetrize grow-diag-final-and --src-prefix 0 --tgt-prefix 0"
ROWS: list[tuple[str, str, str]] = [
    ("before", "the previous default (grow-diag-final-and, no stemming)", BEFORE),
    (
        "posterior",
        "posterior symmetrization alone",
        "--symmetrize posterior-mean --src-prefix 0 --tgt-prefix 0",
    ),
    (
        "stem",
        "prefix stemming alone (7 characters, both sides: the default)",
        "--symmetrize grow-diag-final-and",
    ),
    ("samplers", "6 samplers instead of 3, alone", f"{BEFORE} --n-samplers 6"),
    ("iterations", "twice the sweeps, alone", f"{BEFORE} --rel-iterations 2"),
    (
        "pivot",
        "pivot priors (DE-IT, RM-IT) alone",
        f"{BEFORE} --pivot-src PIVOT_SRC --pivot-tgt PIVOT_TGT",
    ),
    ("default", "the default now (no flag)", ""),
    ("accurate", "default + 6 samplers", "--n-samplers 6"),
    (
        "accurate+pivot",
        "default + 6 samplers + pivot priors",
        "--n-samplers 6 --pivot-src PIVOT_SRC --pivot-tgt PIVOT_TGT",
    ),
]


def run_command(argv: list[str]) -> dict[str, float]:
    """Wall time, CPU time (self + children) and peak resident memory of one CLI run."""
    wrapper = (
        "import json, resource, sys\n"
        "from wordalign.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
        "print(json.dumps({'cpu_s': u.ru_utime + u.ru_stime, "
        "'peak_mb': int(hwm[0].split()[1]) / 1024 if hwm else u.ru_maxrss / 1024, "
        "'code': code}))\n"
    )
    returncode, stdout, stderr, wall, tree_peak = run_sampled(
        [sys.executable, "-c", wrapper, *argv]
    )
    usage: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    if returncode != 0 or usage.get("code") not in (0, None):
        raise RuntimeError(f"wordalign {shlex.join(argv)} failed: {stderr[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": float(usage["cpu_s"]),
        "tree_mb": max(float(usage["peak_mb"]), tree_peak / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = Path(os.environ.get("WORDALIGN_DATA") or REPO.parent / "shared" / "dermit")
    parser.add_argument("--corpus-dir", default=str(REPO / "out" / "corpus"))
    parser.add_argument("--gold-dir", default=str(data / "gold_standard"))
    parser.add_argument("--repeats", type=int, default=3, help="seeds per row")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", help="comma-separated row names (default: all)")
    parser.add_argument("--peer-python", default=str(PEER_PYTHON))
    args = parser.parse_args(argv)

    from wordalign.aligners.statistical.eflomal import iteration_schedule
    from wordalign.io.bitext import read_bitext, read_parallel
    from wordalign.io.pharaoh import read_pharaoh
    from wordalign.symmetrization import symmetrize_all

    corpus_dir = Path(args.corpus_dir)
    gold_dir = Path(args.gold_dir)
    gold_pairs = list(
        read_parallel(gold_dir / "alignments_src_text.txt", gold_dir / "alignments_trg_text.txt")
    )
    gold = list(read_pharaoh(gold_dir / "alignments_pharaoh.txt"))
    corpus = list(read_bitext(corpus_dir / "de-rm.tsv"))
    pivot = {"PIVOT_SRC": corpus_dir / "de-it.tsv", "PIVOT_TGT": corpus_dir / "rm-it.tsv"}
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [row for row in ROWS if wanted is None or row[0] in wanted]
    peer = Path(args.peer_python).is_file()

    results: dict[str, list[tuple[Any, dict[str, float]]]] = {}
    curves: list[dict[str, Any]] = []
    curve_usage: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="wa-quality-") as tmp:
        folder = Path(tmp)
        src, tgt = write_training_set(gold_pairs, corpus, folder)
        # Compile (or load) the kernels once, untimed, on a few pairs.
        tiny_src, tiny_tgt = folder / "warm.src", folder / "warm.tgt"
        tiny_src.write_text("".join(" ".join(p.src) + "\n" for p in gold_pairs[:20]))
        tiny_tgt.write_text("".join(" ".join(p.tgt) + "\n" for p in gold_pairs[:20]))
        run_command(["align", "--method", "eflomal", "--src", str(tiny_src), "--tgt",
                     str(tiny_tgt), "--out", str(folder / "warm.out"), "--overwrite"])  # fmt: skip
        iters = iteration_schedule(len(gold_pairs) + len(corpus))
        for r in range(args.repeats):
            seed = args.seed + r
            for name, _, flags in rows:
                out = folder / f"{name}.{seed}.pharaoh"
                cmd = ["align", "--method", "eflomal", "--src", str(src), "--tgt", str(tgt),
                       "--seed", str(seed), "--out", str(out), "--overwrite", "--no-progress"]  # fmt: skip
                cmd += [str(pivot.get(f, f)) for f in shlex.split(flags)]
                usage = run_command(cmd)
                result = score(out, gold)
                results.setdefault(name, []).append((result, usage))
                print(f"{name} seed {seed}: AER {result.aer:.4f} {usage}", file=sys.stderr)
            curve, usage = threshold_curve(src, tgt, seed, gold_dir, len(gold_pairs), folder)
            curves.append(curve)
            curve_usage.append(usage)
            if peer:
                out = folder / f"pypi.{r}.pharaoh"
                usage = run_worker(
                    args.peer_python, "pypi", "pypi-eflomal", {"n_iterations": iters}, src, tgt, out
                )
                fwd = list(read_pharaoh(str(out) + ".fwd", index_column=False))
                rev = list(read_pharaoh(str(out) + ".rev", index_column=False))
                links = symmetrize_all(fwd, rev, "grow-diag-final-and")
                out.write_text("".join(a.to_pharaoh() + "\n" for a in links))
                results.setdefault("pypi", []).append((score(out, gold), usage))

        if len(curve_usage) > 1:
            # The seeds' scored outputs (the curve runs) pooled: every link's mean posterior
            # over the seeds, thresholded as the default thresholds one run.
            out = folder / "seeds.pharaoh"
            inputs = [str(folder / f"curve.{args.seed + r}.pharaoh") for r in range(args.repeats)]
            usage = run_command(["combine", "--inputs", *inputs, "--min-votes", "1",
                                 "--min-score", SEEDS_MIN_SCORE, "--out", str(out)])  # fmt: skip
            total = {key: sum(u[key] for u in curve_usage) + usage[key] for key in usage}
            total["tree_mb"] = max(u["tree_mb"] for u in [*curve_usage, usage])
            results["seeds"] = [(score(out, gold), total)]
            rows.append((
                "seeds",
                f"{args.repeats} seeds of the default pooled (one result; wall = all runs)",
                f"--symmetrize posterior-mean --posterior-threshold 0.05 --scores, then "
                f"wordalign combine --inputs RUN... --min-votes 1 --min-score {SEEDS_MIN_SCORE}",
            ))  # fmt: skip

    print("## Alignment quality: eflomal's levers on DE-RM (issue 13)\n")
    print(
        f"Command: `python bench/bench_quality.py --repeats {args.repeats} --seed {args.seed}`. "
        f"Training: the {len(gold_pairs)} development gold pairs + {len(corpus):,} DE-RM corpus "
        f"pairs; scored on those {len(gold_pairs)} gold pairs. Each row is "
        f"`wordalign align --method eflomal --src train.src --tgt train.tgt --seed SEED "
        f"--out OUT` plus the flags shown (PIVOT_SRC = {pivot['PIVOT_SRC'].name}, PIVOT_TGT = "
        f"{pivot['PIVOT_TGT'].name}), seeds {args.seed}..{args.seed + args.repeats - 1}; wall "
        f"and CPU are means over the seeds, peak memory their largest (whole process tree). "
        f"PyPI eflomal (unseeded, 3 samplers, the same iteration counts "
        f"{iters}, grow-diag-final-and) ran in turn with ours.\n"
    )
    header = ["row", "flags", "P", "R", "AER (mean)", "AER per seed", "wall s", "CPU s",
              "peak MB", "wall vs PyPI"]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    peer_wall = None
    if "pypi" in results:
        peer_wall = sum(u["wall_s"] for _, u in results["pypi"]) / len(results["pypi"])
    labels = {name: (what, flags) for name, what, flags in rows}
    labels["pypi"] = ("PyPI eflomal 2.x", "(its Python API, 3 samplers)")
    for name, runs in results.items():
        what, flags = labels[name]
        n = len(runs)
        wall = sum(u["wall_s"] for _, u in runs) / n
        cells = [
            f"{name}: {what}",
            f"`{flags}`" if flags and name != "pypi" else (flags or "(none)"),
            f"{sum(r.precision for r, _ in runs) / n:.3f}",
            f"{sum(r.recall for r, _ in runs) / n:.3f}",
            f"**{sum(r.aer for r, _ in runs) / n:.4f}**",
            ", ".join(f"{r.aer:.4f}" for r, _ in runs),
            f"{wall:.1f}",
            f"{sum(u['cpu_s'] for _, u in runs) / n:.1f}",
            f"{max(u['tree_mb'] for _, u in runs):.0f}",
            f"{wall / peer_wall:.2f}x" if peer_wall else "",
        ]
        print("| " + " | ".join(cells) + " |")
    print_curves(curves)
    return 0


CURVE_PLOT = REPO / "bench" / "posterior_threshold.svg"
SEEDS_MIN_SCORE = "0.45"  # the default posterior threshold


def threshold_curve(
    src: Path, tgt: Path, seed: int, gold_dir: Path, n_gold: int, folder: Path
) -> tuple[dict[str, Any], dict[str, float]]:
    """P/R/AER of posterior-mean symmetrization (the default's settings otherwise) against its
    threshold: the links of every mean posterior >= 0.05 with their scores, swept by
    ``wordalign eval``; the first seed's curve is drawn to CURVE_PLOT."""
    out = folder / f"curve.{seed}.pharaoh"
    usage = run_command(["align", "--method", "eflomal", "--src", str(src), "--tgt", str(tgt),
                 "--seed", str(seed), "--symmetrize", "posterior-mean",
                 "--posterior-threshold", "0.05", "--scores", "--out", str(out), "--overwrite",
                 "--no-progress"])  # fmt: skip
    head = folder / f"curve.{seed}.gold-pairs.pharaoh"
    with open(out, encoding="utf-8") as f:
        head.write_text("".join(next(f) for _ in range(n_gold)), encoding="utf-8")
    cmd = [sys.executable, "-m", "wordalign", "eval", "--gold",
           str(gold_dir / "alignments_pharaoh.txt"), "--pred", str(head),
           "--thresholds", "0.1:0.9:0.05", "--json"]  # fmt: skip
    if not CURVE_PLOT.exists() or seed == 0:
        cmd += ["--plot", str(CURVE_PLOT)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    curve: dict[str, Any] = json.loads(proc.stdout)
    return curve, usage


def print_curves(curves: list[dict[str, Any]]) -> None:
    """The threshold curves of the seeds: mean P/R/AER per threshold and each seed's best."""
    if not curves:
        return
    print(
        "\nThe threshold of posterior-mean symmetrization (`--posterior-threshold`), swept with "
        "`wordalign eval --thresholds 0.1:0.9:0.05 --json --plot` over each seed's output at "
        "threshold 0.05 with `--scores` (the default's settings otherwise); mean over the seeds, "
        f"plot of the first seed: bench/{CURVE_PLOT.name}.\n"
    )
    print("| threshold | P | R | AER (mean) | AER per seed |")
    print("|---|---|---|---|---|")
    n = len(curves)
    for k, row in enumerate(curves[0]["rows"]):
        per_seed = [c["rows"][k] for c in curves]
        each = ", ".join(f"{r['aer']:.4f}" for r in per_seed)
        print(
            f"| {row['threshold']:.2f} | {sum(r['precision'] for r in per_seed) / n:.3f} "
            f"| {sum(r['recall'] for r in per_seed) / n:.3f} "
            f"| {sum(r['aer'] for r in per_seed) / n:.4f} "
            f"| {each} |"
        )
    best = ", ".join(f"{c['best']['threshold']:.2f}" for c in curves)
    print(f"\nBest threshold per seed: {best}.")


if __name__ == "__main__":
    sys.exit(main())
