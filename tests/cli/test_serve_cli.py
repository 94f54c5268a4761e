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


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0 exposes the app to the network"),
        (["--host", "::"], "--host :: exposes the app to the network"),
        (["--host", "0.0.0.0", "--token", "short"], "at least 16 characters"),
        (["--token-file", "missing.txt"], "cannot read the token file missing.txt"),
        (["--allow-host", "annot.lan"], "--allow-host needs an access token"),
    ],
)
def test_serve_cli_refuses_exposure_without_a_token(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "a.db"
    assert main(["serve", "--db", str(db), "--port", "0", *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no "serving ..." line: the server never started
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordalign: error: ")
    assert message in lines[0]
    assert not db.exists()


def test_serve_cli_token_options(tmp_path: Path) -> None:
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--token-file", "t.txt"])
    assert (args.token, args.token_file, args.allow_host) == (None, "t.txt", [])
    with pytest.raises(SystemExit):  # argparse: one or the other
        build_parser().parse_args(["serve", "--token", "auto", "--token-file", "t.txt"])
