"""The web app's HTTP API and pages through Flask's test client (no browser, no socket)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the viewer tests need the 'viewer' extra (Flask)")

from flask.testing import FlaskClient

from wordalign import registry
from wordalign.types import Alignment, SentencePair
from wordalign.viewer.alignman import ALIGNMAN_SCHEMA
from wordalign.viewer.app import create_app
from wordalign.viewer.storage import AnnotationStore

BITEXT = (
    b"the small house ||| la pitschna chasa\ngood day ||| bun di\nit <b>rains</b> ||| i plova\n"
)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "ann.db"


@pytest.fixture()
def client(db: Path) -> FlaskClient:
    return create_app(db).test_client()


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def make_project(client: FlaskClient, name: str = "demo", **extra: Any) -> int:
    form = {"name": name, "bitext": upload(BITEXT, "pairs.txt"), **extra}
    response = client.post("/projects", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def post_link(client: FlaskClient, pid: int, pair: int, **body: Any) -> Any:
    return client.post(f"/api/projects/{pid}/pairs/{pair}/links", json={"annotator": "ann", **body})


def test_viewer_app_annotate_roundtrip(client: FlaskClient, db: Path) -> None:
    pid = make_project(client)
    assert post_link(client, pid, 1, i=0, j=0, kind="S").status_code == 200
    answer = post_link(client, pid, 1, i=1, j=1, kind="P").get_json()
    assert answer["links"] == [[0, 0, "S"], [1, 1, "P"]]
    assert answer["src"] == ["the", "small", "house"]
    # Saved on the spot: a separate connection sees it.
    with AnnotationStore(db) as store:
        assert store.links(pid, 0, "ann") == Alignment([(0, 0)], [(1, 1)])
    answer = client.post(f"/api/projects/{pid}/pairs/1/undo", json={"annotator": "ann"}).get_json()
    assert answer["links"] == [[0, 0, "S"]] and answer["undone"]
    status = client.post(
        f"/api/projects/{pid}/pairs/1/status",
        json={"annotator": "ann", "done": True, "comment": "ok"},
    ).get_json()
    assert (status["done"], status["discard"], status["comment"]) == (True, False, "ok")
    overview = client.get(f"/api/projects/{pid}/overview?annotator=ann").get_json()
    assert overview[0] == {"links": 1, "done": True, "discard": False}
    text = client.get(f"/projects/{pid}/export.pharaoh?annotator=ann").get_data(as_text=True)
    assert text == "0-0\n\n\n"


def test_viewer_app_bad_requests_get_clear_messages(client: FlaskClient) -> None:
    pid = make_project(client)
    cases = [
        (post_link(client, pid, 1, i=0, j=7, kind="S"), 400, "link 0-7 is outside pair 1"),
        (post_link(client, pid, 1, i="0", j=0, kind="S"), 400, "integer token indices"),
        (post_link(client, pid, 1, i=0, j=0, kind="Q"), 400, "unknown link kind 'Q'"),
        (post_link(client, pid, 9, i=0, j=0, kind="S"), 400, "has no pair 9"),
        (post_link(client, 99, 1, i=0, j=0, kind="S"), 400, "no project with id 99"),
        (
            client.post(f"/api/projects/{pid}/pairs/1/links", data="i=0"),
            415,
            "API requests must send JSON",
        ),
        (
            client.post(f"/api/projects/{pid}/pairs/1/links", json={"i": 0, "j": 0}),
            400,
            "say which annotator",
        ),
    ]
    for response, status, message in cases:
        assert response.status_code == status
        assert message in response.get_json()["error"]


BAD_UPLOADS = [
    ({"systems": upload(b"0-0 1-1\n0-9\n\n", "sys.txt")}, "sys.txt:2: link 0-9: target index 9"),
    ({"systems": upload(b"0-0\n", "sys.txt")}, "sys.txt: 1 alignment lines for 3 sentence pairs"),
    ({"gold": upload(b"0-0 x\n\n\n", "gold.txt")}, "gold.txt:1: bad link &#39;x&#39;"),
    ({}, "give a gold file, at least one alignment file, or both"),
]


@pytest.mark.parametrize(("files", "message"), BAD_UPLOADS)
def test_viewer_app_bad_view_uploads(
    client: FlaskClient, files: dict[str, Any], message: str
) -> None:
    form = {"bitext": upload(BITEXT, "pairs.txt"), **files}
    response = client.post("/views", data=form, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Traceback" not in page and "wordalign-upload-" not in page


def test_viewer_app_bad_bitexts(client: FlaskClient) -> None:
    cases = [
        (b"no separator\n", "pairs.txt:1: no &#39;src ||| tgt&#39;"),
        (b"", "pairs.txt: no sentence pairs"),
        (b"\xff\xfe ||| x\n", "pairs.txt:1: not valid UTF-8"),
        (" ".join(["w"] * 300).encode() + b" ||| x\n", "pairs.txt:1: a sentence of 300 tokens"),
    ]
    for data, message in cases:
        form = {"bitext": upload(data, "pairs.txt")}
        response = client.post("/projects", data=form, content_type="multipart/form-data")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    response = client.post("/projects", data={}, content_type="multipart/form-data")
    assert "choose the sentences" in response.get_data(as_text=True)


def test_viewer_app_view_scores(client: FlaskClient) -> None:
    form = {
        "bitext": upload(BITEXT, "pairs.txt"),
        "gold": upload(b"0-0 1-1 2p2\n0-0\n\n", "gold.txt"),
        "systems": upload(b"0-0 1-2\n0-0 1-1\n\n", "sys.txt"),
    }
    response = client.post("/views", data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    vid = int(response.headers["Location"].rsplit("/", 1)[1])
    data = client.get(f"/api/views/{vid}").get_json()
    assert data["gold"][0] == [[0, 0, "S"], [1, 1, "S"], [2, 2, "P"]]
    # Pair 1: A = {00, 12}, S = {00, 11}, P = S + {22}: P = 1/2, R = 1/2, AER = 1 - 2/4.
    assert data["scores"]["sys.txt"][0] == {"p": 0.5, "r": 0.5, "aer": 0.5}
    assert data["scores"]["sys.txt"][2] == {"p": 1.0, "r": 1.0, "aer": 0.0}
    assert client.get(f"/views/{vid}").status_code == 200


def test_viewer_app_pages_escape_text(client: FlaskClient) -> None:
    pid = make_project(client, name="<i>x</i>")
    for url in ("/", f"/projects/{pid}", f"/projects/{pid}/annotate?annotator=<b>a</b>"):
        page = client.get(url).get_data(as_text=True)
        assert "<i>x</i>" not in page and "<b>a</b>" not in page
        assert "&lt;i&gt;x&lt;/i&gt;" in page
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_viewer_app_refuses_foreign_requests(client: FlaskClient) -> None:
    pid = make_project(client)
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 403
    response = client.post(
        f"/api/projects/{pid}/pairs/1/links",
        json={"annotator": "ann", "i": 0, "j": 0, "kind": "S"},
        headers={"Origin": "http://attacker.example"},
    )
    assert response.status_code == 403


def test_viewer_app_agreement_merge_and_alignman(client: FlaskClient, tmp_path: Path) -> None:
    pid = make_project(client)
    for annotator, i, j, kind in [("ann", 0, 0, "S"), ("ann", 1, 1, "S"), ("bob", 0, 0, "S")]:
        body = {"annotator": annotator, "i": i, "j": j, "kind": kind}
        assert client.post(f"/api/projects/{pid}/pairs/1/links", json=body).status_code == 200
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "0.3333" in page  # AER with ann as gold: 1 - (1 + 1) / (1 + 2)
    # Visiting the annotator page does not make a third annotator.
    assert client.get(f"/projects/{pid}/annotate?annotator=cy").status_code == 200
    assert client.get(f"/projects/{pid}/annotate?annotator=%01").status_code == 400
    body = {"annotator": "cy", "i": 2, "j": 2, "kind": "P"}
    assert client.post(f"/api/projects/{pid}/pairs/1/links", json=body).status_code == 200
    assert "export-alignman-form" in client.get(f"/projects/{pid}").get_data(as_text=True)
    response = client.get(f"/projects/{pid}/alignman.db")
    assert "the project has 3 annotators" in response.get_data(as_text=True)
    assert (
        client.post(f"/api/projects/{pid}/pairs/1/undo", json={"annotator": "cy"}).status_code
        == 200
    )
    merged = client.get(f"/projects/{pid}/merged.pharaoh?annotator=ann&annotator=bob").get_data(
        as_text=True
    )
    assert merged == "0-0 1p1\n\n\n"
    compare = client.get(f"/api/projects/{pid}/compare").get_json()
    assert [s["name"] for s in compare["systems"]] == ["ann", "bob", "cy"]
    response = client.get(f"/projects/{pid}/alignman.db?annotator1=ann&annotator2=bob")
    assert response.status_code == 200
    exported = tmp_path / "out.db"
    exported.write_bytes(response.data)
    rows = sqlite3.connect(exported).execute("SELECT * FROM ALIGNMENTS ORDER BY id").fetchall()
    assert rows[0][3:5] == ("0-0 1-1", "0-0")
    # ... and back in, as a second project.
    form = {
        "file": upload(response.data, "demo.alignman.db"),
        "name": "again",
        "annotator1": "ann",
    }
    response = client.post("/import/alignman", data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    pid2 = int(response.headers["Location"].rsplit("/", 1)[1])
    again = client.get(f"/api/projects/{pid2}/pairs/1?annotator=ann").get_json()
    assert again["links"] == [[0, 0, "S"], [1, 1, "S"]]
    again = client.get(f"/api/projects/{pid2}/pairs/1?annotator=u2").get_json()
    assert again["links"] == [[0, 0, "S"]]


def test_viewer_app_bad_alignman_upload(client: FlaskClient, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    conn = sqlite3.connect(bad)
    conn.execute(ALIGNMAN_SCHEMA)
    conn.execute("INSERT INTO ALIGNMENTS VALUES (3, 'a', 'b', '0-4', '', '', '', 0, 0, 0)")
    conn.commit()
    conn.close()
    for data, message in [
        (bad.read_bytes(), "bad.db: row id 3: alignments_u1: link 0-4: target index 4"),
        (b"not a database" * 100, "not an AlignMan"),
    ]:
        form = {"file": upload(data, "bad.db")}
        response = client.post("/import/alignman", data=form, content_type="multipart/form-data")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_viewer_app_suggestions(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    class Diagonal:
        def fit_align(self, pairs: list[SentencePair]) -> list[Alignment]:
            return [Alignment((k, k) for k in range(min(len(p.src), len(p.tgt)))) for p in pairs]

    monkeypatch.setattr(registry, "get_aligner", lambda name: Diagonal())
    pid = make_project(client, suggest_method="diag")
    data = client.get(f"/api/projects/{pid}/pairs/2?annotator=ann").get_json()
    assert data["suggestions"] == [[0, 0, "S"], [1, 1, "S"]]
    assert data["suggestion_source"] == "diag" and data["links"] == []
    accepted = client.post(
        f"/api/projects/{pid}/pairs/2/accept-suggestions", json={"annotator": "ann"}
    ).get_json()
    assert accepted["links"] == [[0, 0, "S"], [1, 1, "S"]]
    monkeypatch.undo()
    form = {"bitext": upload(BITEXT, "p.txt"), "suggest_method": "no-such-aligner"}
    response = client.post("/projects", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "unknown aligner &#39;no-such-aligner&#39;" in response.get_data(as_text=True)


def test_viewer_app_internal_errors_hide_the_traceback(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(AnnotationStore, "projects", boom)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "internal error (RuntimeError)" in page and "secret detail" not in page
