"""``wordalign symmetrize`` in-process and through a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wordalign.cli.main import main


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    fwd = tmp_path / "fwd.pharaoh"
    rev = tmp_path / "rev.pharaoh"
    fwd.write_text("0-0 1-1 2-1\n\n0-0\n", encoding="utf-8")
    rev.write_text("0-0 1-1 2-2\n0-0\n1-0\n", encoding="utf-8")
    return fwd, rev


def test_grow_diag_final_and_to_a_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    fwd, rev = files
    out = tmp_path / "out.pharaoh"
    assert (
        main(["symmetrize", "--forward", str(fwd), "--reverse", str(rev), "--out", str(out)]) == 0
    )
    assert out.read_text(encoding="utf-8") == "0-0 1-1 2-1 2-2\n0-0\n0-0\n"


def test_reverse_in_tgt_src_order_is_flipped(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    fwd, rev = files
    args = ["symmetrize", "--forward", str(fwd), "--reverse", str(rev), "--method", "union"]
    assert main([*args, "--reverse-order", "tgt-src"]) == 0
    assert capsys.readouterr().out == "0-0 1-1 2-1 2-2\n0-0\n0-0 0-1\n"


def test_refuses_to_overwrite_without_the_flag(files: tuple[Path, Path], tmp_path: Path) -> None:
    fwd, rev = files
    out = tmp_path / "out.pharaoh"
    out.write_text("keep\n", encoding="utf-8")
    args = ["symmetrize", "--forward", str(fwd), "--reverse", str(rev), "--out", str(out)]
    assert main(args) == 2
    assert out.read_text(encoding="utf-8") == "keep\n"
    assert main([*args, "--overwrite"]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 3


def test_count_mismatch_is_one_line_and_exit_2(files: tuple[Path, Path], tmp_path: Path) -> None:
    fwd, _ = files
    short = tmp_path / "short.pharaoh"
    short.write_text("0-0\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wordalign",
            "symmetrize",
            "--forward",
            str(fwd),
            *["--reverse", str(short)],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"wordalign: error: sentence counts differ: {fwd} has 3 sentences, {short} has 1"
    ]


def test_malformed_link_names_file_and_line(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fwd, _ = files
    bad = tmp_path / "bad.pharaoh"
    bad.write_text("0-0\n0-0 1_1\n\n", encoding="utf-8")
    assert main(["symmetrize", "--forward", str(fwd), "--reverse", str(bad)]) == 2
    assert f"{bad}:2: bad link '1_1'" in capsys.readouterr().err


def test_atools_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fwd = tmp_path / "fwd.pharaoh"
    rev = tmp_path / "rev.pharaoh"
    fwd.write_text("0-0 1-1 2-2\n", encoding="utf-8")
    rev.write_text("0-2 1-0 2-2\n", encoding="utf-8")
    args = ["symmetrize", "--forward", str(fwd), "--reverse", str(rev), "--method", "grow-diag"]
    assert main(args) == 0
    assert capsys.readouterr().out == "0-0 1-0 1-1 2-2\n"
    assert main([*args, "--variant", "atools"]) == 0
    assert capsys.readouterr().out == "0-0 1-1 2-2\n"
