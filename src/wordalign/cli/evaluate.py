"""``wordalign eval``: precision, recall, F1 and AER of predicted alignments against a gold standard."""

from __future__ import annotations

import argparse
import json
import logging
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
from wordalign.io.files import (
    atomic_write_bytes,
    check_writable,
    display_name,
    read_lines,
    write_lines,
)
from wordalign.io.pharaoh import check_probability
from wordalign.types import Alignment, SentencePair

log = logging.getLogger(__name__)

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
            plot_format(args.plot)
        if args.per_sentence is not None:
            raise WordalignError("--per-sentence cannot be combined with a threshold sweep")
    for output in (args.per_sentence, args.plot):
        if output is not None:
            check_writable(output)  # before any reading
    pairs: list[SentencePair] | None = None
    if args.bitext is not None or args.src is not None or args.tgt is not None:
        pairs = load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)
    gold = _load(args.gold, args.gold_format, args.gold_one_based, "--gold-one-based", pairs)
    pred = _load(args.pred, args.pred_format, args.pred_one_based, "--pred-one-based", pairs)
    _check_counts(args, gold, pred, pairs is None)
    check_index_bases(args, gold, pred, texts=pairs is not None)
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
    fmt = resolve_format(args.pred, args.pred_format)
    _check_probabilities(pred, names[1], fmt, args.pred_one_based)
    curve = sweep_thresholds(gold, pred, thresholds, *names)
    if args.plot is not None:
        from wordalign.evaluation.plots import render_threshold_curve

        atomic_write_bytes(args.plot, render_threshold_curve(curve, plot_format(args.plot)))
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
        resolved = resolve_format(path, fmt)
        check_bounds(alignments, pairs, display_name(path), one_based, option, resolved)
    return alignments


def _check_counts(
    args: argparse.Namespace, gold: list[Alignment], pred: list[Alignment], no_texts: bool
) -> None:
    """Both files must have one alignment per sentence pair; a mismatch says what would fix it.

    Without the texts a NAACL file has as many pairs as its largest id says: a 1-based file read
    as 0-based has one pair too many (an empty pair 0), and trailing pairs without links are
    missing.

    Raises:
        LengthMismatchError: when the counts differ, with a hint where one is known.
    """
    if len(gold) == len(pred):
        return
    error = LengthMismatchError(
        display_name(args.gold), len(gold), display_name(args.pred), len(pred)
    )
    hints = []
    sides = (("gold", gold, pred), ("pred", pred, gold))
    for side, mine, other in sides:
        path = getattr(args, side)
        if not no_texts or resolve_format(path, getattr(args, f"{side}_format")) != "naacl":
            continue
        if not getattr(args, f"{side}_one_based") and len(mine) == len(other) + 1:
            if not mine[0].possible:
                hints.append(
                    f"{display_name(path)} has no sentence id 0: if its ids start at 1, "
                    f"use --{side}-one-based"
                )
        elif len(mine) < len(other):
            hints.append(
                f"{display_name(path)} is NAACL, which has no line for trailing sentence pairs "
                "without links: give the texts (--bitext, or --src and --tgt)"
            )
    if hints:
        error.args = (f"{error}; {'; '.join(hints)}",)
    raise error


# A file read as 0-based that never uses position 0 on either side, over at least this many
# sentence pairs with links, is almost surely 1-based (first words are nearly always aligned).
_MIN_PAIRS_FOR_BASE_CHECK = 3
# The positions of one file shifted by one agree with the other at least this many times and
# this much more often than unshifted: one of the two is read with the wrong index base.
_MIN_SHIFTED_AGREEMENT = 10
_SHIFTED_FACTOR = 3


