"""Opening inputs and writing outputs: gzip by suffix, ``-`` for stdin/stdout, atomic writes.

Every reader in :mod:`wordalign.io` goes through :func:`read_lines`, so that line numbers in error
messages are counted one way, and every writer through :func:`atomic_writer`, so that a crash or
a Ctrl-C never leaves a half-written output file behind.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from wordalign.errors import InputFormatError, WordalignError

PathLike = str | os.PathLike[str]

STDIO = "-"


def display_name(path: PathLike) -> str:
    """How a path appears in messages (``<stdin>`` for ``-``)."""
    return "<stdin>" if str(path) == STDIO else str(path)


def _is_gzip(path: PathLike) -> bool:
    return str(path).endswith(".gz")


@contextlib.contextmanager
def open_binary(path: PathLike) -> Iterator[IO[bytes]]:
    """Open an input for reading bytes; ``.gz`` is decompressed, ``-`` is stdin.

    Raises:
        WordalignError: when the file does not exist or cannot be read.
    """
    if str(path) == STDIO:
        yield sys.stdin.buffer
        return
    try:
        if _is_gzip(path):
            handle: IO[bytes] = gzip.open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        else:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise WordalignError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WordalignError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise WordalignError(f"{path}: permission denied") from None
    with handle:
        yield handle


def read_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for every line, 1-based, without the line ending.

    Only ``\\n`` and ``\\r\\n`` end lines (not the other Unicode separators that ``str.splitlines``
    honours), so that line numbers agree with ``wc -l`` and with every other tool. Each line is
    decoded on its own, so that a byte that is not UTF-8 is reported at its own line (a text
    stream decodes whole chunks ahead of the lines it hands out).

    Raises:
        InputFormatError: for bytes that are not UTF-8, naming the line.
    """
    name = display_name(path)
    with open_binary(path) as handle:
        line_no = 0
        try:
            for line_no, raw in enumerate(handle, start=1):
                if raw.endswith(b"\n"):
                    raw = raw[:-1]
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
                try:
                    # utf-8-sig on the first line drops a byte-order mark some editors write.
                    text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise InputFormatError(
                        name, line_no, f"not valid UTF-8 ({exc.reason} at byte {exc.start + 1})"
                    ) from None
                yield line_no, text
        except (OSError, EOFError) as exc:  # truncated gzip and the like
            raise InputFormatError(name, line_no + 1, f"cannot read: {exc}") from None


@contextlib.contextmanager
def atomic_writer(path: PathLike, overwrite: bool = True) -> Iterator[IO[str]]:
    """Write a text file atomically: to a temporary file beside it, renamed on success.

    ``-`` writes to stdout; a ``.gz`` suffix compresses. On an exception the target is untouched.

    Raises:
        WordalignError: when ``overwrite`` is false and the file exists.
    """
    if str(path) == STDIO:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not overwrite and target.exists():
        raise WordalignError(f"{target}: exists already (use --overwrite to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _default_mode(fd)
        with os.fdopen(fd, "wb") as raw:
            binary: IO[bytes] = (
                gzip.GzipFile(fileobj=raw, mode="wb") if _is_gzip(target) else raw  # type: ignore[assignment]
            )
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as text:
                yield text
            if binary is not raw:
                binary.close()
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _default_mode(fd: int) -> None:
    # mkstemp creates 0600 files; outputs should get the permissions any new file would get.
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)


def write_lines(path: PathLike, lines: Iterable[str], overwrite: bool = True) -> None:
    """Write one line per item, atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, overwrite=overwrite) as out:
        for line in lines:
            out.write(line)
            out.write("\n")


def atomic_write_text(path: PathLike, text: str) -> None:
    """Replace ``path`` with ``text`` atomically."""
    with atomic_writer(path) as out:
        out.write(text)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _default_mode(fd)
        with os.fdopen(fd, "wb") as raw:
            raw.write(data)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
