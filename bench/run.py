"""Run every benchmark in bench/ and rewrite bench/RESULTS.md.

Each benchmark is a script ``bench/bench_*.py`` that prints a markdown section on stdout (its own
heading, the commands it ran and the numbers it measured) and exits 0. This runner records the
machine, runs the scripts one after another (so they do not compete for the two cores), and
writes their sections into RESULTS.md. A script that fails is reported with its exit code and the
end of its stderr; the others still run.

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
    sections = []
    failed = 0
    for script in scripts:
        print(f"bench: running {script.name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        if proc.returncode == 0:
            sections.append(proc.stdout.strip())
        else:
            failed += 1
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            sections.append(
                f"## {script.stem}\n\nFAILED with exit code {proc.returncode} after "
                f"{elapsed:.0f} s:\n\n```\n{tail}\n```"
            )
        print(f"bench: {script.name} took {elapsed:.0f} s", file=sys.stderr, flush=True)

    text = "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand.",
            "",
            *machine_description(),
            "",
            *(section + "\n" for section in sections),
        ]
    )
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