def check_index_bases(
    args: argparse.Namespace, gold: list[Alignment], pred: list[Alignment], texts: bool
) -> None:
    """Warn (on stderr) about the symptoms of an index base read wrongly, and about wild links.

    * a file read as 0-based without any link at position 0 looks 1-based;
    * otherwise, when the predictions agree with the gold far better with their positions
      shifted by one than as they are, one of the two bases is wrong;
    * without the texts (which :func:`check_bounds` checks links against), a predicted link far
      beyond every gold link of its sentence pair (see :func:`far_links`) is reported by line.

    Nothing here changes the scores: these are hints, the files may be right.
    """
    warned = False
    for side, alignments in (("gold", gold), ("pred", pred)):
        if getattr(args, f"{side}_one_based"):
            continue
        linked = [a.possible for a in alignments if a.possible]
        if len(linked) < _MIN_PAIRS_FOR_BASE_CHECK:
            continue
        if not any(i == 0 or j == 0 for links in linked for i, j in links):
            log.warning(
                "warning: %s: no link uses position 0 in %d sentence pairs with links: "
                "if the file is 1-based, use --%s-one-based",
                display_name(getattr(args, side)),
                len(linked),
                side,
            )
            warned = True
    if not warned:
        _check_shift(args, gold, pred)
    if not texts:
        far = far_links(gold, pred)
        if far:
            index, (i, j), gold_max = far[0]
            fmt = resolve_format(args.pred, args.pred_format)
            base = 1 if args.pred_one_based else 0
            if fmt == "pharaoh":
                where, link = f"{display_name(args.pred)}:{index + 1}", f"{i + base}-{j + base}"
            else:
                where, link = (
                    f"{display_name(args.pred)}: sentence {index + base}",
                    f"{i + base} {j + base}",
                )
            more = f" (and {len(far) - 1} more such link(s))" if len(far) > 1 else ""
            log.warning(
                "warning: %s: link %s lies far beyond the gold links of its sentence pair "
                "(largest source position %d, target %d)%s; give the texts (--bitext, or --src "
                "and --tgt) to check every link against its sentences",
                where,
                link,
                gold_max[0] + base,
                gold_max[1] + base,
                more,
            )


def _check_shift(args: argparse.Namespace, gold: list[Alignment], pred: list[Alignment]) -> None:
    counts = {0: 0, 1: 0, -1: 0}
    for g, p in zip(gold, pred, strict=False):
        if not g.possible or not p.possible:
            continue
        for shift in counts:
            counts[shift] += sum((i + shift, j + shift) in g.possible for i, j in p.possible)
    shift = max((1, -1), key=counts.__getitem__)
    shifted, unshifted = counts[shift], counts[0]
    if shifted < _MIN_SHIFTED_AGREEMENT or shifted <= _SHIFTED_FACTOR * unshifted:
        return
    # shift +1: the gold's positions are one larger than the predictions'.
    fixes = []
    if shift == 1:
        fixes = ["use --gold-one-based"] if not args.gold_one_based else []
        fixes += ["drop --pred-one-based"] if args.pred_one_based else []
    else:
        fixes = ["use --pred-one-based"] if not args.pred_one_based else []
        fixes += ["drop --gold-one-based"] if args.gold_one_based else []
    log.warning(
        "warning: %s agrees with %s far better with its positions shifted by %+d (%d links in "
        "common, %d as read): is an index base wrong? %s",
        display_name(args.pred),
        display_name(args.gold),
        shift,
        shifted,
        unshifted,
        " or ".join(fixes) or "check --gold-one-based and --pred-one-based",
    )


# A predicted position beyond FACTOR * (largest gold position + 1) + SLACK of its sentence pair
# cannot be a word of that sentence for any reasonable gold (which covers most of its words).
_FAR_FACTOR = 2
_FAR_SLACK = 10


def far_links(
    gold: list[Alignment], pred: list[Alignment]
) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
    """``(pair index, link, (largest gold source, target position))`` of every predicted link
    whose source or target position lies far beyond all gold links of its sentence pair.

    Pairs without gold links say nothing about the sentence length and are skipped.
    """
    found = []
    for index, (g, p) in enumerate(zip(gold, pred, strict=False)):
        if not g.possible or not p.possible:
            continue
        max_i = max(i for i, _ in g.possible)
        max_j = max(j for _, j in g.possible)
        limit_i = _FAR_FACTOR * (max_i + 1) + _FAR_SLACK
        limit_j = _FAR_FACTOR * (max_j + 1) + _FAR_SLACK
        for i, j in sorted(p.possible):
            if i >= limit_i or j >= limit_j:
                found.append((index, (i, j), (max_i, max_j)))
    return found


def resolve_format(path: str, fmt: AlignmentFormat) -> Literal["pharaoh", "naacl"]:
    """``fmt``, or for ``auto`` the format of the file's first line (``pharaoh`` for stdin)."""
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


def plot_format(path: str) -> Literal["svg", "png"]:
    """``svg`` or ``png``, from the suffix of a ``--plot`` file name.

    Raises:
        WordalignError: for another suffix.
    """
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
