"""``wordalign combine`` in-process through ``main([...])``."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from wordalign.cli.main import main


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    texts = [
        "0-0-0.9 1-1-0.6\n\n0-0-0.5\n\n",
        "0-0-0.6 1-2-0.3\n\n0p0-0.5\n1-1-0.2\n",
        "0-0-0.3 1-1-0.3\n0-0-0.3\n\n\n",
    ]
    paths = [tmp_path / f"run{k}.pharaoh" for k in range(3)]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def _combine(files: list[Path], *extra: str) -> list[str]:
    return ["combine", "--inputs", *map(str, files), *extra]


def test_combine_majority_to_a_file_with_scores(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out.pharaoh"
    assert main(_combine(files, "--out", str(out), "--scores")) == 0
    # Line 1: 0-0 (3 votes) mean 0.6; 1-1 (2 votes) (0.6 + 0 + 0.3) / 3; 1-2 (1 vote) dropped.
    # Line 3: 0-0 in two files, Sure in one only -> Possible, (0.5 + 0.5 + 0) / 3.
    assert out.read_text(encoding="utf-8") == "0-0-0.6 1-1-0.3\n\n0p0-0.3333\n\n"


def test_combine_union_and_intersection_line_aligned(
    files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_combine(files, "--min-votes", "1")) == 0
    assert capsys.readouterr().out == "0-0 1-1 1-2\n0-0\n0-0\n1-1\n"
    assert main(_combine(files, "--min-votes", "3")) == 0
    assert capsys.readouterr().out == "0-0\n\n\n\n"


def test_combine_gzip_and_stdin(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = tmp_path / "run0.pharaoh.gz"
    packed.write_bytes(gzip.compress(files[0].read_bytes()))
    out = tmp_path / "out.pharaoh.gz"
    with open(files[1], encoding="utf-8") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        args = ["combine", "--inputs", str(packed), "-", str(files[2]), "--out", str(out)]
        assert main(args) == 0
    assert gzip.decompress(out.read_bytes()).decode() == "0-0 1-1\n\n0p0\n\n"


def test_combine_refuses_to_overwrite_without_the_flag(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out.pharaoh"
    out.write_text("keep\n", encoding="utf-8")
    assert main(_combine(files, "--out", str(out))) == 2
    assert out.read_text(encoding="utf-8") == "keep\n"
    assert main(_combine(files, "--out", str(out), "--overwrite")) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 4


@pytest.mark.parametrize("votes", ["0", "4", "-1"])
def test_combine_bad_min_votes_is_one_line_and_exit_2(
    files: list[Path], capsys: pytest.CaptureFixture[str], votes: str
) -> None:
    assert main(_combine(files, "--min-votes", votes)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"wordalign: error: --min-votes must be between 1 and 3 (the number of --inputs), "
        f"not {votes}"
    ]


def test_combine_count_mismatch_names_files_and_counts(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.pharaoh"
    short.write_text("0-0\n", encoding="utf-8")
    out = tmp_path / "out.pharaoh"
    assert main(_combine([files[0], files[1], short], "--out", str(out))) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"wordalign: error: sentence counts differ: {files[0]} has 4 sentences, {short} has 1"
    ]
    assert not out.exists()


def test_combine_score_outside_0_1_names_file_and_line(
    files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files[1].write_text("0-0\n\n0-0 1-1-1.5\n\n", encoding="utf-8")
    assert main(_combine(files)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"wordalign: error: {files[1]}:3: link '1-1-1.5': score 1.5 is not a probability "
        "(outside [0, 1])"
    ]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (["a"], "--inputs needs at least two files to combine, got 1"),
        (["-", "-"], "only one of --inputs can be '-' (stdin)"),
    ],
)
def test_combine_input_list_errors(
    inputs: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["combine", "--inputs", *inputs]) == 2
    assert capsys.readouterr().err == f"wordalign: error: {message}\n"


def test_combine_min_score_pools_posteriors(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pooled.pharaoh"
    assert main(_combine(files, "--min-votes", "1", "--min-score", "0.3", "--out", str(out))) == 0
    # Line 1: means 0-0 0.6, 1-1 0.3, 1-2 0.1; line 3: 0-0 (0.5 + 0.5) / 3, Sure in one file
    # (enough for --min-votes 1); line 4: 1-1 0.2 / 3.
    assert out.read_text(encoding="utf-8") == "0-0 1-1\n\n0-0\n\n"
    assert main(_combine(files, "--min-score", "1.5")) == 2
    assert "--min-score must be in [0, 1]" in capsys.readouterr().err
