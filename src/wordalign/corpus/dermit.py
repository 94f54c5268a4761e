"""The DERMIT corpus: loading the per-year JSON files and downloading them.

DERMIT (Dolev, 2023, "Does mBERT understand Romansh?", SwissText) holds the press releases of the
Canton of Graubünden from 1997 to 2023 in German, Romansh (Rumantsch Grischun) and Italian,
aligned by document only: one JSON file per year, ``corpus/json_aligned/YYYY_aligned.json``, a
dict of documents with ``id``, ``date``, ``DE_title``, ``DE_content``, ``RM_title``, ...

The data is published at https://github.com/eyldlv/DERMIT-Corpus. **It is for research use only:
the copyright of the press releases lies with the Canton of Graubünden and commercial use is
prohibited.** wordalign never ships the corpus; :func:`download_dermit` fetches it into a cache
folder, and logs that notice (:data:`DATA_NOTICE`) the first time it downloads in a process.

Example:
    >>> from wordalign.corpus.dermit import iter_documents, resolve_data_dir
    >>> for doc in iter_documents(resolve_data_dir(None), years=[2022]):  # doctest: +SKIP
    ...     print(doc.id, doc.title["rm"])
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wordalign.errors import InputFormatError, WordalignError

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://raw.githubusercontent.com/eyldlv/DERMIT-Corpus/main/"
"""Where :func:`download_dermit` fetches the raw files (overridden by ``WORDALIGN_DERMIT_URL``)."""

YEARS: tuple[int, ...] = tuple(range(1997, 2024))
"""The years the published corpus covers."""

LANGS: tuple[str, ...] = ("de", "rm", "it")
"""Language codes of a :class:`Document`, in the order of the corpus."""

CORPUS_SUBDIR = Path("corpus") / "json_aligned"
GOLD_FILES: tuple[str, ...] = (
    "gold_standard/alignments_src_text.txt",
    "gold_standard/alignments_trg_text.txt",
    "gold_standard/alignments_pharaoh.txt",
)
"""The German-Romansh word-alignment gold standard (600 pairs upstream; copies may hold fewer)."""

DATA_NOTICE = (
    "DERMIT corpus (github.com/eyldlv/DERMIT-Corpus): press releases of the Canton of "
    "Graubünden. Research use only; copyright Canton of Graubünden; commercial use is prohibited."
)
"""The terms of use, shown once whenever the data is downloaded."""

ENV_DATA = "WORDALIGN_DATA"
ENV_CACHE = "WORDALIGN_CACHE"
ENV_URL = "WORDALIGN_DERMIT_URL"

_YEAR_FILE = re.compile(r"^(\d{4})_aligned\.json$")
_CHUNK = 1 << 16
_notice_logged = False


@dataclass(frozen=True)
class Document:
    """One press release in the three languages.

    Attributes:
        id: The corpus identifier (for example ``"2015011501"``).
        date: The publication date as written in the corpus (``YYYY-MM-DD``).
        year: The year of the file the document comes from.
        title: Title per language code (``"de"``, ``"rm"``, ``"it"``); ``""`` when absent.
        content: Body text per language code, paragraphs separated by line breaks; ``""`` when
            absent.
    """

    id: str
    date: str
    year: int
    title: dict[str, str]
    content: dict[str, str]

    def has(self, lang: str) -> bool:
        """Whether the document has any text (title or content) in ``lang``."""
        return bool(self.title.get(lang, "").strip() or self.content.get(lang, "").strip())


# --------------------------------------------------------------------------------------------
# Reading


def corpus_dir(data_dir: Path) -> Path:
    """The folder that holds the ``YYYY_aligned.json`` files of a data folder.

    Accepts the root of a DERMIT checkout (``corpus/json_aligned`` inside it) or the JSON folder
    itself.
    """
    nested = data_dir / CORPUS_SUBDIR
    return nested if nested.is_dir() else data_dir


def available_years(data_dir: Path) -> list[int]:
    """The years that have a ``YYYY_aligned.json`` file in ``data_dir``, ascending."""
    folder = corpus_dir(data_dir)
    if not folder.is_dir():
        return []
    years = []
    for path in folder.iterdir():
        match = _YEAR_FILE.match(path.name)
        if match and path.is_file():
            years.append(int(match.group(1)))
    return sorted(years)


def iter_documents(data_dir: Path, years: Iterable[int] | None = None) -> Iterator[Document]:
    """Yield the documents of the corpus, year by year, in the corpus's own order.

    The order is deterministic: ascending years, and inside a year the documents by their key
    in the JSON dict read as a number (``"2"`` before ``"10"``).

    Args:
        data_dir: The DERMIT folder (with ``corpus/json_aligned``) or the JSON folder itself.
        years: The years to read, in any order; ``None`` reads every year present.

    Raises:
        WordalignError: when a requested year has no file, or ``data_dir`` holds none.
        InputFormatError: when a file is not valid JSON or not in the DERMIT shape, naming it.
    """
    data_dir = Path(data_dir)
    folder = corpus_dir(data_dir)
    present = available_years(data_dir)
    if years is None:
        wanted = present
        if not wanted:
            raise WordalignError(
                f"{data_dir}: no DERMIT files (expected {CORPUS_SUBDIR}/YYYY_aligned.json)"
            )
    else:
        wanted = sorted(set(int(year) for year in years))
        missing = [year for year in wanted if year not in present]
        if missing:
            raise WordalignError(
                f"{folder}: no file for year(s) {', '.join(map(str, missing))} "
                f"(present: {_describe_years(present)})"
            )
    for year in wanted:
        yield from _read_year(folder / f"{year}_aligned.json", year)


def _describe_years(years: Sequence[int]) -> str:
    if not years:
        return "none"
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _read_year(path: Path, year: int) -> Iterator[Document]:
    name = str(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise InputFormatError(name, exc.lineno, f"not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise InputFormatError(name, None, f"not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise WordalignError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not isinstance(data, dict):
        raise InputFormatError(
            name, None, f"expected a JSON object of documents, found {type(data).__name__}"
        )
    for key in sorted(data, key=_key_order):
        yield _document(name, year, key, data[key])


def _key_order(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _document(name: str, year: int, key: str, raw: Any) -> Document:
    if not isinstance(raw, dict):
        raise InputFormatError(
            name, None, f"document {key!r}: expected an object, found {type(raw).__name__}"
        )
    for field in ("id", "date"):
        if not isinstance(raw.get(field), str | int):
            raise InputFormatError(name, None, f"document {key!r}: missing or bad {field!r}")
    title: dict[str, str] = {}
    content: dict[str, str] = {}
    for lang in LANGS:
        for part, into in (("title", title), ("content", content)):
            field = f"{lang.upper()}_{part}"
            value = raw.get(field)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputFormatError(
                    name,
                    None,
                    f"document {key!r}: {field!r} must be a string, found {type(value).__name__}",
                )
            into[lang] = value
    return Document(
        id=str(raw["id"]), date=str(raw["date"]), year=year, title=title, content=content
    )


# --------------------------------------------------------------------------------------------
# Where the data is


def user_cache_dir() -> Path:
    """The user's wordalign cache folder: ``$WORDALIGN_CACHE`` if set, else ``~/.cache/wordalign``.

    Shared by everything wordalign caches: the DERMIT data here, numba's compiled kernels
    (:mod:`wordalign._numba_cache`).
    """
    root = os.environ.get(ENV_CACHE)
    if root:
        return Path(root).expanduser()
    return Path.home() / ".cache" / "wordalign"


def default_cache_dir() -> Path:
    """``$WORDALIGN_CACHE/dermit`` if that variable is set, else ``~/.cache/wordalign/dermit``."""
    return user_cache_dir() / "dermit"


def default_base_url() -> str:
    """``$WORDALIGN_DERMIT_URL`` if set, else :data:`DEFAULT_BASE_URL`."""
    return os.environ.get(ENV_URL) or DEFAULT_BASE_URL


def resolve_data_dir(
    explicit: str | os.PathLike[str] | None, *, download: bool = True, progress: bool = True
) -> Path:
    """Find the DERMIT data: ``--data``, else ``$WORDALIGN_DATA``, else the cache folder.

    When neither the flag nor the variable is given, the cache folder
    (:func:`default_cache_dir`) is used and, if ``download`` is true, completed by
    :func:`download_dermit` (which logs :data:`DATA_NOTICE` when it fetches anything).

    Args:
        explicit: The value of ``--data`` (``None`` when not given).
        download: Whether to download missing files into the cache folder.
        progress: Whether a download shows progress bars.

    Returns:
        A folder to pass to :func:`iter_documents`.

    Raises:
        WordalignError: when the given folder holds no DERMIT files, or the cache folder is
            incomplete and ``download`` is false, or the download fails.
    """
    for value, origin in ((explicit, "--data"), (os.environ.get(ENV_DATA), ENV_DATA)):
        if value is None or str(value) == "":
            continue
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise WordalignError(f"{origin} {folder}: no such folder")
        if not available_years(folder):
            raise WordalignError(
                f"{origin} {folder}: no DERMIT files in it (expected "
                f"{CORPUS_SUBDIR}/YYYY_aligned.json, as in github.com/eyldlv/DERMIT-Corpus)"
            )
        return folder
    cache = default_cache_dir()
    if download:
        return download_dermit(cache, progress=progress)
    if not available_years(cache):
        raise WordalignError(
            f"DERMIT data not found: pass --data DIR (with make demo: {ENV_DATA}=DIR make demo), "
            f"set {ENV_DATA}, or download it into {cache} (wordalign corpus download)"
        )
    return cache


# --------------------------------------------------------------------------------------------
# Downloading


def dermit_files(years: Iterable[int] = YEARS, gold: bool = True) -> list[str]:
    """Paths, relative to the repository root, of the files :func:`download_dermit` fetches."""
    files = [f"{CORPUS_SUBDIR.as_posix()}/{year}_aligned.json" for year in sorted(set(years))]
    if gold:
        files.extend(GOLD_FILES)
    return files


def download_dermit(
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    years: Iterable[int] = YEARS,
    progress: bool = True,
    *,
    gold: bool = True,
    timeout: float = 60.0,
    retries: int = 3,
) -> Path:
    """Download the DERMIT corpus (per-year JSON files and gold standard) into a cache folder.

    The data is for research use only: copyright Canton of Graubünden, commercial use
    prohibited (see :data:`DATA_NOTICE`, logged once per process when anything is fetched).

    Each file is streamed to ``NAME.part`` with a progress bar, then checked (the size the
    server announced; JSON files must parse; text files must be UTF-8) and renamed into place,
    so a file under its final name is always complete. Files already there are skipped. A
    ``.part`` left by an interrupted run is resumed with an HTTP ``Range`` request (restarted
    from zero when the server ignores it); a connection cut mid-file is resumed the same way
    up to ``retries`` times.

    Args:
        cache_dir: Target folder; default :func:`default_cache_dir`.
        base_url: Raw-file root of the repository; default ``$WORDALIGN_DERMIT_URL`` or
            :data:`DEFAULT_BASE_URL`.
        years: Years to fetch (default 1997-2023).
        progress: Whether to show progress bars.
        gold: Whether to fetch the gold-standard files too.
        timeout: Seconds to wait on the network before giving up a connection.
        retries: How many times an interrupted file is resumed before failing.

    Returns:
        The cache folder, ready for :func:`iter_documents`.

    Raises:
        WordalignError: on a network or HTTP error (a later run resumes where this one stopped).
        InputFormatError: when a downloaded file is corrupt (its ``.part`` is removed).
    """
    global _notice_logged
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    url_root = base_url or default_base_url()
    if not url_root.endswith("/"):
        url_root += "/"
    for rel in dermit_files(years, gold=gold):
        target = root / rel
        if target.is_file():
            continue
        if not _notice_logged:
            logger.warning(DATA_NOTICE)
            _notice_logged = True
        target.parent.mkdir(parents=True, exist_ok=True)
        _fetch(url_root + rel, target, progress=progress, timeout=timeout, retries=retries)
    return root


def _fetch(url: str, target: Path, *, progress: bool, timeout: float, retries: int) -> None:
    part = target.with_name(target.name + ".part")
    attempts = 0
    while True:
        try:
            _stream(url, part, progress=progress, timeout=timeout)
            break
        except _Interrupted as exc:
            attempts += 1
            if attempts > retries:
                raise WordalignError(
                    f"{url}: download interrupted {attempts} times ({exc}); run again to resume"
                ) from None
            logger.info("%s: interrupted (%s), resuming", url, exc)
    _check(url, part)
    os.replace(part, target)


class _Interrupted(Exception):
    """A transfer that stopped early; the ``.part`` file keeps what arrived."""


def _stream(url: str, part: Path, *, progress: bool, timeout: float) -> None:
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "wordalign"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            # The .part already holds the whole file (or more): let the checks decide.
            exc.close()
            return
        raise WordalignError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, socket.timeout | TimeoutError | ConnectionError):
            raise _Interrupted(str(reason)) from None
        raise WordalignError(
            f"{url}: cannot download ({reason}); check the network, or give a copy of the "
            f"corpus with --data DIR (with make demo: {ENV_DATA}=DIR make demo)"
        ) from None
    with response:
        status = response.status
        length = response.headers.get("Content-Length")
        if have and status == 206:
            start, total = _content_range(response.headers.get("Content-Range"))
            if start != have:
                raise WordalignError(f"{url}: server resumed at byte {start}, expected {have}")
            mode = "ab"
        else:
            # 200: a fresh download, or a server that ignored the Range header; start over.
            have = 0
            total = int(length) if length is not None and length.isdigit() else None
            mode = "wb"
        with open(part, mode) as out:
            _copy(response, out, url=url, have=have, total=total, progress=progress)
    size = part.stat().st_size
    if total is not None and size < total:
        raise _Interrupted(f"got {size} of {total} bytes")
    if total is not None and size > total:
        part.unlink()
        raise WordalignError(f"{url}: got {size} bytes, more than the {total} announced")


def _content_range(value: str | None) -> tuple[int, int | None]:
    match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", (value or "").strip())
    if match is None:
        raise WordalignError(f"bad Content-Range header {value!r} in a resumed download")
    total = None if match.group(2) == "*" else int(match.group(2))
    return int(match.group(1)), total


def _copy(
    response: IO[bytes], out: IO[bytes], *, url: str, have: int, total: int | None, progress: bool
) -> None:
    from wordalign._progress import bar as progress_bar

    name = url.rsplit("/", 1)[-1]
    with progress_bar(
        total=total, desc=name, enabled=progress, initial=have, unit="B", unit_scale=True
    ) as bar:
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (http.client.IncompleteRead, ConnectionError, TimeoutError, OSError) as exc:
                with contextlib.suppress(Exception):
                    out.flush()
                raise _Interrupted(type(exc).__name__) from None
            if not chunk:
                break
            out.write(chunk)
            bar.update(len(chunk))


def _check(url: str, part: Path) -> None:
    data = part.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        part.unlink()
        raise InputFormatError(url, None, f"downloaded file is not UTF-8 ({exc.reason})") from None
    if url.endswith(".json"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            part.unlink()
            raise InputFormatError(
                url, exc.lineno, f"downloaded file is not valid JSON ({exc.msg}); removed it"
            ) from None
        if not isinstance(parsed, dict):
            part.unlink()
            raise InputFormatError(
                url, None, "downloaded file is not a JSON object of documents; removed it"
            )
