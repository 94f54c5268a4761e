"""``wordalign serve``: the local web app for viewing alignments and annotating gold standards."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wordalign.errors import MissingDependencyError

DEFAULT_DB = "wordalign.db"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="start the local web app: alignment viewer and gold-standard annotator",
        description=(
            "Start the local web app (needs the 'viewer' extra) and print its address. "
            "It listens on 127.0.0.1 only, unless --host says otherwise. Annotations are saved "
            "to the SQLite file --db with every click."
        ),
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, help=f"the annotation database (default: {DEFAULT_DB})"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; another address exposes the app, "
        "which has no login, to the network)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from wordalign.viewer.app import serve
    except ImportError as exc:
        raise MissingDependencyError(
            f"wordalign serve needs the 'viewer' extra: pip install 'wordalign[viewer]' ({exc})"
        ) from None

    def announce(url: str) -> None:
        print(f"wordalign: serving {args.db} on {url} (Ctrl-C stops)", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                "wordalign: warning: listening beyond this computer; anyone who can reach "
                "it can read and change the annotations",
                file=sys.stderr,
                flush=True,
            )

    try:
        serve(args.db, host=args.host, port=args.port, announce=announce)
    except KeyboardInterrupt:
        return 0
    return 0
