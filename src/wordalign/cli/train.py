"""``wordalign train``: train an aligner on a bitext and save it for ``wordalign align --model``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wordalign.cli.align import (
    HelpFormatter,
    add_aligner_options,
    add_bitext_options,
    aligner_params,
    read_pairs,
    read_pivot_prior,
)
from wordalign.errors import WordalignError
from wordalign.io.files import check_writable
from wordalign.registry import get_aligner_class


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        formatter_class=HelpFormatter,
        help="train an aligner and save the model",
        description=(
            "Train an aligner on a parallel text and save it to a folder (config.json + "
            "arrays.npz); 'wordalign align --model DIR' then aligns new text without training."
        ),
    )
    add_bitext_options(parser)
    add_aligner_options(parser, method_required=True)
    parser.add_argument("--model-out", required=True, metavar="DIR", help="model folder to write")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace a model already in --model-out"
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    folder = Path(args.model_out)
    if not args.overwrite and (folder / "config.json").exists():
        raise WordalignError(f"{folder}: holds a model already (use --overwrite to replace it)")
    # Before training, not after it: a file where the folder should be, or an unwritable parent.
    if folder.exists() and not folder.is_dir():
        raise WordalignError(f"{folder}: cannot write (it is a file, not a folder)")
    if not folder.exists():
        check_writable(folder)
    cls = get_aligner_class(args.method)
    aligner = cls(**aligner_params(args, cls))
    prior = read_pivot_prior(args, aligner)
    if prior is not None:
        aligner.fit(read_pairs(args), prior=prior)  # type: ignore[call-arg]
    else:
        aligner.fit(read_pairs(args))
    aligner.save(folder)
    return 0
