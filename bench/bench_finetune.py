"""Benchmark: fine-tuning multilingual-e5-small on DE-RM corpus pairs, AER on the dev gold.

The encoder is the real multilingual-e5-small (a ``BertModel`` without a masked-LM head: 12
layers, hidden 384, a 250,037-id vocabulary), built by ``bench/real_model.py`` into the cache.
It is fine-tuned with ``wordalign.finetune`` on DE-RM corpus pairs (``out/corpus/de-rm.tsv``)
from which every pair sharing a sentence with the gold standard is removed, and the SimAlign
methods (both levels) and awesome-align's extraction are scored on the development half of the
gold (300 pairs) before training and at every checkpoint. The defaults fit a 60-minute CPU
budget on two cores: SO alone (the one objective that needs no masked-LM head; 100 such steps
took awesome-align's AER from 0.442 to 0.272 in issue 15), 200 steps of 4 batches of 8 pairs
(6,400 pairs, one pass), 2e-5 with 10% warm-up, inputs cut to 128 subwords, AER every 40 steps;
``--objectives tlm,so`` adds TLM with a new head (softmax over the corpus's subwords); a TLM
batch costs about three times an SO batch (measured: 4.6-7.2 s against 1.4-2.3 s for 8 pairs).

Writes ``OUT/aer_vs_steps.{svg,png,md,json}`` and prints the markdown section.

Usage: ``python bench/bench_finetune.py [--steps N] [--eval-every K] [--objectives so]``
(``make bench-finetune``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from real_model import e5_small_folder

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


def dermit_dir() -> Path | None:
    env = os.environ.get("WORDALIGN_DATA")
    for folder in [Path(env)] if env else [REPO.parent / "shared" / "dermit"]:
        if (folder / "gold_standard" / "alignments_pharaoh.txt").is_file():
            return folder
    return None


def training_pairs(
    corpus: Path, gold_pairs: list[Any], n_pairs: int, seed: int
) -> tuple[list[Any], int, int]:
    """``n_pairs`` corpus pairs drawn at random (seeded), none sharing a sentence with the gold;
    also the corpus size and how many pairs were removed for sharing one."""
    from wordalign.io.bitext import read_bitext

    gold_sentences = {" ".join(p.src) for p in gold_pairs} | {" ".join(p.tgt) for p in gold_pairs}
    pairs = [p for p in read_bitext(corpus) if p.src and p.tgt]
    kept = [
        p
        for p in pairs
        if " ".join(p.src) not in gold_sentences and " ".join(p.tgt) not in gold_sentences
    ]
    random.Random(seed).shuffle(kept)
    return kept[:n_pairs], len(pairs), len(pairs) - len(kept)


def evaluate_folder(
    folder: Path, pairs: list[Any], gold: list[Any], layer: int
) -> dict[str, float]:
    """AER of every SimAlign method at both levels and of awesome-align on the gold pairs."""
    from wordalign.experiments.methods import run_methods

    run = run_methods(
        pairs,
        gold,
        [str(folder)],
        methods=("argmax", "itermax", "match", "awesome"),
        layer=layer,
        device="cpu",
        progress=False,
    )
    return {
        ("awesome" if r.method == "awesome" else f"simalign {r.level} {r.method}"): r.aer
        for r in run.results
    }


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def write_plot(
    points: list[dict[str, Any]], systems: list[str], out: Path, title: str
) -> list[Path]:
    """AER against steps, one line per system; nothing without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    steps = [p["step"] for p in points]
    for system in systems:
        style = {"linewidth": 2.2} if system == "awesome" else {"linewidth": 1.2}
        ax.plot(steps, [p["aer"][system] for p in points], marker="o", label=system, **style)
    ax.set_xlabel("fine-tuning steps")
    ax.set_ylabel("AER (dev gold, lower is better)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    written = []
    for suffix in (".svg", ".png"):
        path = out.with_suffix(suffix)
        fig.savefig(path, dpi=120)
        written.append(path)
    plt.close(fig)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="encoder folder (default: e5-small)")
    parser.add_argument("--corpus", type=Path, default=REPO / "out" / "corpus" / "de-rm.tsv")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "bench-finetune")
    parser.add_argument(
        "--pairs", type=int, help="training pairs drawn (default: one epoch of the steps)"
    )
    parser.add_argument("--steps", type=int, default=1400, help="optimizer steps")
    parser.add_argument("--eval-every", type=int, default=200, help="checkpoint + AER every K")
    parser.add_argument("--objectives", default="so")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--accumulation", type=int, default=1, help="batches per step")
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--warmup", type=float, default=0.1, help="share of steps warming up")
    parser.add_argument("--max-length", type=int, default=128, help="subwords per input")
    parser.add_argument("--mlm-vocab", default="corpus", choices=("full", "corpus"))
    parser.add_argument("--layer", type=int, default=8)
    parser.add_argument(
        "--eval-pairs", type=int, default=300, help="dev gold pairs scored (the first N)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--keep", action="store_true", help="keep the fine-tuned model")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)

    import torch

    from wordalign.finetuning import finetune
    from wordalign.io.bitext import read_parallel
    from wordalign.io.pharaoh import read_pharaoh

    if args.threads:
        torch.set_num_threads(args.threads)
    model = args.model or e5_small_folder()
    data = dermit_dir()
    missing = [
        what
        for what, ok in (
            ("the e5-small model (bench/real_model.py)", model is not None),
            ("the DERMIT gold standard (WORDALIGN_DATA)", data is not None),
            (f"the corpus {args.corpus} (make demo builds it)", args.corpus.is_file()),
        )
        if not ok
    ]
    if missing:
        print(f"bench_finetune: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    assert model is not None and data is not None
    gold_dir = data / "gold_standard"
    gold_pairs = list(
        read_parallel(gold_dir / "alignments_src_text.txt", gold_dir / "alignments_trg_text.txt")
    )
    gold = list(read_pharaoh(gold_dir / "alignments_pharaoh.txt"))
    # Every gold sentence is kept out of training; the first --eval-pairs are scored.
    scored_pairs, scored_gold = gold_pairs[: args.eval_pairs], gold[: args.eval_pairs]
    wanted = args.pairs or args.steps * args.batch_size * args.accumulation
    pairs, n_corpus, n_removed = training_pairs(args.corpus, gold_pairs, wanted, args.seed)
    run_dir = args.out / "model"
    args.out.mkdir(parents=True, exist_ok=True)
    eval_seconds: list[float] = []
    points: list[dict[str, Any]] = []

    def record(step: int, folder: Path) -> None:
        t0 = time.perf_counter()
        aer = evaluate_folder(folder, scored_pairs, scored_gold, args.layer)
        eval_seconds.append(time.perf_counter() - t0)
        points.append({"step": step, "aer": aer})
        best = min((v, k) for k, v in aer.items() if k != "awesome")
        print(
            f"bench_finetune: step {step}: awesome {aer['awesome']:.3f}, best SimAlign "
            f"{best[1]} {best[0]:.3f} ({eval_seconds[-1]:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    record(0, model)
    step_times: list[float] = []
    last = [time.perf_counter()]

    def callback(step: int, losses: Any) -> None:
        now = time.perf_counter()
        step_times.append(now - last[0])
        if step % args.eval_every == 0 or step == args.steps:
            record(step, run_dir / f"checkpoint-{step}")
        last[0] = time.perf_counter()

    t0 = time.perf_counter()
    result = finetune(
        model,
        pairs,
        run_dir,
        objectives=args.objectives,
        max_steps=args.steps,
        batch_size=args.batch_size,
        gradient_accumulation_steps=args.accumulation,
        learning_rate=args.learning_rate,
        warmup_steps=int(args.warmup * args.steps),
        align_layer=args.layer,
        block_size=args.max_length,
        mlm_vocab=args.mlm_vocab,
        new_head=True,
        save_steps=args.eval_every,
        keep_checkpoints=1,
        seed=args.seed,
        device="cpu",
        overwrite=True,
        progress=True,
        log=lambda m: print(f"bench_finetune: {m}", file=sys.stderr),
        callback=callback,
    )
    wall = time.perf_counter() - t0
    checkpoint = run_dir / f"checkpoint-{args.steps}"
    checkpoint_mb = folder_mb(checkpoint) if checkpoint.is_dir() else float("nan")
    # The first step pays for setting up (loading, encoding); the steady rate is the others'.
    steady = step_times[1:] or step_times
    per_step = sum(steady) / len(steady)
    total_eval = sum(eval_seconds)

    systems = list(points[0]["aer"])
    best0 = min((points[0]["aer"][k], k) for k in systems if k != "awesome")[1]
    level = best0.split()[1]
    shown = ["awesome"] + [s for s in systems if s.startswith(f"simalign {level} ")]
    objectives = "+".join(o.upper() for o in result.objectives)
    plot = write_plot(
        points,
        shown,
        args.out / "aer_vs_steps",
        f"e5-small fine-tuned ({objectives}, batch {args.batch_size}) on DE-RM, dev gold",
    )
    command = "python bench/bench_finetune.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    lines = [
        "## Fine-tuning multilingual-e5-small on DE-RM (AER against steps)",
        "",
        f"`{command.strip()}`: {objectives} on {result.pairs:,} DE-RM corpus pairs drawn from "
        f"{n_corpus:,} ({n_removed:,} sharing a sentence with the gold left out), batches of "
        f"{args.batch_size} x {args.accumulation}, learning rate {args.learning_rate:g} with "
        f"{int(args.warmup * args.steps)} warm-up steps, inputs cut to {args.max_length} "
        f"subwords, MLM vocabulary {args.mlm_vocab}; scored on {len(scored_pairs)} of the "
        f"{len(gold_pairs)} "
        f"development gold pairs, layer {args.layer}.",
        "",
        f"- {result.steps} steps in {wall:.0f} s ({total_eval:.0f} s of it evaluating): "
        f"{per_step:.2f} s a step after the first ({step_times[0]:.1f} s with the setup), "
        f"{per_step / (args.batch_size * args.accumulation):.3f} s a pair",
        f"- checkpoint: {checkpoint_mb:.0f} MB (encoder, tokenizer"
        + (", head" if any(o in ("mlm", "tlm") for o in result.objectives) else "")
        + "; no optimizer state)",
        f"- last losses: {', '.join(f'{k} {v:.3f}' for k, v in result.last_losses().items())}",
        "",
        "| step | " + " | ".join(systems) + " |",
        "|---:|" + "---:|" * len(systems),
    ]
    for point in points:
        lines.append(
            f"| {point['step']} | " + " | ".join(f"{point['aer'][s]:.3f}" for s in systems) + " |"
        )
    if plot:
        # A copy beside RESULTS.md, which names it: out/ is not committed.
        kept = [BENCH_DIR / f"finetune_{Path(p).name}" for p in plot]
        for source, target in zip(plot, kept, strict=True):
            shutil.copyfile(source, target)
        lines += ["", f"Plot: {', '.join(f'bench/{p.name}' for p in kept)}"]
    text = "\n".join(lines) + "\n"
    (args.out / "aer_vs_steps.md").write_text(text, encoding="utf-8")
    summary = {
        "settings": vars(args)
        | {"model": str(model), "corpus": str(args.corpus), "out": str(args.out)},
        "pairs": result.pairs,
        "steps": result.steps,
        "seconds": wall,
        "eval_seconds": eval_seconds,
        "step_seconds": step_times,
        "checkpoint_mb": checkpoint_mb,
        "losses": result.losses,
        "points": points,
    }
    (args.out / "aer_vs_steps.json").write_text(
        json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8"
    )
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
