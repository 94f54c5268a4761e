"""``wordalign experiment``: reproduce the paper's experiments.

* ``wordalign experiment learning-curve --pair de-rm [--pairs-file F] [--sizes 1k,5k,all]
  [--methods fastalign,eflomal] --out DIR``: Table 4 and Figures 4-5 of Dolev (2023).
* ``wordalign experiment methods --models mbert,xlmr [--finetuned DIR] [--levels subword,word]
  [--methods argmax,itermax,match,awesome] --out DIR``: Tables 5 and 2 and Figures 7-9.
* ``wordalign experiment methods --models PATH --layers 4-12 --out DIR``: the same systems at
  every layer of a range, AER against the layer beside the paper's layer-8 numbers.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wordalign.errors import UnknownNameError, WordalignError

if TYPE_CHECKING:
    from wordalign.types import Alignment, SentencePair

log = logging.getLogger(__name__)

DEFAULT_PAIRS_FILE = "out/corpus/de-rm.tsv"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``experiment`` and its sub-subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "experiment",
        help="reproduce the paper's experiments (learning curve, methods)",
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
    _add_methods_parser(sub)
    return parser


def _add_methods_parser(sub: Any) -> None:
    methods = sub.add_parser(
        "methods",
        help="SimAlign and awesome-align on mBERT/XLM-R against the gold (paper, Tables 5 and 2)",
        description=(
            "Align the gold sentence pairs with every model x level x SimAlign method and with "
            "awesome-align (each model embedded once), score them and write "
            "OUT/methods.{md,csv,json,html} beside the paper's Tables 5 and 2, and pictures of "
            "chosen sentence pairs (OUT/pictures/*.svg, and .png with matplotlib) like its "
            "Figures 7-9. A model that cannot be loaded is reported in one line and skipped. "
            "DERMIT is for research use only; commercial use is prohibited."
        ),
    )
    methods.add_argument(
        "--models",
        default="mbert,xlmr",
        help="hub names, local folders or aliases mbert, xlmr (default: %(default)s)",
    )
    methods.add_argument(
        "--finetuned",
        metavar="DIR[,DIR]",
        default="",
        help="fine-tuned model folders: the 'awesome-align (fine-tuned)' row",
    )
    methods.add_argument(
        "--levels", default="subword,word", help="SimAlign levels (default: %(default)s)"
    )
    methods.add_argument(
        "--methods",
        default="argmax,itermax,match,awesome",
        help="SimAlign methods and awesome (default: %(default)s)",
    )
    methods.add_argument("--layer", type=int, default=8, help="hidden state (default: 8)")
    methods.add_argument(
        "--layers",
        metavar="A-B[,N]",
        help=(
            "layer sweep instead of the tables at --layer: every method and level at each of "
            "these hidden states (e.g. 4-12; one forward pass per sentence), written to "
            "OUT/layers.{md,csv,json,svg,png}"
        ),
    )
    methods.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    methods.add_argument(
        "--batch-size", type=int, default=32, help="sentences per forward pass (default: 32)"
    )
    methods.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16", "fp16"],
        default="auto",
        help="auto: bf16/fp16 on GPU, fp32 on CPU",
    )
    methods.add_argument(
        "--data",
        metavar="DIR",
        help="DERMIT folder with gold_standard/ (default: $WORDALIGN_DATA, else the cache)",
    )
    methods.add_argument(
        "--statistical",
        metavar="FILE",
        help=(
            "also train the statistical aligners on the gold pairs plus this pairs file "
            "(e.g. out/corpus/de-rm.tsv; takes minutes) for the rows of Table 2"
        ),
    )
    methods.add_argument(
        "--statistical-methods",
        default="fastalign,eflomal",
        help="statistical aligners for --statistical (default: %(default)s)",
    )
    methods.add_argument("--seed", type=int, default=None, help="random_state of random aligners")
    methods.add_argument(
        "--pictures",
        default=None,
        metavar="ID[,ID]",
        help=(
            "gold sentence IDs to draw (the files' INDEX column, else 0-based line numbers; "
            "'none' for no pictures; default: the first three, 0,2,4 in DERMIT)"
        ),
    )
    methods.add_argument(
        "--compare",
        action="append",
        metavar="A,B",
        help=(
            "two systems to draw (A boxes, B circles), keys as in the table's System column; "
            "repeatable (default: eflomal vs best SimAlign and fine-tuned vs awesome-align, "
            "when run)"
        ),
    )
    methods.add_argument("--out", required=True, metavar="DIR", help="output folder")
    methods.add_argument("--overwrite", action="store_true", help="replace result files in --out")
    methods.add_argument("--no-progress", action="store_true", help="hide progress bars")
    methods.set_defaults(run=run_methods)


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


def _fresh_out(args: argparse.Namespace, marker: str) -> Path:
    """``--out``, once it is known not to hold ``marker`` (unless ``--overwrite``)."""
    from wordalign.experiments._report import check_fresh

    out = Path(args.out)
    check_fresh(out, marker, overwrite=args.overwrite)
    return out


def _read_gold(args: argparse.Namespace) -> tuple[list[SentencePair], list[Alignment], Path]:
    """The gold sentence pairs and alignments of ``--data``, and the source text's path."""
    from wordalign.io.bitext import read_parallel
    from wordalign.io.pharaoh import read_pharaoh

    gold_dir = _gold_dir(args.data, progress=not args.no_progress)
    src_path = gold_dir / "alignments_src_text.txt"
    pairs = list(read_parallel(src_path, gold_dir / "alignments_trg_text.txt"))
    return pairs, list(read_pharaoh(gold_dir / "alignments_pharaoh.txt")), src_path


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
    from wordalign.io.bitext import read_bitext
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
    out = _fresh_out(args, "learning_curve.md")
    gold_pairs, gold, _ = _read_gold(args)
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


