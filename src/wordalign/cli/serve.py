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
            "It listens on 127.0.0.1 only, unless --host says otherwise; another address "
            "needs an access token (--token or --token-file), which every request must carry: "
            "open the printed URL once and the browser keeps it. Annotations are saved to the "
            "SQLite file --db with every click."
        ),
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, help=f"the annotation database (default: {DEFAULT_DB})"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; another address exposes the app to "
        "the network and needs --token or --token-file)",
    )
    token = parser.add_mutually_exclusive_group()
    token.add_argument(
        "--token",
        metavar="TOKEN",
        help="access token every request must carry (16+ characters of A-Z a-z 0-9 . _ ~ -); "
        "'auto' makes a random one; the printed URL contains it",
    )
    token.add_argument(
        "--token-file",
        metavar="FILE",
        help="read the access token from the first line of FILE (not visible in 'ps')",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name or address clients use to reach the server, e.g. this machine's "
        "network name with --host 0.0.0.0 (repeatable; needs a token)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordalign.viewer.security import AccessPolicy, resolve_token

    # Checked before Flask loads, so a refused exposure never gets as far as a server.
    token = resolve_token(args.token, args.token_file)
    policy = AccessPolicy(args.host, token=token, allow_hosts=tuple(args.allow_host))
    try:
        from wordalign.viewer.app import serve
    except ImportError as exc:
        raise MissingDependencyError(
            f"wordalign serve needs the 'viewer' extra: pip install 'wordalign[viewer]' ({exc})"
        ) from None

    def announce(url: str) -> None:
        print(f"wordalign: serving {args.db} on {url} (Ctrl-C stops)", flush=True)
        if not policy.loopback_only:
            print(
                "wordalign: warning: listening beyond this computer; anyone with the token "
                "can read and change the annotations (plain HTTP: use a trusted network)",
                file=sys.stderr,
                flush=True,
            )

    try:
        serve(
            args.db,
            host=args.host,
            port=args.port,
            announce=announce,
            token=token,
            allow_hosts=args.allow_host,
        )
    except KeyboardInterrupt:
        return 0
    return 0
