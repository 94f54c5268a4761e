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
import time
import zlib
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
    except NotADirectoryError:
        raise WordalignError(f"{path}: no such file (a folder on the way is a file)") from None
    except OSError as exc:
        raise WordalignError(f"{path}: cannot read ({_reason(exc)})") from None
    with handle:
        yield handle


def read_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for every line, 1-based, without the line ending.

    Only ``\\n`` and ``\\r\\n`` end lines (not the other Unicode separators that ``str.splitlines``
    honours), so that line numbers agree with ``wc -l`` and with every other tool. Each line is
    decoded on its own, so that a byte that is not UTF-8 is reported at its own line (a text
    stream decodes whole chunks ahead of the lines it hands out).

    Raises:
        InputFormatError: for bytes that are not UTF-8, naming the line; for a ``.gz`` file that
            is not gzip data, is corrupt or is truncated (naming the line reached).
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
                    reason = f"not valid UTF-8 ({exc.reason} at byte {exc.start + 1})"
                    if line_no == 1 and raw.startswith(_GZIP_MAGIC):
                        reason += "; the file looks gzip-compressed: name it *.gz"
                    raise InputFormatError(name, line_no, reason) from None
                yield line_no, text
        except gzip.BadGzipFile as exc:
            raise _gzip_error(name, line_no, exc) from None
        except zlib.error as exc:
            raise InputFormatError(name, line_no + 1, f"corrupt gzip data ({exc})") from None
        except EOFError as exc:  # gzip data that ends before its end-of-stream marker
            raise InputFormatError(
                name, line_no + 1, f"cannot read: truncated gzip file ({exc})"
            ) from None
        except OSError as exc:
            raise InputFormatError(name, line_no + 1, f"cannot read: {_reason(exc)}") from None


_GZIP_MAGIC = b"\x1f\x8b"


def _gzip_error(name: str, line_no: int, exc: gzip.BadGzipFile) -> InputFormatError:
    message = str(exc)
    if line_no == 0 and "CRC" not in message and "length" not in message:
        return InputFormatError(name, None, f"not a valid gzip file ({message})")
    if "CRC check failed" in message or "Incorrect length" in message:
        # The check sums come after the data: the lines read are there, but cannot be trusted.
        return InputFormatError(
            name, None, f"corrupt gzip data: its check failed after line {line_no} ({message})"
        )
    return InputFormatError(name, line_no + 1, f"corrupt gzip data ({message})")


def _reason(exc: OSError) -> str:
    """An OS error's reason without the file name (messages name the file themselves)."""
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _write_error(target: Path, exc: OSError) -> WordalignError:
    """``FILE: cannot write (reason)`` for an output that cannot be created where it is asked."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        # A folder to create, or one on the way to the file, is a file: name it.
        for path in (target, *target.parents):
            if path.exists() and not path.is_dir():
                what = "it" if path == target else str(path)
                return WordalignError(f"{target}: cannot write ({what} is a file, not a folder)")
    return WordalignError(f"{target}: cannot write ({_reason(exc)})")


def probe_folder(folder: Path) -> None:
    """Create and remove a temporary file in ``folder``; raises the OSError when that fails.

    Trying is the only reliable question: root passes ``os.access`` on a read-only file system
    or in /sys, where creating a file still fails."""
    tempfile.TemporaryFile(dir=folder).close()


def check_writable(path: PathLike, overwrite: bool = True) -> None:
    """Fail early, before any work, when an output file obviously cannot be written.

    This is a courtesy for commands that compute for a while before they write: the write itself
    (:func:`atomic_writer`) reports the same problems, and those only it can see (a full disk).
    ``-`` (stdout) is always writable.

    Raises:
        WordalignError: ``FILE: cannot write (reason)`` for a directory in its place, a file in
            place of one of its folders, or a folder the user may not write to; ``FILE: exists
            already`` when ``overwrite`` is false and it exists.
    """
    if str(path) == STDIO:
        return
    target = Path(path)
    if target.is_dir():
        raise WordalignError(f"{target}: cannot write (it is a directory)")
    if not overwrite and target.exists():
        raise WordalignError(f"{target}: exists already (use --overwrite to replace it)")
    for parent in target.parents:
        if not parent.exists():
            continue
        if not parent.is_dir():
            raise WordalignError(f"{target}: cannot write ({parent} is a file, not a folder)")
        try:
            probe_folder(parent)
        except OSError as exc:
            raise _write_error(target, exc) from None
        return


def make_folder(path: PathLike) -> Path:
    """Create a folder and its parents (nothing happens when it exists).

    Raises:
        WordalignError: ``FOLDER: cannot write (reason)`` when it cannot be created: a file is in
            the way, the file system is read-only, permission is denied, ...
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(folder, exc) from None
    return folder


