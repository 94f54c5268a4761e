"""``wordalign eval``: precision, recall, F1 and AER of predicted alignments against a gold standard."""

from __future__ import annotations

import argparse
import json
from typing import Any

from wordalign.errors import WordalignError
from wordalign.evaluation.metrics import AERResult, evaluate, evaluate_sentences
from wordalign.io.alignments import (
    ALIGNMENT_FORMATS,
    AlignmentFormat,
    check_bounds,
    detect_format,
    read_alignments,
)
from wordalign.io.bitext import load_bitext
from wordalign.io.files import display_name, read_lines, write_lines
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
        help="print one JSON object (precision, recall, f1, aer and the link counts)",
    )
    parser.add_argument(
        "--per-sentence",
        metavar="FILE",
        help="also write the scores of every sentence pair to FILE (TSV)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read both files, score them, print the result."""
    if args.gold == args.pred == "-":
        raise WordalignError("only one of --gold and --pred can be '-' (stdin)")
    pairs: list[SentencePair] | None = None
    if args.bitext is not None or args.src is not None or args.tgt is not None:
        pairs = load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)
    gold = _load(args.gold, args.gold_format, args.gold_one_based, "--gold-one-based", pairs)
    pred = _load(args.pred, args.pred_format, args.pred_one_based, "--pred-one-based", pairs)
    names = display_name(args.gold), display_name(args.pred)
    result = evaluate(gold, pred, *names)
    if args.per_sentence is not None:
        write_per_sentence(args.per_sentence, evaluate_sentences(gold, pred, *names))
    print(json.dumps(result.to_dict()) if args.json else result.format())
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
        # format; stdin cannot be read twice, and what is piped in is `wordalign align` output.
        if fmt == "auto":
            fmt = "pharaoh" if path == "-" else detect_format(t for _, t in read_lines(path))
        check_bounds(alignments, pairs, display_name(path), one_based, option, fmt)
    return alignments


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
