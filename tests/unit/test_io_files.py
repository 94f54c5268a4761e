"""Tests of file handling: gzip, stdin, line numbering, atomic writes (wordalign.io.files)."""

from __future__ import annotations

import gzip
import io
import os
import sys
from pathlib import Path

import pytest

from wordalign.errors import InputFormatError, WordalignError
from wordalign.io.files import (
    atomic_write_bytes,
    atomic_write_text,
    atomic_writer,
    display_name,
    read_lines,
    write_lines,
)


@pytest.mark.parametrize("name", ["plain.txt", "packed.txt.gz"])
def test_io_files_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    lines = ["das Haus", "", "la chasa ||| ün", "ä ö ü"]
    write_lines(path, lines)
    assert list(read_lines(path)) == list(enumerate(lines, start=1))


def test_io_files_gz_suffix_really_compresses(tmp_path: Path) -> None:
    path = tmp_path / "out.txt.gz"
    write_lines(path, ["a b", "c"])
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        assert handle.read() == "a b\nc\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\n", [(1, "a"), (2, "b")]),
        (b"a\r\nb", [(1, "a"), (2, "b")]),  # CRLF, no final newline
        (b"a\xe2\x80\xa8b\n", [(1, "a\u2028b")]),  # U+2028 does not end a line
        (b"a\x0cb\n", [(1, "a\x0cb")]),  # nor does a form feed
        (b"", []),
        (b"\n\n", [(1, ""), (2, "")]),
    ],
)
def test_io_files_read_lines_counts_like_wc(tmp_path: Path, data: bytes, expected: list) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    assert list(read_lines(path)) == expected


def test_io_files_non_utf8_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"ok\nalso ok\nSchw\xe4tzli\n")
    with pytest.raises(InputFormatError, match=r"latin1\.txt:3: not valid UTF-8") as info:
        list(read_lines(path))
    assert info.value.line_no == 3


def test_io_files_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfdas Haus\nla chasa\n")
    assert list(read_lines(path)) == [(1, "das Haus"), (2, "la chasa")]


def test_io_files_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt.gz"
    data = gzip.compress(("word " * 2000 + "\n").encode() * 20)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match=r"cut\.txt\.gz:\d+: cannot read"):
        list(read_lines(path))


def test_io_files_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(WordalignError, match="no such file"):
        list(read_lines(tmp_path / "absent.txt"))
    with pytest.raises(WordalignError, match="is a directory"):
        list(read_lines(tmp_path))


def test_io_files_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"eins\r\nzwei\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert list(read_lines("-")) == [(1, "eins"), (2, "zwei")]
    assert display_name("-") == "<stdin>"


def test_io_files_dash_writes_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_lines("-", ["0-0", "1-1"])
    assert capsys.readouterr().out == "0-0\n1-1\n"


def test_io_files_atomic_write_leaves_nothing_on_exception(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(RuntimeError, match="boom"), atomic_writer(path) as out:
        out.write("half a line")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_io_files_atomic_write_keeps_the_old_file_on_exception(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old\n")

    def lines() -> object:
        yield "new"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_lines(path, lines())  # type: ignore[arg-type]
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_io_files_overwrite_refused_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("keep\n")
    with pytest.raises(WordalignError, match="exists already"):
        write_lines(path, ["x"], overwrite=False)
    assert path.read_text() == "keep\n"


def test_io_files_atomic_helpers_create_parents_and_normal_permissions(tmp_path: Path) -> None:
    text_path = tmp_path / "a" / "b.txt"
    bytes_path = tmp_path / "c" / "d.bin"
    atomic_write_text(text_path, "hallo\n")
    atomic_write_bytes(bytes_path, b"\x00\x01")
    assert text_path.read_text() == "hallo\n"
    assert bytes_path.read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    # mkstemp makes 0600 files; outputs must get what any new file gets.
    assert text_path.stat().st_mode & 0o777 == 0o666 & ~umask
