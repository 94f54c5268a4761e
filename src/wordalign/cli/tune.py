"""``wordalign tune``: choose awesome-align's threshold and temperature on a gold standard.

``wordalign tune --model M --src S --tgt T --gold G [--similarity cosine --center]
[--temperatures 0.03,0.05,0.1] [--thresholds SPEC] [--plot curve.svg]`` embeds every pair once,
scores the links that ``wordalign align --method awesome`` would give at every threshold and
temperature (:meth:`AwesomeAlign.sweep`), prints the best threshold of each temperature and the
whole curve of the best one, and can draw that curve as ``wordalign eval --plot`` does. The other
flags (``--layer``, ``--similarity``, ``--center``, ``--param``) are those of ``wordalign align``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from wordalign.cli.align import HelpFormatter, add_bitext_options, aligner_params, read_pairs
from wordalign.cli.evaluate import plot_format, resolve_format
from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.evaluation.threshold import parse_thresholds
from wordalign.io.alignments import ALIGNMENT_FORMATS, check_bounds, read_alignments
from wordalign.io.files import atomic_write_bytes, check_writable, display_name

DEFAULT_THRESHOLDS = "0.001,0.01,0.05:0.95:0.05"
"""The thresholds of ``wordalign tune`` when ``--thresholds`` is not given: the reference's 1e-3
and the range where a scale-free setting's best one lies."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tune`` (``subparsers`` is the object ``add_subparsers`` returned)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tune",
        formatter_class=HelpFormatter,
        help="choose awesome-align's threshold and temperature on a gold standard",
        description=(
            "Align the gold sentence pairs with awesome-align's extraction at every threshold "
            "and softmax temperature (each pair embedded once), score them against the gold "
            "(P/R/F1/AER) and name the best pair by AER: the values to pass to 'wordalign align "
            "--method awesome --threshold T --temperature X'. Tune on a development set, not "
            "on the pairs you report."
        ),
    )
    add_bitext_options(parser)
    parser.add_argument(
        "--gold", required=True, metavar="FILE", help="gold alignments of the pairs (Pharaoh)"
    )
    parser.add_argument(
        "--gold-format",
        choices=ALIGNMENT_FORMATS,
        default="auto",
        help="pharaoh, naacl, or auto (decided from the first line; default)",
    )
    parser.add_argument(
        "--gold-one-based", action="store_true", help="indices in the gold file start at 1"
    )
    parser.add_argument(
        "--model", metavar="M", help="the encoder: hub name, local folder, mbert or xlmr"
    )
    parser.add_argument(
        "--thresholds",
        default=DEFAULT_THRESHOLDS,
        metavar="SPEC",
        help="START:STOP:STEP (both ends included), a list, or both: 0.001,0.05:0.95:0.05 "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--temperatures",
        metavar="LIST",
        help="softmax temperatures, like 0.03,0.05,0.1 (default: 1, the reference's)",
    )
    group = parser.add_argument_group("awesome-align settings (as for 'wordalign align')")
    group.add_argument("--layer", type=int, metavar="N", help="hidden layer to take (default 8)")
    group.add_argument(
        "--similarity",
        choices=("dot", "cosine"),
        help="dot products (the reference's) or cosines of L2-normalised vectors",
    )
    group.add_argument(
        "--center",
        action=argparse.BooleanOptionalAction,
        help="subtract the sentence pair's mean subword vector first",
    )
    group.add_argument("--device", metavar="DEV", help="auto (default), cpu, cuda, cuda:N or mps")
    group.add_argument("--batch-size", type=int, metavar="N", help="sentences per forward pass")
    group.add_argument(
        "--precision", choices=("auto", "fp32", "bf16", "fp16"), help="encoder arithmetic"
    )
    group.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="set any other parameter of AwesomeAlign (repeatable), e.g. map=FILE",
    )
    group.add_argument(
        "--no-progress", dest="progress", action="store_const", const=False, help="no progress bar"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (every curve and the best)"
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw P/R/F1/AER against the threshold at the best temperature to FILE.svg "
        "or FILE.png (needs matplotlib: pip install 'wordalign[plot]')",
    )
    parser.set_defaults(run=run)
    return parser


def parse_temperatures(text: str) -> list[float]:
    """Temperatures from a list ``"0.03,0.05,0.1"``.

    Raises:
        WordalignError: for a malformed list or a temperature that is not positive and finite.
    """
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise WordalignError(
            f"bad temperatures {text!r} (expected a list like 0.03,0.05)"
        ) from None
    if not values:
        raise WordalignError(f"no temperatures in {text!r}")
    for value in values:
        if not 0.0 < value < float("inf"):
            raise WordalignError(f"temperature {value:g} in {text!r} is not positive and finite")
    return values


def run(args: argparse.Namespace) -> int:
    """Read the pairs and the gold, sweep, print (and plot) the curves."""
    from wordalign.aligners.embedding.awesome import AwesomeAlign

    # Wrong options fail before anything is read or loaded.
    thresholds = parse_thresholds(args.thresholds)
    temperatures = None if args.temperatures is None else parse_temperatures(args.temperatures)
    if args.plot is not None:
        plot_format(args.plot)
        check_writable(args.plot)
    params = aligner_params(args, AwesomeAlign)
    if args.model is not None:
        params["model"] = args.model
    aligner = AwesomeAlign(**params)
    pairs = read_pairs(args)
    gold = read_alignments(
        args.gold, args.gold_format, args.gold_one_based, len(pairs), option="--gold-one-based"
    )
    if len(gold) != len(pairs):
        raise LengthMismatchError(display_name(args.gold), len(gold), "the texts", len(pairs))
    fmt = resolve_format(args.gold, args.gold_format)
    name = display_name(args.gold)
    check_bounds(gold, pairs, name, args.gold_one_based, "--gold-one-based", fmt)
    curves = aligner.sweep(pairs, gold, thresholds, temperatures)
    if args.plot is not None:
        from wordalign.evaluation.plots import render_threshold_curve

        picture = render_threshold_curve(curves.best_curve(), plot_format(args.plot))
        atomic_write_bytes(args.plot, picture)
    print(json.dumps(curves.to_dict()) if args.json else curves.format())
    return 0