def _gold_ids(path: Path) -> list[str]:
    """The INDEX column of a gold file, else 0-based line numbers."""
    import re

    from wordalign.io.files import read_lines

    index = re.compile(r"^(\d+)\t")
    ids = []
    for position, (_, text) in enumerate(read_lines(path)):
        match = index.match(text)
        ids.append(match.group(1) if match else str(position))
    return ids


def _compare(values: list[str] | None) -> list[tuple[str, str]] | None:
    if not values:
        return None
    pairs = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise WordalignError(f"--compare {value!r}: expected two systems as A,B")
        pairs.append((parts[0], parts[1]))
    return pairs


def _skip_line(skipped: Any) -> None:
    sys.stderr.write(f"wordalign: {skipped.message()}\n")
    sys.stderr.flush()


def _log_result(row: Any) -> None:
    log.info("%s: P %.3f R %.3f AER %.3f", row.system, row.precision, row.recall, row.aer)


def _log_layer_result(row: Any) -> None:
    log.info(
        "%s layer %d: P %.3f R %.3f AER %.3f",
        *(row.series, row.layer, row.precision, row.recall, row.aer),
    )


def run_layer_sweep(args: argparse.Namespace) -> int:
    """``experiment methods --layers``: every method and level at every layer of the range."""
    from wordalign.experiments import layers as sweeps
    from wordalign.experiments import methods as experiment

    layers = sweeps.parse_layers(args.layers)
    models = experiment.parse_list(args.models, what="model")
    levels = experiment.parse_list(args.levels, experiment.LEVELS, "level")
    methods = experiment.parse_list(args.methods, experiment.DEFAULT_METHODS, "method")
    for flag, value in (
        ("--finetuned", args.finetuned),
        ("--statistical", args.statistical),
        ("--compare", args.compare),
        ("--pictures", args.pictures),
    ):
        if value:
            raise WordalignError(f"{flag} does not go with --layers (a sweep has no such rows)")
    out = _fresh_out(args, "layers.md")
    pairs, gold, _ = _read_gold(args)
    sweep = sweeps.run_layer_sweep(
        pairs,
        gold,
        models,
        layers,
        levels=levels,
        methods=methods,
        device=args.device,
        batch_size=args.batch_size,
        precision=args.precision,
        progress=not args.no_progress,
        on_result=_log_layer_result,
        on_skip=_skip_line,
    )
    written = sweeps.write_layer_sweep(sweep, out, overwrite=args.overwrite)
    sys.stdout.write(sweeps.render_layers_markdown(sweep))
    for path in written:
        log.info("wrote %s", path)
    return 0


