"""``wordalign serve``: listens on loopback by default; Flask loads only when the server starts."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from wordalign.cli.main import build_parser, main


def test_serve_cli_defaults_to_loopback(tmp_path: Path) -> None:
    args = build_parser().parse_args(["serve", "--db", str(tmp_path / "a.db")])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_serve_cli_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("flask", reason="needs the 'viewer' extra")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--db", str(tmp_path / "a.db"), "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_cli_importing_wordalign_does_not_import_flask() -> None:
    code = (
        "import sys, wordalign, wordalign.viewer, wordalign.cli.serve, wordalign.cli.annotate; "
        "assert 'flask' not in sys.modules, 'flask imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
