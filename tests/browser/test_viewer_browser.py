"""The web app driven in headless Chromium: the real server (`wordalign serve`) in a subprocess.

Needs Debian's ``chromium`` (``/usr/bin/chromium``; never a downloaded browser) and the Python
``playwright`` package (the ``browser`` extra); without either the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("WORDALIGN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytest.importorskip("flask", reason="browser tests need the 'viewer' extra (Flask)")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the 'browser' extra (playwright)"
)
expect = sync_api.expect
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

SURE = "#1d4f91"
POSSIBLE = "#a9c8ef"
# Three made-up pairs, one with markup in it (it must show as text).
BITEXT = (
    "the small house ||| la pitschna chasa\n"
    "good day to you ||| bun di\n"
    "it <b>rains</b> ||| i plova <script>x()</script>\n"
)

Server = Callable[[Path], tuple[str, subprocess.Popen[str]]]


@pytest.fixture()
def start_server() -> Iterator[Server]:
    """Start ``wordalign serve --port 0`` on a database; returns its URL and process."""
    started: list[subprocess.Popen[str]] = []

    def start(db: Path) -> tuple[str, subprocess.Popen[str]]:
        process = subprocess.Popen(
            [sys.executable, "-m", "wordalign", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()  # "wordalign: serving DB on http://127.0.0.1:PORT/ ..."
        url = next((w for w in line.split() if w.startswith("http://127.0.0.1:")), None)
        assert url is not None, f"server did not start: {line!r}"
        return url, process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def cell(i: int, j: int) -> str:
    return f'#matrix g[data-i="{i}"][data-j="{j}"]'


def link_kind(page: Any, i: int, j: int) -> str | None:
    fills = page.eval_on_selector_all(
        f"{cell(i, j)} rect", "rects => rects.map(r => r.getAttribute('fill'))"
    )
    if SURE in fills:
        return "S"
    if POSSIBLE in fills:
        return "P"
    return None


def click_and_wait(page: Any, selector: str) -> None:
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click(selector)
    expect(page.locator("#message")).to_have_text("saved")


def expect_kind(page: Any, i: int, j: int, kind: str | None) -> None:
    """Wait until the cell shows ``kind`` (the page redraws when the server has answered)."""
    for fill, name in ((SURE, "S"), (POSSIBLE, "P")):
        expect(page.locator(f'{cell(i, j)} rect[fill="{fill}"]')).to_have_count(
            1 if kind == name else 0
        )


def api_links(page: Any, url: str) -> list[list[Any]]:
    response = page.request.get(url)
    assert response.ok
    links: list[list[Any]] = json.loads(response.text())["links"]
    return links


def create_project(page: Any, url: str, tmp_path: Path) -> None:
    bitext = tmp_path / "pairs.txt"
    bitext.write_text(BITEXT, encoding="utf-8")
    page.goto(url)
    page.fill("#new-project input[name=name]", "demo")
    page.set_input_files("#new-project input[name=bitext]", str(bitext))
    page.click("#new-project button[type=submit]")
    page.wait_for_url("**/projects/1")


def test_browser_annotate_reload_restart_export_reimport(
    page: Any, start_server: Server, tmp_path: Path
) -> None:
    db = tmp_path / "ann.db"
    url, process = start_server(db)
    create_project(page, url, tmp_path)
    page.fill("input[name=annotator]", "ann")
    page.click("form.inline button[type=submit]")
    page.wait_for_selector(cell(0, 0))

    # Three pairs: a Sure link by one click, a Possible link by two, the next pair by key 'n'.
    for pair in (1, 2, 3):
        expect(page.locator("#pair-number")).to_have_value(str(pair))
        click_and_wait(page, cell(0, 0))
        expect_kind(page, 0, 0, "S")
        click_and_wait(page, cell(1, 1))
        expect_kind(page, 1, 1, "S")
        click_and_wait(page, cell(1, 1))
        expect_kind(page, 1, 1, "P")
        assert (link_kind(page, 0, 0), link_kind(page, 1, 1)) == ("S", "P")
        if pair < 3:
            page.keyboard.press("n")
    # Keyboard: 'p' on the cursor cell, then undo with 'u'.
    page.hover(cell(0, 2))
    page.keyboard.press("p")
    expect_kind(page, 0, 2, "P")
    page.keyboard.press("u")
    expect_kind(page, 0, 2, None)
    # Markup in a sentence is shown as text, never run.
    assert "<script>x()</script>" in page.text_content("#matrix")
    assert page.locator("main script").count() == 0

    page.reload()
    page.wait_for_selector(cell(0, 0))
    assert page.input_value("#pair-number") == "3"
    expect_kind(page, 1, 1, "P")
    assert (link_kind(page, 0, 0), link_kind(page, 1, 1)) == ("S", "P")

    # A killed server loses nothing.
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    url, _ = start_server(db)
    for pair in (1, 2, 3):
        api = f"{url}api/projects/1/pairs/{pair}?annotator=ann"
        assert api_links(page, api) == [[0, 0, "S"], [1, 1, "P"]]
    page.goto(f"{url}projects/1/annotate?annotator=ann&pair=2")
    expect_kind(page, 1, 1, "P")
    assert (link_kind(page, 0, 0), link_kind(page, 1, 1)) == ("S", "P")

    # Export: Pharaoh with p links, and the AlignMan database.
    page.goto(f"{url}projects/1")
    with page.expect_download() as pharaoh_download:
        page.click("a.export-pharaoh")
    pharaoh = tmp_path / "ann.pharaoh"
    pharaoh_download.value.save_as(pharaoh)
    assert pharaoh.read_text() == "0-0 1p1\n" * 3
    with page.expect_download() as alignman_download:
        page.click("#export-alignman")
    exported = tmp_path / "exported.db"
    alignman_download.value.save_as(exported)

    # Re-import the AlignMan file as a second project: the same links come back.
    page.goto(url)
    page.click("text=Import an AlignMan database")
    page.fill("#import-alignman input[name=name]", "again")
    page.fill("#import-alignman input[name=annotator1]", "ann")
    page.set_input_files("#import-alignman input[name=file]", str(exported))
    page.click("#import-alignman button[type=submit]")
    page.wait_for_url("**/projects/2")
    for pair in (1, 2, 3):
        api = f"{url}api/projects/2/pairs/{pair}?annotator=ann"
        assert api_links(page, api) == [[0, 0, "S"], [1, 1, "P"]]


def test_browser_bad_upload_shows_a_message(
    page: Any, start_server: Server, tmp_path: Path
) -> None:
    url, _ = start_server(tmp_path / "ann.db")
    bitext = tmp_path / "pairs.txt"
    bitext.write_text(BITEXT, encoding="utf-8")
    system = tmp_path / "sys.pharaoh"
    system.write_text("0-0\n0-7\n\n", encoding="utf-8")
    page.goto(url)
    page.set_input_files("#new-view input[name=bitext]", str(bitext))
    page.set_input_files("#new-view input[name=systems]", str(system))
    page.click("#new-view button[type=submit]")
    message = page.text_content("#error-message")
    assert message == (
        "sys.pharaoh:2: link 0-7: target index 7 but the target sentence has 2 tokens "
        "(indices are 0-based)"
    )


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, channels and raw pixels of an 8-bit, non-interlaced PNG (a screenshot)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[x] = (line[x] + pred) & 0xFF
        out += line
        previous = line
    return width, height, channels, bytes(out)


def test_browser_viewer_renders_and_exports(
    page: Any, start_server: Server, tmp_path: Path
) -> None:
    url, _ = start_server(tmp_path / "ann.db")
    files = {
        "bitext": BITEXT,
        "gold": "0-0 1-1 2p2\n0-0 1-1\n0-0 1-1\n",
        "systems": "0-0 1-2 2-2\n0-0\n0-0 1-2\n",
    }
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    page.goto(url)
    page.fill("#new-view input[name=name]", "overlay")
    for name in files:
        page.set_input_files(f"#new-view input[name={name}]", str(tmp_path / f"{name}.txt"))
    page.click("#new-view button[type=submit]")
    page.wait_for_selector(cell(2, 2))
    # AER per pair: 1 - (1 + 2) / (3 + 2) = 0.4, 1 - (1 + 1) / (1 + 2) = 1/3, 1 - 2 / 4 = 0.5.
    page.select_option("#sort", "worst:systems.txt")
    expect(page.locator("#sentences tbody tr").first).to_contain_text("3")
    rows = page.eval_on_selector_all(
        "#sentences tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
    )
    assert rows == ["3", "1", "2"]
    page.fill("#aer-min", "0.45")
    page.dispatch_event("#aer-min", "change")
    expect(page.locator("#count")).to_contain_text("1 of 3 pairs")

    shot = page.locator("#matrix").screenshot()
    width, height, channels, pixels = png_pixels(shot)
    assert width > 50 and height > 50
    values = pixels[::channels]  # the red channel
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    assert variance > 100, "the matrix screenshot is (nearly) blank"
    assert len(set(zip(pixels[::channels], pixels[1::channels], strict=False))) > 20

    with page.expect_download() as svg_download:
        page.click("#export-svg")
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith('<?xml version="1.0"') and "<svg" in svg
    assert "&lt;script&gt;x()&lt;/script&gt;" in svg  # the token, escaped as text
    with page.expect_download() as png_download:
        page.click("#export-png")
    assert Path(png_download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.screenshot(path=str(tmp_path / "viewer.png"), full_page=True)
    if os.environ.get("WORDALIGN_SCREENSHOTS"):
        shutil.copy(tmp_path / "viewer.png", os.environ["WORDALIGN_SCREENSHOTS"])