# Temporary files of an atomic write are named ``.NAME.wordalign-PID-RANDOM.tmp`` beside the
# target NAME, so that they are recognisable. A process that is killed outright (SIGKILL, a power
# cut) cannot remove its own; writing the same target again removes those older than this.
STALE_TEMP_SECONDS = 6 * 3600
_TEMP_MARK = ".wordalign-"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}{_TEMP_MARK}"


def remove_stale_temp_files(target: PathLike, max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files of interrupted writes of ``target`` older than ``max_age``.

    A write in progress keeps its temporary file fresh (it is written to), so only leftovers of
    killed processes are old. Files that cannot be removed are left alone.

    Returns:
        The files removed.
    """
    target = Path(target)
    prefix = _temp_prefix(target)
    now = time.time()
    removed = []
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return []
    for candidate in candidates:
        if not candidate.name.endswith(".tmp"):
            continue
        with contextlib.suppress(OSError):
            if now - candidate.lstat().st_mtime > max_age and candidate.is_file():
                candidate.unlink()
                removed.append(candidate)
    return removed


@contextlib.contextmanager
def _atomic_binary(target: Path) -> Iterator[IO[bytes]]:
    """Yield a binary file beside ``target`` that replaces it when the block ends without error.

    The temporary file is removed on every exception, ``KeyboardInterrupt`` included.

    Raises:
        WordalignError: ``FILE: cannot write (reason)`` when the file cannot be created or
            replaced (a directory in its place, a file in place of a folder, no permission, a
            read-only file system, a full disk when the data is flushed).
    """
    if target.is_dir():
        raise WordalignError(f"{target}: cannot write (it is a directory)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(target, exc) from None
    remove_stale_temp_files(target)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f"{_temp_prefix(target)}{os.getpid()}-", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _write_error(target, exc) from None
    replaced = False
    try:
        _default_mode(fd)
        with os.fdopen(fd, "wb") as raw:
            yield raw
            try:
                raw.close()  # flushes: a full disk shows here at the latest
            except OSError as exc:
                raise _write_error(target, exc) from None
        try:
            os.replace(tmp_name, target)
        except OSError as exc:
            raise _write_error(target, exc) from None
        replaced = True
    finally:
        if not replaced:  # any exception, KeyboardInterrupt and GeneratorExit included
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


@contextlib.contextmanager
def atomic_writer(path: PathLike, overwrite: bool = True) -> Iterator[IO[str]]:
    """Write a text file atomically: to a temporary file beside it, renamed on success.

    ``-`` writes to stdout; a ``.gz`` suffix compresses. On any exception (``KeyboardInterrupt``
    included) the target is untouched and the temporary file removed; leftovers of a process
    killed outright are removed by a later write of the same target once they are
    :data:`STALE_TEMP_SECONDS` old (see :func:`remove_stale_temp_files`).

    Raises:
        WordalignError: when ``overwrite`` is false and the file exists; ``FILE: cannot write
            (reason)`` when it cannot be written there.
    """
    if str(path) == STDIO:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not overwrite and target.exists() and not target.is_dir():
        raise WordalignError(f"{target}: exists already (use --overwrite to replace it)")
    with _atomic_binary(target) as raw:
        binary: IO[bytes] = (
            gzip.GzipFile(fileobj=raw, mode="wb") if _is_gzip(target) else raw  # type: ignore[assignment]
        )
        try:
            # Closing the wrapper flushes it and closes raw (a GzipFile leaves its raw open).
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as text:
                yield text
            if binary is not raw:
                binary.close()
        except OSError as exc:  # a full disk, a quota: the data does not fit where it goes
            raise _write_error(target, exc) from None


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
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_writer` for the errors)."""
    with _atomic_binary(Path(path)) as raw:
        raw.write(data)
