"""The DERMIT loader and downloader, against a local HTTP server serving synthetic files."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wordalign.corpus import dermit
from wordalign.corpus.dermit import (
    DATA_NOTICE,
    Document,
    download_dermit,
    iter_documents,
    resolve_data_dir,
)
from wordalign.errors import InputFormatError, WordalignError

YEARS = (2020, 2021)


def _doc(doc_id: str, date: str, de: str, rm: str, it: str | None) -> dict[str, str | None]:
    return {
        "id": doc_id,
        "date": date,
        "DE_title": f"Titel {de}",
        "DE_content": f"Der Rat hat {de} beschlossen. \n \n Weitere Schritte folgen.",
        "IT_title": None if it is None else f"Titolo {it}",
        "IT_content": "" if it is None else f"Il consiglio ha deciso {it}.",
        "RM_title": f"Titel {rm}",
        "RM_content": f"Il cussegl ha decidì {rm}.",
    }


def _year_json(year: int) -> bytes:
    # Keys out of textual order on purpose: "10" must come after "2".
    docs = {
        "10": _doc(f"{year}0301", f"{year}-03-01", "Sonne", "sulegl", "sole"),
        "0": _doc(f"{year}0101", f"{year}-01-01", "Schnee", "naiv", None),
        "2": _doc(f"{year}0201", f"{year}-02-01", "Wind", "vent", "vento"),
    }
    # Padding makes the files span several read chunks, so that a cut lands mid-file.
    docs["11"] = _doc(f"{year}0401", f"{year}-04-01", "x" * 150_000, "y", "z")
    return json.dumps(docs, ensure_ascii=False, indent=1).encode("utf-8")


GOLD = {
    "gold_standard/alignments_src_text.txt": "0\tDer Hund bellt .\n2\tEin Haus .\n",
    "gold_standard/alignments_trg_text.txt": "0\tIl chaun latra .\n2\tIna chasa .\n",
    "gold_standard/alignments_pharaoh.txt": "0\t0-0 1-1 2-2 3-3\n2\t0-0 1-1 2-2\n",
}


def _files() -> dict[str, bytes]:
    files = {f"corpus/json_aligned/{y}_aligned.json": _year_json(y) for y in YEARS}
    files.update({path: text.encode("utf-8") for path, text in GOLD.items()})
    return files


@dataclass
class Server:
    url: str
    files: dict[str, bytes]
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    cut_once: set[str] = field(default_factory=set)  # paths whose next full GET is cut short
    ignore_range: bool = False


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="", files=_files())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            range_header = self.headers.get("Range")
            state.requests.append((path, range_header))
            data = state.files.get(path)
            if data is None:
                self.send_error(404)
                return
            start = 0
            if range_header and not state.ignore_range:
                start = int(range_header.removeprefix("bytes=").rstrip("-"))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if path in state.cut_once:
                state.cut_once.discard(path)
                self.wfile.write(body[: len(body) // 3])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _download(server: Server, cache: Path, **kwargs: object) -> Path:
    return download_dermit(
        cache, base_url=server.url, years=YEARS, progress=False, timeout=5, **kwargs
    )  # type: ignore[arg-type]


def _assert_complete(cache: Path, server: Server) -> None:
    for path, data in server.files.items():
        assert (cache / path).read_bytes() == data
    assert not list(cache.rglob("*.part"))


def test_full_download_fetches_every_file_and_logs_the_notice(
    server: Server,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dermit, "_notice_logged", False)
    cache = tmp_path / "cache"
    assert _download(server, cache) == cache
    _assert_complete(cache, server)
    assert sorted(path for path, _ in server.requests) == sorted(server.files)
    assert any(DATA_NOTICE in message for message in caplog.messages)
    assert "commercial use is prohibited" in DATA_NOTICE


def test_complete_files_are_skipped(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _download(server, cache)
    server.requests.clear()
    _download(server, cache)
    assert server.requests == []


def test_connection_cut_mid_file_is_resumed_with_range(server: Server, tmp_path: Path) -> None:
    path = "corpus/json_aligned/2020_aligned.json"
    server.cut_once.add(path)
    cache = tmp_path / "cache"
    _download(server, cache)
    _assert_complete(cache, server)
    ranges = [header for requested, header in server.requests if requested == path]
    assert ranges[0] is None
    assert len(ranges) == 2
    assert ranges[1] is not None
    assert ranges[1].startswith("bytes=")
    assert ranges[1] != "bytes=0-"


def test_existing_part_file_is_resumed(server: Server, tmp_path: Path) -> None:
    path = "corpus/json_aligned/2021_aligned.json"
    cache = tmp_path / "cache"
    part = cache / (path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(server.files[path][:1000])
    _download(server, cache)
    _assert_complete(cache, server)
    assert (path, "bytes=1000-") in server.requests


def test_server_ignoring_range_restarts_from_zero(server: Server, tmp_path: Path) -> None:
    path = "corpus/json_aligned/2021_aligned.json"
    server.ignore_range = True
    cache = tmp_path / "cache"
    part = cache / (path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"garbage that is not the file")
    _download(server, cache)
    _assert_complete(cache, server)


def test_complete_part_file_is_accepted_after_416(server: Server, tmp_path: Path) -> None:
    path = "gold_standard/alignments_pharaoh.txt"
    cache = tmp_path / "cache"
    part = cache / (path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(server.files[path])
    _download(server, cache)
    _assert_complete(cache, server)


def test_corrupt_json_is_rejected_and_removed(server: Server, tmp_path: Path) -> None:
    path = "corpus/json_aligned/2021_aligned.json"
    server.files[path] = b'{"0": {"id": "1", '
    cache = tmp_path / "cache"
    with pytest.raises(
        InputFormatError, match=r"2021_aligned\.json:1: downloaded file is not valid JSON"
    ):
        _download(server, cache)
    assert not (cache / path).exists()
    assert not (cache / (path + ".part")).exists()


def test_http_error_names_the_url(server: Server, tmp_path: Path) -> None:
    del server.files["gold_standard/alignments_pharaoh.txt"]
    with pytest.raises(WordalignError, match=r"alignments_pharaoh\.txt: HTTP 404"):
        _download(server, tmp_path / "cache")


def test_repeated_interruptions_fail_with_a_resume_hint(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = "corpus/json_aligned/2020_aligned.json"

    class AlwaysCut(set[str]):
        def discard(self, item: str) -> None:  # never forget: every request is cut
            pass

    server.cut_once = AlwaysCut({path})
    with pytest.raises(WordalignError, match=r"interrupted 3 times.*run again to resume"):
        _download(server, tmp_path / "cache", retries=2)
    assert (tmp_path / "cache" / (path + ".part")).stat().st_size > 0


def test_iter_documents_reads_synthetic_data_in_order(server: Server, tmp_path: Path) -> None:
    cache = _download(server, tmp_path / "cache")
    docs = list(iter_documents(cache))
    assert [d.id for d in docs] == [
        "20200101", "20200201", "20200301", "20200401",
        "20210101", "20210201", "20210301", "20210401",
    ]  # fmt: skip
    first = docs[0]
    assert first == Document(
        id="20200101",
        date="2020-01-01",
        year=2020,
        title={"de": "Titel Schnee", "rm": "Titel naiv", "it": ""},
        content={
            "de": "Der Rat hat Schnee beschlossen. \n \n Weitere Schritte folgen.",
            "rm": "Il cussegl ha decidì naiv.",
            "it": "",
        },
    )
    assert not first.has("it")
    assert first.has("rm")
    assert [d.year for d in iter_documents(cache, years=[2021])] == [2021] * 4


def test_iter_documents_errors(tmp_path: Path) -> None:
    folder = tmp_path / "corpus" / "json_aligned"
    folder.mkdir(parents=True)
    with pytest.raises(WordalignError, match="no DERMIT files"):
        list(iter_documents(tmp_path))
    (folder / "2019_aligned.json").write_text('{"0": {"id": "1", "date": "x",\n "DE_title": }')
    with pytest.raises(InputFormatError, match=r"2019_aligned\.json:2: not valid JSON"):
        list(iter_documents(tmp_path))
    with pytest.raises(WordalignError, match=r"no file for year\(s\) 2018 \(present: 2019-2019\)"):
        list(iter_documents(tmp_path, years=[2018]))
    (folder / "2019_aligned.json").write_text('{"0": {"id": "1", "date": "x", "DE_title": 3}}')
    with pytest.raises(InputFormatError, match="'DE_title' must be a string"):
        list(iter_documents(tmp_path))
    (folder / "2019_aligned.json").write_text('{"0": {"date": "x"}}')
    with pytest.raises(InputFormatError, match="missing or bad 'id'"):
        list(iter_documents(tmp_path))
    (folder / "2019_aligned.json").write_text("[]")
    with pytest.raises(InputFormatError, match="expected a JSON object of documents, found list"):
        list(iter_documents(tmp_path))


def test_resolve_data_dir_order(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _download(server, tmp_path / "data")
    monkeypatch.delenv("WORDALIGN_DATA", raising=False)
    monkeypatch.setenv("WORDALIGN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WORDALIGN_DERMIT_URL", server.url)
    assert resolve_data_dir(str(data)) == data
    assert resolve_data_dir(data / "corpus" / "json_aligned") == data / "corpus" / "json_aligned"
    with pytest.raises(WordalignError, match=r"--data .*no such folder"):
        resolve_data_dir(str(tmp_path / "nowhere"))
    with pytest.raises(WordalignError, match=r"--data .*no DERMIT files"):
        resolve_data_dir(str(tmp_path))
    monkeypatch.setenv("WORDALIGN_DATA", str(data))
    assert resolve_data_dir(None) == data
    monkeypatch.delenv("WORDALIGN_DATA")
    with pytest.raises(WordalignError, match="DERMIT data not found: pass --data DIR"):
        resolve_data_dir(None, download=False)
    # Without --data or WORDALIGN_DATA the cache folder is filled from WORDALIGN_DERMIT_URL;
    # restrict the years through the server: it has only two, so the other years give 404.
    with pytest.raises(WordalignError, match=r"1997_aligned\.json: HTTP 404"):
        resolve_data_dir(None, progress=False)
    cache = download_dermit(None, years=YEARS, progress=False, timeout=5)
    assert cache == tmp_path / "cache" / "dermit"
    assert resolve_data_dir(None, download=False) == cache
