"""``wordalign eval``: precision, recall, F1 and AER of predicted alignments against a gold standard."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal

from wordalign.errors import InputFormatError, LengthMismatchError, WordalignError
from wordalign.evaluation.metrics import AERResult, evaluate, evaluate_sentences
from wordalign.evaluation.threshold import DEFAULT_THRESHOLDS, parse_thresholds, sweep_thresholds
from wordalign.io.alignments import (
    ALIGNMENT_FORMATS,
    AlignmentFormat,
    check_bounds,
    detect_format,
    read_alignments,
)
from wordalign.io.bitext import load_bitext
from wordalign.io.files import atomic_write_bytes, display_name, read_lines, write_lines
from wordalign.io.pharaoh import check_probability
from wordalign.types import Alignment, SentencePair

_PER_SENTENCE_COLUMNS = (
    "index",
    "precision",
    "recall",
    "f1",
    "aer",
    "pred_links",
    "sure_links",
    "possible_links",
    "a_and_s",
    "a_and_p",
)


def add_parser(subparsers: Any) -> None:
    """Register ``eval`` (``subparsers`` is the object ``add_subparsers`` returned)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "eval",
        help="score predicted alignments against a gold standard (P/R/F1/AER)",
        description=(
            "Score predicted alignments against a gold standard: precision = |A∩P|/|A|, "
            "recall = |A∩S|/|S|, AER = 1 - (|A∩S|+|A∩P|)/(|A|+|S|) (Och & Ney 2003), F1, "
            "from links summed over all sentence pairs. Files are Pharaoh lines ('0-0 1p2', "
            "optionally with an INDEX<TAB> column) or NAACL-2003 lines ('sentid i j [S|P]')."
        ),
    )
    parser.add_argument(
        "--gold", required=True, metavar="FILE", help="gold alignments ('-': stdin)"
    )
    parser.add_argument(
        "--pred", required=True, metavar="FILE", help="predicted alignments ('-': stdin)"
    )
    for side in ("gold", "pred"):
        parser.add_argument(
            f"--{side}-format",
            choices=ALIGNMENT_FORMATS,
            default="auto",
            help="pharaoh, naacl, or auto (decided from the first line; default)",
        )
        parser.add_argument(
            f"--{side}-one-based",
            action="store_true",
            help=f"indices in the {side} file start at 1 (default: 0); "
            "the NAACL-2003 test sets are 1-based",
        )
    texts = parser.add_argument_group(
        "texts (optional)",
        "The sentence pairs that were aligned: links outside a sentence are then reported, and "
        "NAACL files get their exact number of sentences.",
    )
    texts.add_argument("--bitext", metavar="FILE", help="'src ||| tgt' or 'src<TAB>tgt' lines")
    texts.add_argument("--src", metavar="FILE", help="source sentences, one per line")
    texts.add_argument("--tgt", metavar="FILE", help="target sentences, one per line")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (precision, recall, f1, aer and the link counts; with a "
        "sweep: its rows and the best threshold)",
    )
    parser.add_argument(
        "--per-sentence",
        metavar="FILE",
        help="also write the scores of every sentence pair to FILE (TSV)",
    )
    sweep = parser.add_argument_group(
        "threshold sweep",
        "For predictions with a probability on every link ('0-0-0.93', in [0, 1]): score the "
        "links with probability >= t for every threshold t, and name the best t by AER.",
    )
    sweep.add_argument(
        "--sweep",
        action="store_true",
        help=f"print a table of P/R/F1/AER per threshold (default thresholds {DEFAULT_THRESHOLDS})",
    )
    sweep.add_argument(
        "--thresholds",
        metavar="SPEC",
        help="START:STOP:STEP (both ends included) or a list like 0.1,0.5,0.9; implies --sweep",
    )
    sweep.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw P/R/F1/AER against the threshold to FILE.svg or FILE.png "
        "(needs matplotlib: pip install 'wordalign[plot]'); implies --sweep",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read both files, score them, print the result."""
    if args.gold == args.pred == "-":
        raise WordalignError("only one of --gold and --pred can be '-' (stdin)")
    thresholds: list[float] | None = None
    if args.sweep or args.thresholds is not None or args.plot is not None:
        # Wrong options fail before any file is read.
        thresholds = parse_thresholds(args.thresholds or DEFAULT_THRESHOLDS)
        if args.plot is not None:
            _plot_format(args.plot)
        if args.per_sentence is not None:
            raise WordalignError("--per-sentence cannot be combined with a threshold sweep")
    pairs: list[SentencePair] | None = None
    if args.bitext is not None or args.src is not None or args.tgt is not None:
        pairs = load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)
    gold = _load(args.gold, args.gold_format, args.gold_one_based, "--gold-one-based", pairs)
    pred = _load(args.pred, args.pred_format, args.pred_one_based, "--pred-one-based", pairs)
    if thresholds is not None:
        return _run_sweep(args, gold, pred, thresholds)
    names = display_name(args.gold), display_name(args.pred)
    result = evaluate(gold, pred, *names)
    if args.per_sentence is not None:
        write_per_sentence(args.per_sentence, evaluate_sentences(gold, pred, *names))
    print(json.dumps(result.to_dict()) if args.json else result.format())
    return 0


def _run_sweep(
    args: argparse.Namespace,
    gold: list[Alignment],
    pred: list[Alignment],
    thresholds: list[float],
) -> int:
    names = display_name(args.gold), display_name(args.pred)
    if len(gold) != len(pred):
        raise LengthMismatchError(names[0], len(gold), names[1], len(pred))
    fmt = _resolve_format(args.pred, args.pred_format)
    _check_probabilities(pred, names[1], fmt, args.pred_one_based)
    curve = sweep_thresholds(gold, pred, thresholds, *names)
    if args.plot is not None:
        from wordalign.evaluation.plots import render_threshold_curve

        atomic_write_bytes(args.plot, render_threshold_curve(curve, _plot_format(args.plot)))
    print(json.dumps(curve.to_dict()) if args.json else curve.format())
    return 0


def _load(
    path: str,
    fmt: AlignmentFormat,
    one_based: bool,
    option: str,
    pairs: list[SentencePair] | None,
) -> list[Alignment]:
    n_sentences = None if pairs is None else len(pairs)
    alignments = read_alignments(path, fmt, one_based, n_sentences, option=option)
    if pairs is not None:
        # check_bounds names a line for Pharaoh and a sentence id for NAACL, so it needs the
        # format.
        resolved = _resolve_format(path, fmt)
        check_bounds(alignments, pairs, display_name(path), one_based, option, resolved)
    return alignments


def _resolve_format(path: str, fmt: AlignmentFormat) -> Literal["pharaoh", "naacl"]:
    if fmt != "auto":
        return fmt
    # stdin cannot be read twice, and what is piped in is `wordalign align` output.
    return "pharaoh" if path == "-" else detect_format(t for _, t in read_lines(path))


def _check_probabilities(
    alignments: list[Alignment], name: str, fmt: Literal["pharaoh", "naacl"], one_based: bool
) -> None:
    """Check that every predicted link has a score in [0, 1], as a sweep needs.

    Errors name the line for Pharaoh files (one line per pair) and the sentence id for NAACL
    files, as :func:`check_bounds` does; links are shown as written in the file.
    """
    base = 1 if one_based else 0
    for index, alignment in enumerate(alignments):
        links = alignment.possible
        scores = alignment.scores or {}
        if scores.keys() >= links:
            # The common case, checked at C speed; the loop below finds and names a bad link.
            values = list(map(scores.__getitem__, links))
            if not values or (min(values) >= 0.0 and max(values) <= 1.0):
                continue
        for i, j in sorted(links):
            link = f"{i + base}-{j + base}" if fmt == "pharaoh" else f"{i + base} {j + base}"
            if (i, j) not in scores:
                reason = f"link {link} has no score (a threshold sweep needs one on every link)"
            else:
                try:
                    check_probability(scores[(i, j)])
                    continue
                except ValueError as exc:
                    reason = f"link {link}: {exc}"
            if fmt == "naacl":
                raise InputFormatError(name, None, f"sentence {index + base}: {reason}")
            raise InputFormatError(name, index + 1, reason)


def _plot_format(path: str) -> Literal["svg", "png"]:
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        return "svg"
    if suffix == ".png":
        return "png"
    raise WordalignError(f"--plot {path}: the file name must end in .svg or .png")


def write_per_sentence(path: str, results: list[AERResult]) -> None:
    """Write a TSV with a header and one row per sentence pair (0-based index), atomically."""
    rows = ["\t".join(_PER_SENTENCE_COLUMNS)]
    for index, result in enumerate(results):
        values = result.to_dict()
        rows.append(
            "\t".join(
                [str(index)]
                + [f"{values[c]:.6f}" for c in ("precision", "recall", "f1", "aer")]
                + [str(values[c]) for c in _PER_SENTENCE_COLUMNS[5:]]
            )
        )
    write_lines(path, rows)
