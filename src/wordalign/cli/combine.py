"""``wordalign combine``: keep the links that enough of N alignment files agree on (voting)."""

from __future__ import annotations

import argparse
from typing import Any

from wordalign.combination import combine
from wordalign.errors import WordalignError
from wordalign.io.files import STDIO, display_name
from wordalign.io.pharaoh import read_pharaoh, write_pharaoh


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "combine",
        help="combine N alignments of the same text by voting (union ... intersection)",
        description=(
            "Combine N alignment files of the same sentence pairs (different aligners, seeds or "
            "models) line by line: a link is kept when at least --min-votes of the files have "
            "it (1: union; N: intersection; default: a majority). A kept link is Sure when at "
            "least --min-votes files have it as Sure, else Possible. Input and output are "
            "Pharaoh lines ('0-0 1-2', scores as '0-0-0.93' must lie in [0, 1])."
        ),
    )
    parser.add_argument(
        "--inputs",
        required=True,
        nargs="+",
        metavar="FILE",
        help="two or more Pharaoh files, one line per sentence pair ('-': stdin, once)",
    )
    parser.add_argument(
        "--min-votes",
        type=int,
        metavar="K",
        help="files that must have a link for it to be kept, 1..N (default: N // 2 + 1)",
    )
    parser.add_argument(
        "--scores",
        action="store_true",
        help=(
            "write a score after each link ('0-0-0.85'): the mean of the files' scores over "
            "all N files (a file without the link counts 0) when every file that has the link "
            "scores it, else the fraction of files that have it"
        ),
    )
    parser.add_argument(
        "--min-score",
        type=float,
        metavar="P",
        help=(
            "keep only links whose mean score (as --scores writes it) reaches P: over N runs "
            "written with --scores, posterior symmetrization of the pooled runs"
        ),
    )
    parser.add_argument("--out", default="-", metavar="FILE", help="output file (default: stdout)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace --out when it exists already"
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    paths: list[str] = args.inputs
    n = len(paths)
    if n < 2:
        raise WordalignError(f"--inputs needs at least two files to combine, got {n}")
    if paths.count(STDIO) > 1:
        raise WordalignError("only one of --inputs can be '-' (stdin)")
    if args.min_votes is not None and not 1 <= args.min_votes <= n:
        raise WordalignError(
            f"--min-votes must be between 1 and {n} (the number of --inputs), not {args.min_votes}"
        )
    if args.min_score is not None and not 0.0 <= args.min_score <= 1.0:
        raise WordalignError(f"--min-score must be in [0, 1], not {args.min_score}")
    streams = [read_pharaoh(path, probabilities=True) for path in paths]
    names = [display_name(path) for path in paths]
    # All input is read before anything is written: an error in the last line of a file must
    # not leave a partial result on stdout.
    result = combine(
        streams, args.min_votes, vote_scores=args.scores, names=names, min_score=args.min_score
    )
    write_pharaoh(
        args.out, result, with_scores=args.scores, overwrite=args.overwrite or args.out == STDIO
    )
    return 0
