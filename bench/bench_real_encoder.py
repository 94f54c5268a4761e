"""Benchmark: SimAlign and awesome-align on a real pretrained encoder, layer by layer, CPU.

The encoder is multilingual-e5-small (12 layers, hidden 384, XLM-R's 250,002-piece vocabulary),
built once from ``../shared/models`` into the cache by ``bench/real_model.py``. One command,
``wordalign experiment methods --models E5 --layers 4-12``, scores every SimAlign method
(Argmax, Itermax, Match) at both levels and awesome-align (its reference extraction: softmax,
threshold 1e-3) at each layer 4-12 on the 300 development gold pairs, from one forward pass per
sentence; this script runs it, times it, and prints a markdown section: each system's best
layer beside the paper's layer-8 numbers (mBERT and XLM-R, Tables 5 and 2), AER by layer, and
the speed. The plot is copied to ``bench/real_encoder_layers.svg``.

Without the model source or the DERMIT gold it prints a section saying so and exits 0.

Usage: ``python bench/bench_real_encoder.py [--layers 4-12] [--out out/bench/real-encoder]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
HEADING = "## Embedding aligners on a real encoder: multilingual-e5-small, layers, CPU"


def _dermit() -> Path | None:
    env = os.environ.get("WORDALIGN_DATA")
    folder = Path(env) if env else REPO.parent / "shared" / "dermit"
    return folder if (folder / "gold_standard" / "alignments_pharaoh.txt").is_file() else None


def _not_run(reason: str) -> int:
    print(f"{HEADING}\n\nNot run: {reason}.")
    return 0


def _shown(path: Path) -> str:
    """``path`` as the reader would type it: relative to the repository or home when inside."""
    for base, prefix in ((REPO, ""), (REPO.parent, "../"), (Path.home(), "~/")):
        try:
            return prefix + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def _section(payload: dict, command: str, wall: float, threads: str, load: float) -> list[str]:
    rows = payload["results"]
    layers = payload["layers"]
    n = payload["sentences"]
    by_system: dict[str, dict[int, dict]] = {}
    for row in rows:
        by_system.setdefault(row["system"], {})[row["layer"]] = row

    def label(row: dict) -> str:
        return "awesome-align" if row["method"] == "awesome" else f"{row['level']} {row['method']}"

    def num(value: float | str) -> str:
        return "–" if value == "" else f"{value:.3f}"

    out = [
        HEADING,
        "",
        f"Pairs: the {n} DE-RM gold pairs (development half); layers {layers[0]}-{layers[-1]}; "
        f"torch threads: {threads}. Command (one process, {wall:.0f} s wall, model loading "
        f"included): `{command}`. The model folder comes from `python bench/real_model.py` "
        "(built once from ../shared/models/multilingual-e5-small-q4).",
        "",
        "Each system's best layer; the paper's numbers are mBERT's and XLM-R's at layer 8 on all "
        "600 gold pairs (Table 5 for SimAlign, with no mBERT word level; Table 2 for "
        "awesome-align), so they compare models, not implementations.",
        "",
        "| system | best layer | P | R | AER | AER at 8 | paper mBERT AER | paper XLM-R AER |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rows_by_layer in by_system.values():
        top = min(rows_by_layer.values(), key=lambda r: (r["aer"], r["layer"]))
        at8 = rows_by_layer.get(8)
        out.append(
            f"| {label(top)} | {top['layer']} | {num(top['precision'])} | {num(top['recall'])} | "
            f"{num(top['aer'])} | {num(at8['aer']) if at8 else '–'} | "
            f"{num(top['paper_mbert_aer'])} | {num(top['paper_xlmr_aer'])} |"
        )
    out += [
        "",
        "AER by layer:",
        "",
        "| system | " + " | ".join(map(str, layers)) + " |",
        "| --- | " + " | ".join("---:" for _ in layers) + " |",
    ]
    for rows_by_layer in by_system.values():
        first = next(iter(rows_by_layer.values()))
        cells = [num(rows_by_layer[x]["aer"]) if x in rows_by_layer else "–" for x in layers]
        out.append(f"| {label(first)} | " + " | ".join(cells) + " |")
    forward = rows[0]["embed_seconds"]
    out += [
        "",
        f"Speed: the one forward pass over the {2 * n} gold sentences up to layer {layers[-1]} "
        f"took {forward:.1f} s ({n / forward:.1f} pairs/s; load average {load:.1f} on "
        f"{os.cpu_count()} cores when the run began); each system's extraction at one layer, "
        "after that pass (median over the layers):",
        "",
        "| system | extraction pairs/s |",
        "| --- | ---: |",
    ]
    for rows_by_layer in by_system.values():
        seconds = sorted(r["seconds"] for r in rows_by_layer.values())
        median = seconds[len(seconds) // 2]
        first = next(iter(rows_by_layer.values()))
        out.append(f"| {label(first)} | {n / median:.0f} |" if median > 0 else "| – |")
    out += [
        "",
        "Plot (AER against the layer, the paper's mBERT at layer 8 as crosses): "
        "`bench/real_encoder_layers.svg`.",
    ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="4-12")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "bench" / "real-encoder")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = parser.parse_args()

    sys.path.insert(0, str(BENCH_DIR))
    import real_model

    data = _dermit()
    if data is None:
        return _not_run("the DERMIT gold is absent (set WORDALIGN_DATA or use ../shared/dermit)")
    try:
        import safetensors  # noqa: F401
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        return _not_run(f"{exc.name} is not installed (pip install wordalign[neural])")
    folder = real_model.e5_small_folder()
    if folder is None:
        return _not_run(f"the model source {real_model.models_dir() / real_model.SOURCE} is absent")

    argv = ["experiment", "methods", "--models", str(folder), "--layers", args.layers]
    argv += ["--device", "cpu", "--data", str(data), "--out", str(args.out), "--overwrite"]
    argv += ["--no-progress"]
    env = dict(os.environ)
    threads = str(args.threads) if args.threads else f"torch's default ({torch.get_num_threads()})"
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "wordalign", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return proc.returncode
    payload = json.loads((args.out / "layers.json").read_text(encoding="utf-8"))
    shown = ["wordalign", *argv]
    shown[shown.index("--models") + 1] = _shown(folder)
    shown[shown.index("--data") + 1] = _shown(data)
    shown[shown.index("--out") + 1] = _shown(args.out)
    print("\n".join(_section(payload, " ".join(shown), wall, threads, load)))
    svg = args.out / "layers.svg"
    if svg.is_file():
        shutil.copyfile(svg, BENCH_DIR / "real_encoder_layers.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
