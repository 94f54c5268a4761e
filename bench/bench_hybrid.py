"""The hybrid aligner (eflomal + multilingual-e5-small) on DE-RM: quality, time and memory.

Training text: the development half of the gold (300 pairs) followed by every DE-RM corpus pair;
score: those 300 gold pairs, as in bench_quality.py. Two parts:

1. the command a user runs, ``wordalign align --method hybrid --model E5 --device cpu --src
   train.src --tgt train.tgt --seed 0``, as a fresh subprocess, timed as a whole (loading,
   encoding all pairs, sampling, writing) with the peak resident memory of its process tree;
2. the weight x threshold grid through the library: the encoder's posteriors are computed once
   (``Hybrid.fit_evidence``; they do not depend on the seed), eflomal is sampled for every seed,
   and ``Hybrid.combine`` gives each weight's and threshold's alignments of the gold pairs from
   the same evidence (``Evidence.head``).
   Weight 0 is eflomal alone (its posterior-mean at that threshold).

Usage::

    python bench/bench_hybrid.py [--corpus-dir out/corpus] [--seeds 0,1,2] [--layer 8]

Prints a markdown section on stdout and writes bench/hybrid_grid.svg. Long (about 45 minutes on
2 cores): ``make bench-hybrid``; ``make bench`` leaves it out.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_statistical import run_sampled, score, write_training_set
from real_model import e5_small_folder

REPO = Path(__file__).resolve().parent.parent
PLOT = REPO / "bench" / "hybrid_grid.svg"
WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0)
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = Path(os.environ.get("WORDALIGN_DATA") or REPO.parent / "shared" / "dermit")
    parser.add_argument("--corpus-dir", default=str(REPO / "out" / "corpus"))
    parser.add_argument("--gold-dir", default=str(data / "gold_standard"))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--layer", type=int, default=8)
    parser.add_argument("--model", help="encoder folder (default: the e5-small of real_model.py)")
    parser.add_argument("--skip-cli", action="store_true", help="only the library grid")
    parser.add_argument("--max-corpus", type=int, help="use only the first N corpus pairs (smoke)")
    args = parser.parse_args(argv)

    from wordalign.aligners.hybrid import Hybrid
    from wordalign.evaluation.metrics import evaluate
    from wordalign.io.bitext import read_bitext, read_parallel
    from wordalign.io.pharaoh import read_pharaoh

    model = Path(args.model) if args.model else e5_small_folder()
    if model is None:
        print("bench_hybrid: the e5-small source (../shared/models) is absent", file=sys.stderr)
        return 1
    seeds = [int(s) for s in args.seeds.split(",")]
    gold_dir = Path(args.gold_dir)
    gold_pairs = list(
        read_parallel(gold_dir / "alignments_src_text.txt", gold_dir / "alignments_trg_text.txt")
    )
    gold = list(read_pharaoh(gold_dir / "alignments_pharaoh.txt"))
    corpus = list(read_bitext(Path(args.corpus_dir) / "de-rm.tsv"))[: args.max_corpus]
    pairs = [*gold_pairs, *corpus]

    cli: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="wa-hybrid-") as tmp:
        folder = Path(tmp)
        src, tgt = write_training_set(gold_pairs, corpus, folder)
        if not args.skip_cli:
            out = folder / "hybrid.pharaoh"
            cmd = [
                str(Path(sys.executable).parent / "wordalign"), "align", "--method", "hybrid",
                "--model", str(model), "--layer", str(args.layer), "--device", "cpu",
                "--src", str(src), "--tgt", str(tgt), "--seed", str(seeds[0]),
                "--out", str(out),
            ]  # fmt: skip
            print("bench_hybrid: " + " ".join(cmd), file=sys.stderr, flush=True)
            rc, _, stderr, wall, peak = run_sampled(cmd)
            if rc != 0:
                print(stderr, file=sys.stderr)
                return 1
            cli = {"wall_s": wall, "peak_mb": peak / 2**20, "result": score(out, gold)}

    grid: dict[tuple[float, float], list[float]] = {}
    timings: dict[str, float] = {}
    encoder = None
    for seed in seeds:
        aligner = Hybrid(model=str(model), layer=args.layer, device="cpu", random_state=seed)
        start = time.perf_counter()
        evidence = aligner.fit_evidence(pairs, encoder=encoder)
        timings["encode + sample" if encoder is None else f"sample (seed {seed})"] = (
            time.perf_counter() - start
        )
        encoder = evidence.encoder
        gold_evidence = evidence.head(len(gold))  # the gold pairs come first
        for weight in WEIGHTS:
            for threshold in THRESHOLDS:
                aligner.set_params(weight=weight, posterior_threshold=threshold)
                pred = list(aligner.combine(gold_evidence))
                grid.setdefault((weight, threshold), []).append(evaluate(gold, pred).aer)
        print(f"bench_hybrid: seed {seed} done", file=sys.stderr, flush=True)

    report(args, model, len(gold_pairs), len(corpus), seeds, cli, grid, timings)
    plot(grid)
    return 0


def report(
    args: argparse.Namespace,
    model: Path,
    n_gold: int,
    n_corpus: int,
    seeds: list[int],
    cli: dict[str, Any] | None,
    grid: dict[tuple[float, float], list[float]],
    timings: dict[str, float],
) -> None:
    from wordalign.aligners.hybrid import Hybrid

    defaults = Hybrid().get_params()
    default_key = (defaults["weight"], defaults["posterior_threshold"])
    print("## Hybrid: eflomal + an encoder (issue 15)\n")
    print(
        f"Command: `python bench/bench_hybrid.py --seeds {args.seeds} --layer {args.layer}`. "
        f"Encoder: multilingual-e5-small (`{model.name}`, built by bench/real_model.py), layer "
        f"{args.layer}, fp32 on the CPU. Training: the {n_gold} development gold pairs + "
        f"{n_corpus:,} DE-RM corpus pairs; scored on those {n_gold} gold pairs.\n"
    )
    if cli is not None:
        r = cli["result"]
        print(
            "The user's command, `wordalign align --method hybrid --model E5 --device cpu --src "
            f"train.src --tgt train.tgt --seed {seeds[0]}` (defaults: weight "
            f"{defaults['weight']}, temperature {defaults['temperature']}, threshold "
            f"{defaults['posterior_threshold']}), one fresh subprocess:\n"
        )
        print("| pairs | P | R | AER | wall (s) | peak memory, tree (MB) |")
        print("|---|---|---|---|---|---|")
        print(
            f"| {n_gold + n_corpus:,} | {r.precision:.3f} | {r.recall:.3f} | **{r.aer:.4f}** | "
            f"{cli['wall_s']:.0f} | {cli['peak_mb']:.0f} |\n"
        )
    print(
        "The library grid, `Hybrid.fit_evidence` once per seed (the encoder's posteriors "
        "computed for the first seed only) and `Hybrid.combine` per cell: AER, mean over seeds "
        f"{', '.join(map(str, seeds))} (weight 0 = eflomal alone; bold: the defaults). "
        + ", ".join(f"{k}: {v:.0f} s" for k, v in timings.items())
        + f". Plot: bench/{PLOT.name}.\n"
    )
    print("| weight \\ threshold | " + " | ".join(f"{t:g}" for t in THRESHOLDS) + " |")
    print("|---|" + "---|" * len(THRESHOLDS))
    for weight in WEIGHTS:
        cells = []
        for threshold in THRESHOLDS:
            values = grid[(weight, threshold)]
            mean = sum(values) / len(values)
            text = f"{mean:.4f}"
            cells.append(f"**{text}**" if (weight, threshold) == default_key else text)
        print(f"| {weight:g} | " + " | ".join(cells) + " |")
    values = grid[default_key]
    base = grid[(0.0, default_key[1])]
    print(
        f"\nAt the defaults, per seed: {', '.join(f'{v:.4f}' for v in values)} (range "
        f"{min(values):.4f}-{max(values):.4f}); eflomal alone at the same threshold: "
        f"{', '.join(f'{v:.4f}' for v in base)}."
    )


def plot(grid: dict[tuple[float, float], list[float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for weight in WEIGHTS:
        means = [sum(grid[(weight, t)]) / len(grid[(weight, t)]) for t in THRESHOLDS]
        ax.plot(THRESHOLDS, means, marker="o", label=f"weight {weight:g}")
    ax.set_xlabel("posterior threshold")
    ax.set_ylabel("AER (dev half, mean over seeds)")
    ax.set_title("hybrid: eflomal + e5-small")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PLOT, format="svg", metadata={"Date": None})
    fig.savefig(PLOT.with_suffix(".png"), dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
