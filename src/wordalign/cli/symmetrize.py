"""``wordalign symmetrize``: combine a forward and a reverse alignment file (Pharaoh lines)."""

from __future__ import annotations

import argparse
from typing import Any

from wordalign.errors import LengthMismatchError
from wordalign.io.files import STDIO, check_writable, display_name
from wordalign.io.pharaoh import read_pharaoh, write_pharaoh
from wordalign.symmetrization import METHODS, VARIANTS, symmetrize_all


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "symmetrize",
        help="combine forward and reverse alignments (grow-diag-final-and, ...)",
        description=(
            "Combine the alignments of a src->tgt model (--forward) and a tgt->src model "
            "(--reverse) line by line, with one of Koehn's heuristics. Input and output are "
            "Pharaoh lines ('0-0 1-2'), one per sentence pair."
        ),
    )
    parser.add_argument("--forward", required=True, metavar="FILE", help="src->tgt alignments")
    parser.add_argument("--reverse", required=True, metavar="FILE", help="tgt->src alignments")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="grow-diag-final-and",
        help="symmetrization heuristic (default: %(default)s)",
    )
    parser.add_argument(
        "--variant",
        choices=VARIANTS,
        default="moses",
        help=(
            "order in which links are visited: 'moses' (Koehn's pseudocode, Moses symal; "
            "default) or 'atools' (fast_align's atools, to reproduce its output exactly)"
        ),
    )
    parser.add_argument(
        "--reverse-order",
        choices=("src-tgt", "tgt-src"),
        default="src-tgt",
        help=(
            "link order in the --reverse file: 'src-tgt' as fast_align -r writes it (default), "
            "'tgt-src' when its links are target index first"
        ),
    )
    parser.add_argument("--out", default="-", metavar="FILE", help="output file (default: stdout)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace --out when it exists already"
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    overwrite = args.overwrite or args.out == STDIO
    check_writable(args.out, overwrite)  # before any reading
    forward = list(read_pharaoh(args.forward))
    reverse = list(read_pharaoh(args.reverse))
    if len(forward) != len(reverse):
        raise LengthMismatchError(
            display_name(args.forward), len(forward), display_name(args.reverse), len(reverse)
        )
    if args.reverse_order == "tgt-src":
        reverse = [a.inverted() for a in reverse]
    result = symmetrize_all(forward, reverse, args.method, args.variant)
    write_pharaoh(args.out, result, overwrite=overwrite)
    return 0