def run_methods(args: argparse.Namespace) -> int:
    from wordalign.experiments import methods as experiment
    from wordalign.io.bitext import read_bitext
    from wordalign.registry import get_aligner_class

    if args.layers is not None:
        return run_layer_sweep(args)
    models = experiment.parse_list(args.models, what="model")
    finetuned = [f.strip() for f in args.finetuned.split(",") if f.strip()]
    levels = experiment.parse_list(args.levels, experiment.LEVELS, "level")
    methods = experiment.parse_list(args.methods, experiment.DEFAULT_METHODS, "method")
    text = "" if args.pictures is None else args.pictures.strip()
    pictures = [] if text.lower() in ("", "none") else [p.strip() for p in text.split(",")]
    pictures = [p for p in pictures if p]
    compare = _compare(args.compare)
    statistical_methods = experiment.parse_list(args.statistical_methods, what="aligner")
    params: dict[str, dict[str, Any]] = {}
    statistical = None
    if args.statistical:
        for method in statistical_methods:
            cls = get_aligner_class(method)
            if args.seed is not None and "random_state" in cls._param_names():
                params[method] = {"random_state": args.seed}
        pairs_file = Path(args.statistical)
        if not pairs_file.is_file():
            raise WordalignError(
                f"{pairs_file}: no such file (build it with 'wordalign corpus build')"
            )
        statistical = list(read_bitext(pairs_file))
    planned = experiment.planned_systems(
        models,
        finetuned=finetuned,
        levels=levels,
        methods=methods,
        statistical_methods=statistical_methods if args.statistical else (),
    )
    for pair in compare or ():
        for system in pair:
            if system not in planned:
                raise UnknownNameError("system for --compare", system, planned)
    out = _fresh_out(args, "methods.md")
    pairs, gold, src_path = _read_gold(args)
    ids = _gold_ids(src_path)
    if args.pictures is None:
        pictures = ids[:3]
    known = set(ids)
    for sid in pictures:  # a typo fails before minutes of work
        if sid not in known:
            raise WordalignError(f"--pictures: no gold sentence with ID {sid!r}")
    run = experiment.run_methods(
        pairs,
        gold,
        models,
        finetuned=finetuned,
        levels=levels,
        methods=methods,
        layer=args.layer,
        device=args.device,
        batch_size=args.batch_size,
        precision=args.precision,
        statistical_pairs=statistical,
        statistical_methods=statistical_methods,
        statistical_params=params,
        ids=ids,
        progress=not args.no_progress,
        on_result=_log_result,
        on_skip=_skip_line,
    )
    if compare is not None:
        ran = {row.system for row in run.results}
        for pair in compare:
            missing = [system for system in pair if system not in ran]
            if missing:
                sys.stderr.write(
                    f"wordalign: --compare {','.join(pair)}: {missing[0]} did not run; "
                    "no picture for it\n"
                )
        compare = [pair for pair in compare if all(system in ran for system in pair)]
    written = experiment.write_results(
        run, out, pictures=pictures, compare=compare, overwrite=args.overwrite
    )
    sys.stdout.write(experiment.render_markdown(run))
    for path in written:
        log.info("wrote %s", path)
    return 0
