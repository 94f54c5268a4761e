"""Run every benchmark in bench/ and rewrite bench/RESULTS.md.

Each benchmark is a script ``bench/bench_*.py`` that prints a markdown section on stdout (its own
heading, the commands it ran and the numbers it measured) and exits 0. This runner records the
machine, runs the scripts one after another (so they do not compete for the two cores), and
writes their sections into RESULTS.md. A script that fails is reported with its exit code and the
end of its stderr; the others still run.

The long benchmarks (:data:`LONG`: fine-tuning, the hybrid on the whole corpus) run only when
named with ``--only`` (``make bench-finetune``, ``make bench-hybrid``). Each section is kept
between ``<!-- bench: NAME -->`` markers, so that a run of some benchmarks replaces their sections
and keeps the others (a section without markers, from before they existed, is kept as it is).

Usage: ``python bench/run.py [--only NAME ...] [--out bench/RESULTS.md]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
LONG = ("bench_finetune", "bench_hybrid")
"""Benchmarks of about an hour each: run only when named with ``--only``."""
HEADER = "# Benchmark results"


def machine_description() -> list[str]:
    """Lines describing the machine the numbers were measured on."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}",
        f"- Python {platform.python_version()} on {platform.platform()}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (file stems)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "RESULTS.md")
    args = parser.parse_args(argv)

    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in args.only or s.stem[6:] in args.only]
    else:
        scripts = [s for s in scripts if s.stem not in LONG]
    sections: dict[str, str] = {}
    failed = 0
    for script in scripts:
        print(f"bench: running {script.name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        if proc.returncode == 0:
            when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            sections[script.stem] = f"{proc.stdout.strip()}\n\n_Measured {when}, {elapsed:.0f} s._"
        else:
            failed += 1
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            sections[script.stem] = (
                f"## {script.stem}\n\nFAILED with exit code {proc.returncode} after "
                f"{elapsed:.0f} s:\n\n```\n{tail}\n```"
            )
        print(f"bench: {script.name} took {elapsed:.0f} s", file=sys.stderr, flush=True)

    old = args.out.read_text(encoding="utf-8") if args.only and args.out.exists() else ""
    text = merge(old, sections)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


def merge(old: str, sections: dict[str, str]) -> str:
    """RESULTS.md with ``sections`` in place of their earlier versions in ``old`` (or after
    them) and this machine's description; ``old`` empty writes the sections alone."""
    kept: list[tuple[str | None, str]] = []  # (benchmark or None for unmarked text, text)
    body = old.split("\n\n", 1)[1] if old.startswith(HEADER) else old
    # Drop the old header block: "Written by ..." and the machine lines.
    lines = body.splitlines()
    while lines and (lines[0].startswith(("Written by", "- ")) or not lines[0].strip()):
        lines.pop(0)
    body = "\n".join(lines)
    pos = 0
    while True:
        start = body.find("<!-- bench: ", pos)
        if start < 0:
            if body[pos:].strip():
                kept.append((None, body[pos:].strip()))
            break
        if body[pos:start].strip():
            kept.append((None, body[pos:start].strip()))
        name_end = body.index(" -->", start)
        name = body[start + len("<!-- bench: ") : name_end]
        close = f"<!-- /bench: {name} -->"
        end = body.find(close, name_end)
        end = len(body) if end < 0 else end + len(close)
        kept.append((name, body[name_end + len(" -->") : end].replace(close, "").strip()))
        pos = end
    replaced = {name for name, _ in kept if name in sections}
    blocks = [(name, sections.get(name, text) if name else text) for name, text in kept]
    blocks += [(name, text) for name, text in sections.items() if name not in replaced]
    rendered = [
        text if name is None else f"<!-- bench: {name} -->\n{text}\n<!-- /bench: {name} -->"
        for name, text in blocks
    ]
    return "\n".join(
        [
            HEADER,
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand.",
            "",
            *machine_description(),
            "",
            *(block + "\n" for block in rendered),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
