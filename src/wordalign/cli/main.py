"""Entry point of the ``wordalign`` command.

Each subcommand lives in its own module exposing ``add_parser(subparsers)`` and ``run(args) -> int``.
Only this module turns errors into exit codes: a user's mistake (:class:`WordalignError`) is one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from wordalign._version import __version__
from wordalign.errors import WordalignError

# Subcommand -> its module in wordalign.cli; the order is the order of `wordalign --help`.
COMMANDS = {
    "align": "align",
    "train": "train",
    "finetune": "finetune",
    "embed": "embed",
    "eval": "evaluate",
    "tune": "tune",
    "symmetrize": "symmetrize",
    "combine": "combine",
    "serve": "serve",
    "annotate": "annotate",
    "corpus": "corpus",
    "experiment": "experiment",
}

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wordalign",
        description="Word alignment of parallel text: align, train, evaluate, symmetrize, prepare corpora, annotate.",
        epilog="Run 'wordalign COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"wordalign {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what is being done to stderr"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(f"wordalign.cli.{module_name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``sys.exit`` happens only in ``__main__``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="wordalign: %(message)s",
    )
    try:
        code: int = args.run(args)
        return code
    except WordalignError as exc:
        print(f"wordalign: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("wordalign: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `wordalign align ... | head`: the reader went away; that is not an error of ours.
        return 0


def entry_point() -> None:
    """Console-script entry: restores default SIGPIPE handling, then exits with main's code."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = main()
    if code == EXIT_INTERRUPTED:
        # An aligner's worker threads may still be inside a numba kernel that cannot be
        # stopped (wordalign._threads); exiting normally would wait for it to return. Outputs
        # are already cleaned up: the interrupt unwound through every writer.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
