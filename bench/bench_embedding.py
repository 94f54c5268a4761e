"""Benchmark: SimAlign Match and IterMax, wordalign against the PyPI simalign package, on CPU.

Both align the same sentence pairs with the same model: an mBERT-architecture BERT
(``bert-base-multilingual-cased``'s configuration: 12 layers, hidden 768, 12 heads, a 119,547-token
vocabulary) with random weights, so nothing is downloaded. Its WordPiece vocabulary is trained on
DERMIT text (when present; synthetic text otherwise) and padded with synthetic pieces to mBERT's
size, so that words split into a realistic number of subwords. Loading is not timed; the links of
the two implementations are compared pair by pair.

Usage: ``python bench/bench_embedding.py [--pairs N] [--rounds R]``; prints a markdown section.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MBERT_VOCAB = 119547


def _dermit() -> Path | None:
    env = os.environ.get("WORDALIGN_DATA")
    for folder in (
        [Path(env)] if env else [Path(__file__).resolve().parents[1].parent / "shared" / "dermit"]
    ):
        if (folder / "gold_standard" / "alignments_src_text.txt").is_file():
            return folder
    return None


def _pairs_and_text(n_pairs: int) -> tuple[list[tuple[list[str], list[str]]], list[str], str]:
    folder = _dermit()
    if folder is not None:
        from wordalign.io.bitext import read_parallel

        gold = folder / "gold_standard"
        pairs = [
            (list(p.src), list(p.tgt))
            for p in read_parallel(
                gold / "alignments_src_text.txt", gold / "alignments_trg_text.txt"
            )
        ]
        text = [" ".join(s) for p in pairs for s in p]
        return (
            pairs[:n_pairs],
            text,
            f"the first {min(n_pairs, len(pairs))} pairs of the DE-RM gold (development half)",
        )
    rng = random.Random(0)
    syllables = ["ka", "la", "mun", "tsch", "ri", "ster", "gen", "ung", "ai", "ü", "à", "ch", "ver"]

    def sentence() -> list[str]:
        return [
            "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(5, 30))
        ]

    pairs = [(sentence(), sentence()) for _ in range(n_pairs)]
    return pairs, [" ".join(s) for p in pairs for s in p], f"{n_pairs} synthetic pairs"


def _build_model(folder: Path, text: list[str]) -> None:
    from wordalign.embed.random_model import (
        save_random_bert,
        synthetic_vocab,
        train_wordpiece_vocab,
    )

    vocab = train_wordpiece_vocab(text, vocab_size=30000)
    seen = set(vocab)
    vocab += [t for t in synthetic_vocab(MBERT_VOCAB + len(vocab)) if t not in seen]
    vocab = vocab[:MBERT_VOCAB]
    save_random_bert(
        folder,
        vocab,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=512,
        legacy_bin=False,
    )


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _rate(n_pairs: int, seconds: float) -> float:
    return n_pairs / seconds if seconds > 0 else float("inf")


def _time_reference(
    reference: Any, key: str, pairs: list[tuple[list[str], list[str]]]
) -> tuple[float, list[list[tuple[int, int]]]]:
    """Seconds for PyPI simalign to align ``pairs`` (one call per pair, its API), and its links."""
    reference.get_word_aligns(pairs[0][0], pairs[0][1])  # warm-up: not timed
    t0 = time.perf_counter()
    links = [reference.get_word_aligns(s, t)[key] for s, t in pairs]
    return time.perf_counter() - t0, links


def _time_ours(
    folder: Path, method: str, precision: str, pairs: list[tuple[list[str], list[str]]]
) -> tuple[float, list[list[tuple[int, int]]], int]:
    """Seconds for wordalign to align ``pairs`` (one call), its links, and the subword count."""
    from wordalign.aligners.embedding import SimAlign

    ours = SimAlign(
        model=str(folder), method=method, device="cpu", precision=precision, progress=False
    )
    ours.align(pairs[:1])  # loads the model the first time, and warms up: not timed
    t0 = time.perf_counter()
    alignments = ours.align(pairs)
    seconds = time.perf_counter() - t0
    encoder = ours._encoder()
    n_sub = sum(len(t.ids) for p in pairs for t in encoder.tokenize([p[0], p[1]]))
    return seconds, [sorted(a) for a in alignments], n_sub


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--methods", default="match,itermax")
    parser.add_argument(
        "--precisions",
        default=None,
        help="wordalign precisions to time (simalign always runs fp32); default fp32, plus bf16 "
        "on CPUs with bf16 instructions",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timed runs of each side, taking turns (the fastest is reported)",
    )
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.precisions is None:
        args.precisions = "fp32,bf16" if _cpu_has_bf16() else "fp32"
    precisions = args.precisions.split(",")

    try:
        import simalign
    except ImportError:
        simalign = None

    pairs, text, described = _pairs_and_text(args.pairs)
    n_sub = 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mbert-random"
        t0 = time.perf_counter()
        _build_model(folder, text)
        build_s = time.perf_counter() - t0
        for method in args.methods.split(","):
            reference = None
            key = {"match": "mwmf", "itermax": "itermax", "argmax": "inter"}[method]
            if simalign is not None:
                code = {"match": "m", "itermax": "i", "argmax": "a"}[method]
                reference = simalign.SentenceAligner(
                    model=str(folder), token_type="bpe", matching_methods=code, layer=8
                )
            ref_s: list[float] = []
            ours_s: dict[str, list[float]] = {p: [] for p in precisions}
            differ = dict.fromkeys(precisions, 0)
            ref_links: list[list[tuple[int, int]]] | None = None
            # The sides take turns (reference first in even rounds, wordalign first in odd ones)
            # so that a change in the machine's load hits both alike.
            for r in range(args.rounds):
                for side in ("ref", "ours") if r % 2 == 0 else ("ours", "ref"):
                    if side == "ref" and reference is not None:
                        seconds, ref_links = _time_reference(reference, key, pairs)
                        ref_s.append(seconds)
                        continue
                    if side == "ref":
                        continue
                    for precision in precisions:
                        seconds, links, n_sub = _time_ours(folder, method, precision, pairs)
                        ours_s[precision].append(seconds)
                        if ref_links is not None:
                            d = sum(a != b for a, b in zip(links, ref_links, strict=True))
                            differ[precision] = max(differ[precision], d)
            del reference
            for precision in precisions:
                same = "n/a (simalign not installed)"
                if ref_links is not None:
                    d = differ[precision]
                    same = "identical" if d == 0 else f"{d} of {len(pairs)} pairs differ"
                ratios = sorted(a / b for a, b in zip(ref_s, ours_s[precision], strict=False))
                best_ours = min(ours_s[precision])
                best_ref = min(ref_s) if ref_s else float("nan")
                rows.append(
                    (
                        f"simalign-{method}, {precision}",
                        _rate(len(pairs), best_ours),
                        _rate(len(pairs), best_ref),
                        best_ref / best_ours,
                        f"{ratios[0]:.1f}-{ratios[-1]:.1f}" if ratios else "n/a",
                        same,
                    )
                )

    print("## Embedding aligners: SimAlign on an mBERT-size model, CPU\n")
    print(
        f"Pairs: {described} ({n_sub} subwords in all). Model: BERT with mBERT's configuration "
        f"and random weights (built in {build_s:.0f} s, not timed); layer 8; subword level; "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads. "
        "Command: `python bench/bench_embedding.py "
        f"--pairs {args.pairs} --methods {args.methods} --precisions {args.precisions} "
        f"--rounds {args.rounds}{f' --threads {args.threads}' if args.threads else ''}`.\n"
    )
    print(
        f"Each side aligns all pairs {args.rounds} times, the two sides taking turns in the same "
        "process; each is warmed up on one pair first, and loading a model is not timed. "
        "simalign aligns one pair per call (its API); wordalign aligns the list in one call. "
        "Rates are from each side's fastest round (other work on the machine only ever slows a "
        "round down), the speed-up is their ratio; in parentheses, the range of the ratios of "
        "the two sides' times round by round.\n"
    )
    print(
        "| method, wordalign precision | wordalign pairs/s | simalign pairs/s | speed-up | links |"
    )
    print("| --- | ---: | ---: | ---: | --- |")
    for method, ours_rate, ref_rate, speedup, spread, same in rows:
        print(
            f"| {method} | {ours_rate:.1f} | {ref_rate:.1f} | {speedup:.1f}× ({spread}) | {same} |"
        )
    print(
        "\nwordalign embeds many sentences per forward pass (sorted by length), stops the network "
        "at layer 8 instead of running all 12, runs the fp32 linear layers on the CPU through "
        "oneDNN instead of torch's default BLAS, MKL, which is slow on AMD CPUs "
        "(wordalign/embed/onednn.py), "
        "and solves Match as a linear assignment (scipy) instead of networkx's blossom "
        "algorithm. fp32 is the default on CPU and reproduces the reference; bf16 "
        '(`precision="bf16"`, autocast) is an option for CPUs with bf16 instructions: faster, '
        "with links that can differ where similarities are near ties."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
