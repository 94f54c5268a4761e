"""Acceptance numbers of the DERMIT sentence-pair build (issue 3).

Builds the three pairs (or reuses a build), then prints, as markdown:

* the number of pairs per language pair (targets: DE-RM >= 100,000; DE-IT, RM-IT >= 95,000);
* of the gold German sentences, the share found as a German side of ``de-rm.tsv`` (>= 95%),
  sentences compared after removing all whitespace and lowercasing;
* of those found, the share paired with exactly the gold Romansh sentence (>= 99%);
* of those correctly paired, the share whose German and Romansh tokens equal the gold's (>= 95%);
* the build time (wall clock and CPU).

Usage: ``python bench/bench_corpus.py [--data DIR] [--out DIR] [--reuse] [--jobs 2]``;
the data comes from ``--data`` or ``WORDALIGN_DATA`` (else ``../shared/dermit``). The outputs are
derived from DERMIT (research use only): write them outside the repository (default: a folder
under the system's temporary directory), never commit them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

TARGETS = {"de-rm": 100_000, "de-it": 95_000, "rm-it": 95_000}


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split()).lower()


def _tokens(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def _read_gold(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        index, _, text = line.partition("\t")
        out[index] = text
    return out


def _default_data() -> Path:
    env = os.environ.get("WORDALIGN_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "dermit"


def gold_numbers(out_dir: Path, gold_dir: Path) -> dict[str, float]:
    """Coverage, pairing and tokenization agreement of ``de-rm.tsv`` with the gold sentences."""
    gold_src = _read_gold(gold_dir / "alignments_src_text.txt")
    gold_tgt = _read_gold(gold_dir / "alignments_trg_text.txt")
    by_src: dict[str, list[tuple[str, str]]] = {}
    with open(out_dir / "de-rm.tsv", encoding="utf-8") as handle:
        for line in handle:
            src, tgt = line.rstrip("\n").split("\t")
            by_src.setdefault(_key(src), []).append((src, tgt))
    found = paired = paired_all = tokens_equal = 0
    for index, src_text in gold_src.items():
        rows = by_src.get(_key(src_text))
        if not rows:
            continue
        found += 1
        gold_key = _key(gold_tgt[index])
        matching = [(s, t) for s, t in rows if _key(t) == gold_key]
        if not matching:
            continue
        paired += 1
        paired_all += len(matching) == len(rows)
        src, tgt = matching[0]
        tokens_equal += src.split(" ") == _tokens(src_text) and tgt.split(" ") == _tokens(
            gold_tgt[index]
        )
    total = len(gold_src)
    return {
        "gold": total,
        "found": found,
        "paired": paired,
        "paired_all_rows": paired_all,
        "tokens_equal": tokens_equal,
        "found_share": found / total if total else 0.0,
        "paired_share": paired / found if found else 0.0,
        "tokens_share": tokens_equal / paired if paired else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="DERMIT folder")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "wordalign-corpus-acceptance",
        help="where to build (never inside the repository)",
    )
    parser.add_argument("--reuse", action="store_true", help="measure an existing build in --out")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--merges", action="store_true", help="also keep 1-2/2-1/2-2 beads")
    args = parser.parse_args(argv)
    data = args.data or _default_data()

    print("## DERMIT sentence pairs: acceptance (issue 3)\n")
    if not args.reuse:
        from wordalign.corpus.build import BuildParams, build_corpus

        started = time.perf_counter()
        cpu_before = (
            resource.getrusage(resource.RUSAGE_SELF).ru_utime
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        )
        build_corpus(
            data,
            args.out,
            params=BuildParams(merges=args.merges),
            n_jobs=args.jobs,
            show_progress=sys.stderr.isatty(),
        )
        wall = time.perf_counter() - started
        cpu = (
            resource.getrusage(resource.RUSAGE_SELF).ru_utime
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            - cpu_before
        )
        print(f"- build: {wall:.0f} s wall clock, {cpu:.0f} s CPU (user), {args.jobs} jobs")
    print(f"- command: `python bench/bench_corpus.py --jobs {args.jobs}` (data: {data})\n")
    print("| pair | pairs | target | ok |")
    print("| --- | ---: | ---: | --- |")
    passed = True
    for pair, target in TARGETS.items():
        path = args.out / f"{pair}.tsv"
        count = 0
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                count = sum(1 for _ in handle)
        passed &= count >= target
        print(f"| {pair} | {count:,} | {target:,} | {'yes' if count >= target else 'NO'} |")
    numbers = gold_numbers(args.out, data / "gold_standard")
    checks = [
        ("gold German sentences found in de-rm.tsv", "found", "gold", "found_share", 0.95),
        ("found ones paired with the gold Romansh", "paired", "found", "paired_share", 0.99),
        ("paired ones tokenized as the gold", "tokens_equal", "paired", "tokens_share", 0.95),
    ]
    print("\n| measure | count | share | target | ok |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, num, den, share, target in checks:
        ok = numbers[share] >= target
        passed &= ok
        print(
            f"| {label} | {numbers[num]:.0f} / {numbers[den]:.0f} | {numbers[share]:.2%} | "
            f"{target:.0%} | {'yes' if ok else 'NO'} |"
        )
    print(
        f"\n(found German sides whose every row pairs with the gold Romansh: "
        f"{numbers['paired_all_rows']:.0f})"
    )
    print(f"\nall acceptance targets met: {'yes' if passed else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
