"""Tests of file handling: gzip, stdin, line numbering, atomic writes (wordalign.io.files)."""

from __future__ import annotations

import errno
import gzip
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from wordalign.errors import InputFormatError, WordalignError
from wordalign.io.files import (
    STALE_TEMP_SECONDS,
    atomic_write_bytes,
    atomic_write_text,
    atomic_writer,
    check_writable,
    display_name,
    make_folder,
    read_lines,
    remove_stale_temp_files,
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


# -- corrupt gzip, unwritable outputs, temporary files (issue 14) ------------------------------


def _gzip_with(lines: int) -> bytes:
    return gzip.compress(b"".join(b"line %d of the file\n" % n for n in range(lines)))


def test_io_files_gz_that_is_not_gzip_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt.gz"
    path.write_bytes(b"das Haus\n")
    with pytest.raises(InputFormatError, match=r"plain\.txt\.gz: not a valid gzip file \(") as info:
        list(read_lines(path))
    assert info.value.line_no is None


def test_io_files_corrupt_deflate_data_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt.gz"
    data = bytearray(_gzip_with(50))
    data[10] = 0xFF  # the first deflate block gets the reserved block type
    path.write_bytes(bytes(data))
    with pytest.raises(InputFormatError, match=r"broken\.txt\.gz:1: corrupt gzip data \("):
        list(read_lines(path))


def test_io_files_gzip_checksum_failure_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "crc.txt.gz"
    data = bytearray(_gzip_with(50))
    data[-6] ^= 0xFF  # the CRC32 in the trailer
    path.write_bytes(bytes(data))
    with pytest.raises(InputFormatError, match=r"crc\.txt\.gz: corrupt gzip data: its check"):
        list(read_lines(path))


def test_io_files_gzip_data_without_gz_suffix_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "packed.txt"
    path.write_bytes(_gzip_with(3))
    with pytest.raises(InputFormatError, match=r"packed\.txt:1: not valid UTF-8 .*name it \*\.gz"):
        list(read_lines(path))


def _write_lines(path: Path) -> None:
    write_lines(path, ["x"])


def _write_text(path: Path) -> None:
    atomic_write_text(path, "x")


def _write_bytes(path: Path) -> None:
    atomic_write_bytes(path, b"x")


WRITERS = [_write_lines, _write_text, _write_bytes]


@pytest.mark.parametrize("write", WRITERS, ids=["lines", "text", "bytes"])
def test_io_files_output_under_a_file_cannot_be_written(
    tmp_path: Path, write: Callable[[Path], None]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("keep\n")
    target = blocker / "sub" / "out.txt"
    message = rf"^{target}: cannot write \({blocker} is a file, not a folder\)$"
    with pytest.raises(WordalignError, match=message):
        write(target)
    assert blocker.read_text() == "keep\n"


@pytest.mark.parametrize("write", WRITERS, ids=["lines", "text", "bytes"])
def test_io_files_output_that_is_a_directory_cannot_be_written(
    tmp_path: Path, write: Callable[[Path], None]
) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(WordalignError, match=r"dir: cannot write \(it is a directory\)$"):
        write(tmp_path / "dir")
    assert list(tmp_path.iterdir()) == [tmp_path / "dir"]


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs /sys (Linux)")
def test_io_files_output_in_a_read_only_place_cannot_be_written() -> None:
    with pytest.raises(WordalignError, match=r"^/sys/wordalign-x\.txt: cannot write \("):
        write_lines("/sys/wordalign-x.txt", ["x"])
    with pytest.raises(WordalignError, match=r"^/sys/wordalign-m: cannot write \("):
        make_folder("/sys/wordalign-m")


def test_io_files_os_errors_of_the_rename_are_user_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", refuse)
    target = tmp_path / "out.txt"
    for write in (_write_lines, _write_bytes):
        with pytest.raises(
            WordalignError, match=r"out\.txt: cannot write \(read-only file system\)"
        ):
            write(target)
    assert list(tmp_path.iterdir()) == []


def test_io_files_permission_denied_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, who may write anywhere: simulate a folder the user may not write to.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(WordalignError, match=r"out\.txt: cannot write \(permission denied\)$"):
        atomic_write_text(tmp_path / "out.txt", "x")


def test_io_files_make_folder(tmp_path: Path) -> None:
    assert make_folder(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b").is_dir()
    make_folder(tmp_path / "a" / "b")  # exists already: fine
    (tmp_path / "f").write_text("x")
    with pytest.raises(WordalignError, match=r"f: cannot write \(it is a file, not a folder\)$"):
        make_folder(tmp_path / "f")


def test_io_files_check_writable(tmp_path: Path) -> None:
    check_writable("-")
    check_writable(tmp_path / "new" / "out.txt")
    (tmp_path / "f").write_text("x")
    check_writable(tmp_path / "f")
    with pytest.raises(WordalignError, match="exists already"):
        check_writable(tmp_path / "f", overwrite=False)
    with pytest.raises(WordalignError, match=r"cannot write \(it is a directory\)"):
        check_writable(tmp_path)
    with pytest.raises(WordalignError, match=r"cannot write \(.*f is a file, not a folder\)"):
        check_writable(tmp_path / "f" / "out.txt")


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_io_files_interrupt_removes_the_temporary_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out.txt{suffix}"
    seen: list[str] = []
    with pytest.raises(KeyboardInterrupt), atomic_writer(target) as out:
        out.write("half")
        seen = [p.name for p in tmp_path.iterdir()]
        raise KeyboardInterrupt
    # The temporary file was there, recognisably named after its target and after wordalign.
    assert len(seen) == 1
    assert seen[0].startswith(f".out.txt{suffix}.wordalign-{os.getpid()}-")
    assert seen[0].endswith(".tmp")
    assert list(tmp_path.iterdir()) == []


def test_io_files_interrupt_in_the_rename_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(tmp_path / "model.npz", b"data")
    assert list(tmp_path.iterdir()) == []


def test_io_files_stale_temporary_files_are_removed_on_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    stale = tmp_path / ".out.txt.wordalign-123-abcd.tmp"
    fresh = tmp_path / ".out.txt.wordalign-456-efgh.tmp"  # another write, still running
    other = tmp_path / ".other.txt.wordalign-123-abcd.tmp"  # another target's
    foreign = tmp_path / ".out.txt.abcd.tmp"  # not ours (an older naming, another tool)
    for path in (stale, fresh, other, foreign):
        path.write_text("half")
    old = time.time() - STALE_TEMP_SECONDS - 60
    for path in (stale, other, foreign):
        os.utime(path, (old, old))
    write_lines(target, ["x"])
    assert target.read_text() == "x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, fresh.name, other.name, foreign.name]
    )
    assert remove_stale_temp_files(tmp_path / "other.txt") == [other]
