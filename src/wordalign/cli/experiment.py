"""``wordalign experiment``: reproduce the paper's experiments.

* ``wordalign experiment learning-curve --pair de-rm [--pairs-file F] [--sizes 1k,5k,all]
  [--methods fastalign,eflomal] --out DIR``: Table 4 and Figures 4-5 of Dolev (2023).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from wordalign.errors import WordalignError

log = logging.getLogger(__name__)

DEFAULT_PAIRS_FILE = "out/corpus/de-rm.tsv"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``experiment`` and its sub-subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "experiment",
        help="reproduce the paper's experiments (learning curve)",
        description="Reproduce experiments of Dolev (2023) on the DERMIT data.",
    )
    parser.set_defaults(run=lambda args: parser.error("choose an experiment"))
    sub = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    curve = sub.add_parser(
        "learning-curve",
        help="AER of the statistical aligners against training size (paper, Table 4)",
        description=(
            "Train each method on the gold sentence pairs followed by N corpus pairs, for every "
            "size, score the gold pairs and write OUT/learning_curve.{md,csv,json,svg} (and .png "
            "when matplotlib is installed) beside the paper's Table 4. DERMIT is for research "
            "use only; commercial use is prohibited."
        ),
    )
    curve.add_argument("--pair", choices=["de-rm"], default="de-rm", help="language pair (de-rm)")
    curve.add_argument(
        "--pairs-file",
        default=DEFAULT_PAIRS_FILE,
        metavar="FILE",
        help=(
            f"corpus pairs, as 'wordalign corpus build' writes them (default: {DEFAULT_PAIRS_FILE})"
        ),
    )
    curve.add_argument(
        "--data",
        metavar="DIR",
        help="DERMIT folder with gold_standard/ (default: $WORDALIGN_DATA, else the cache)",
    )
    curve.add_argument(
        "--sizes",
        default="0,1k,5k,10k,25k,50k,75k,all",
        help="corpus pairs added to the gold pairs (default: %(default)s)",
    )
    curve.add_argument(
        "--methods", default="fastalign,eflomal", help="aligners (default: %(default)s)"
    )
    curve.add_argument("--seed", type=int, default=None, help="random_state of random aligners")
    curve.add_argument("--out", required=True, metavar="DIR", help="output folder")
    curve.add_argument("--overwrite", action="store_true", help="replace result files in --out")
    curve.add_argument("--no-progress", action="store_true", help="hide progress bars")
    curve.set_defaults(run=run_learning_curve)
    return parser


GOLD_FILES = ("alignments_src_text.txt", "alignments_trg_text.txt", "alignments_pharaoh.txt")


def _gold_dir(data: str | None, progress: bool) -> Path:
    """``gold_standard/`` of ``--data`` or ``$WORDALIGN_DATA``, else of the (downloaded) cache."""
    import os

    from wordalign.corpus.dermit import ENV_DATA, resolve_data_dir

    root = data or os.environ.get(ENV_DATA)
    folder = (Path(root) if root else resolve_data_dir(None, progress=progress)) / "gold_standard"
    for name in GOLD_FILES:
        if not (folder / name).is_file():
            raise WordalignError(f"{folder / name}: gold standard file not found")
    return folder


def _log_point(point: Any) -> None:
    log.info(
        "%s N=%d: P %.3f R %.3f AER %.3f (%.1f s)",
        *(point.method, point.size, point.precision, point.recall, point.aer, point.seconds),
    )


def run_learning_curve(args: argparse.Namespace) -> int:
    from wordalign.experiments.learning_curve import (
        parse_sizes,
        render_markdown,
        run_learning_curve,
        write_results,
    )
    from wordalign.io.bitext import read_bitext, read_parallel
    from wordalign.io.pharaoh import read_pharaoh
    from wordalign.registry import get_aligner_class

    sizes = parse_sizes(args.sizes)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    params: dict[str, dict[str, Any]] = {}
    for method in methods:
        cls = get_aligner_class(method)  # unknown names fail here, before any work
        if args.seed is not None and "random_state" in cls._param_names():
            params[method] = {"random_state": args.seed}
    pairs_file = Path(args.pairs_file)
    if not pairs_file.is_file():
        raise WordalignError(
            f"{pairs_file}: no such file (build it with 'wordalign corpus build --pairs "
            f"{args.pair} --out {pairs_file.parent}')"
        )
    out = Path(args.out)
    if not args.overwrite and (out / "learning_curve.md").exists():
        raise WordalignError(f"{out}: holds results already (use --overwrite to replace them)")
    gold_dir = _gold_dir(args.data, progress=not args.no_progress)
    gold_pairs = list(
        read_parallel(gold_dir / "alignments_src_text.txt", gold_dir / "alignments_trg_text.txt")
    )
    gold = list(read_pharaoh(gold_dir / "alignments_pharaoh.txt"))
    corpus = list(read_bitext(pairs_file))
    points = run_learning_curve(
        gold_pairs,
        gold,
        corpus,
        sizes=sizes,
        methods=methods,
        params=params,
        progress=not args.no_progress,
        on_point=_log_point,
    )
    written = write_results(points, out, overwrite=args.overwrite)
    sys.stdout.write(render_markdown(points))
    for path in written:
        log.info("wrote %s", path)
    return 0
