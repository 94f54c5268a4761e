"""The web app's defences (CSRF, DNS rebinding, access token, hostile input) via Flask's client."""

from __future__ import annotations

import io
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the viewer tests need the 'viewer' extra (Flask)")

from flask.testing import FlaskClient

from wordalign.errors import WordalignError
from wordalign.viewer.app import create_app
from wordalign.viewer.security import AccessPolicy, is_index, parse_json_object, resolve_token

BITEXT = b"the small house ||| la pitschna chasa\ngood day ||| bun di\n"
SAME_ORIGIN = {"Origin": "http://localhost"}  # what the test client's Host ("localhost") names
TOKEN = "s3cret-token-for-tests"
LAN = "annot.lan:8000"
HUGE = 10**20


@pytest.fixture()
def client(tmp_path: Path) -> FlaskClient:
    return create_app(tmp_path / "ann.db").test_client()


@pytest.fixture()
def lan_client(tmp_path: Path) -> FlaskClient:
    """A server on all interfaces, reached as annot.lan:8000, with an access token."""
    app = create_app(
        tmp_path / "ann.db", host="0.0.0.0", port=8000, token=TOKEN, allow_hosts=["annot.lan"]
    )
    return app.test_client(use_cookies=False)


def make_project(client: FlaskClient, **headers: str) -> int:
    form = {"name": "demo", "bitext": (io.BytesIO(BITEXT), "pairs.txt")}
    response = client.post(
        "/projects",
        data=form,
        content_type="multipart/form-data",
        headers=headers or SAME_ORIGIN,
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def link(client: FlaskClient, pid: int, **body: Any) -> Any:
    return client.post(
        f"/api/projects/{pid}/pairs/1/links",
        json={"annotator": "ann", "i": 0, "j": 0, "kind": "S", **body},
        headers=SAME_ORIGIN,
    )


def raw_json(client: FlaskClient, pid: int, data: bytes) -> Any:
    return client.post(
        f"/api/projects/{pid}/pairs/1/links",
        data=data,
        content_type="application/json",
        headers=SAME_ORIGIN,
    )


# -- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null"},
        {"Origin": "http://attacker.example"},
        {"Origin": "http://localhost:8080"},  # another port is another origin
        {"Origin": "https://localhost"},
        {"Referer": "http://attacker.example/page"},
        {"Referer": "null"},
        {"Origin": "null", "Referer": "http://localhost/"},  # Origin decides
    ],
)
def test_viewer_security_cross_site_posts_refused(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    pid = make_project(client)
    response = client.post(f"/projects/{pid}/delete", headers=headers)
    assert response.status_code == 403
    assert "cross-site request refused" in response.get_json()["error"]
    api = client.post(
        f"/api/projects/{pid}/pairs/1/links",
        json={"annotator": "ann", "i": 0, "j": 0, "kind": "S"},
        headers=headers,
    )
    assert api.status_code == 403
    assert client.get(f"/projects/{pid}").status_code == 200  # still there


def test_viewer_security_same_origin_requests_work(client: FlaskClient) -> None:
    pid = make_project(client)
    assert link(client, pid).status_code == 200
    referer = {"Referer": f"http://localhost/projects/{pid}"}
    undo = f"/api/projects/{pid}/pairs/1/undo"
    assert client.post(undo, json={"annotator": "ann"}, headers=referer).status_code == 200
    # No Origin and no Referer: not a browser, allowed while serving on loopback.
    assert client.post(undo, json={"annotator": "ann"}).status_code == 200
    assert client.post(f"/projects/{pid}/delete", headers=SAME_ORIGIN).status_code == 303
    assert client.get(f"/projects/{pid}").status_code == 400  # gone
    # Pages tell the browser to send Origin on its own POSTs (not "no-referrer", which nulls it).
    assert client.get("/").headers["Referrer-Policy"] == "same-origin"


# -- Host (DNS rebinding) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.evil.example",
        "127.0.0.1.nip.io",
        "localhost.",
        "localhost.evil.example",
        "127.0.0.2",
        "127.0.0.1:8080",
        "127.0.0.1:80x",
        "[::1",
        "attacker.example",
        "",
    ],
)
def test_viewer_security_foreign_hosts_refused(client: FlaskClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 403
    assert client.get("/api/views/1", headers={"Host": host}).status_code == 403


@pytest.mark.parametrize("host", ["localhost", "LocalHost:80", "127.0.0.1", "[::1]", "[::1]:80"])
def test_viewer_security_loopback_hosts_accepted(client: FlaskClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_viewer_security_host_needs_the_servers_port(tmp_path: Path) -> None:
    client = create_app(tmp_path / "ann.db", port=8000).test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1"}).status_code == 403
    assert client.get("/", headers={"Host": "localhost:8001"}).status_code == 403
    origin = {"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}
    assert make_project(client, **origin) >= 1
    # Same server, but another origin than the Host names: refused.
    other = {"Host": "127.0.0.1:8000", "Origin": "http://localhost:8000"}
    assert client.post("/projects/1/delete", headers=other).status_code == 403


# -- hostile input --------------------------------------------------------------------------


def test_viewer_security_out_of_range_ids_are_404(client: FlaskClient) -> None:
    pid = make_project(client)
    for url in (
        f"/projects/{HUGE}",
        f"/views/{HUGE}",
        f"/api/projects/{HUGE}/overview",
        f"/api/projects/{pid}/pairs/{HUGE}",
        f"/projects/{2**63}/export.pharaoh",
        "/projects/-1",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
    response = client.post(
        f"/api/projects/{pid}/pairs/{HUGE}/links",
        json={"annotator": "ann", "i": 0, "j": 0},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 404
    assert client.post(f"/projects/{HUGE}/delete", headers=SAME_ORIGIN).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper than"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nests deeper than"),
        (b'{"annotator": "ann", "i": 0', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"annotator": "ann", "i": NaN, "j": 0}', "not valid JSON"),
        (b'{"annotator": "\xff"}', "not valid JSON"),
        (b'["annotator", "ann"]', "must be a JSON object"),
        (b'{"annotator": "ann", "i": 1' + b"0" * 5000 + b', "j": 0}', "not valid JSON"),
    ],
)
def test_viewer_security_bad_json_is_400(client: FlaskClient, data: bytes, message: str) -> None:
    pid = make_project(client)
    response = raw_json(client, pid, data)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_viewer_security_brackets_in_strings_do_not_count_as_depth(client: FlaskClient) -> None:
    pid = make_project(client)
    body = b'{"annotator": "ann", "i": 0, "j": 0, "kind": "S", "note": "' + b"[{" * 1000 + b'"}'
    assert raw_json(client, pid, body).status_code == 200


def test_viewer_security_json_body_size_limit(client: FlaskClient) -> None:
    pid = make_project(client)
    body = b'{"annotator": "ann", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert raw_json(client, pid, body).status_code == 413


@pytest.mark.parametrize("field", ["i", "j"])
@pytest.mark.parametrize("value", [True, False, 1.0, None, HUGE, -1])
def test_viewer_security_indices_must_be_integers(
    client: FlaskClient, field: str, value: Any
) -> None:
    pid = make_project(client)
    response = link(client, pid, **{field: value})
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_viewer_security_helpers() -> None:
    assert is_index(3) and not is_index(True) and not is_index(3.0)
    assert parse_json_object(b'{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}
    with pytest.raises(WordalignError, match="deeper"):
        parse_json_object(b"[" * 40 + b"]" * 40)


# -- access token beyond loopback -----------------------------------------------------------


def test_viewer_security_non_loopback_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(WordalignError, match="--token auto"):
        create_app(tmp_path / "a.db", host="0.0.0.0")
    with pytest.raises(WordalignError, match="--allow-host needs an access token"):
        AccessPolicy("127.0.0.1", allow_hosts=("annot.lan",))
    with pytest.raises(WordalignError, match="at least 16 characters"):
        AccessPolicy("0.0.0.0", token="short")
    with pytest.raises(WordalignError, match="at least 16 characters"):
        AccessPolicy("0.0.0.0", token="sixteen chars; with spaces")
    assert not (tmp_path / "a.db").exists()
    generated = resolve_token("auto", None)
    assert generated is not None and len(generated) >= 16
    assert resolve_token("auto", None) != generated
    token_file = tmp_path / "token.txt"
    token_file.write_text(f"{TOKEN}\nignored\n")
    assert resolve_token(None, token_file) == TOKEN
    with pytest.raises(WordalignError, match="not both"):
        resolve_token(TOKEN, token_file)


def test_viewer_security_token_required(lan_client: FlaskClient) -> None:
    host = {"Host": LAN}
    missing = lan_client.get("/", headers=host)
    assert missing.status_code == 401
    assert "access token" in missing.get_data(as_text=True)
    assert lan_client.get("/api/views/1", headers=host).status_code == 401
    wrong = {**host, "Authorization": "Bearer wrong-token-of-length"}
    assert lan_client.get("/", headers=wrong).status_code == 403
    assert (
        lan_client.get("/", headers={**host, "Authorization": f"Basic {TOKEN}"}).status_code == 403
    )
    assert lan_client.get("/?token=nope", headers=host).status_code == 403
    cookie = {**host, "Cookie": "wordalign_token_8000=wrong-token-of-length"}
    assert lan_client.get("/", headers=cookie).status_code == 403
    # The right token, but a foreign Host: still refused.
    evil = {"Host": "evil.example:8000", "Authorization": f"Bearer {TOKEN}"}
    assert lan_client.get("/", headers=evil).status_code == 403
    assert (
        lan_client.get("/", headers={**host, "Authorization": f"Bearer {TOKEN}"}).status_code == 200
    )


def test_viewer_security_token_url_sets_a_cookie(lan_client: FlaskClient) -> None:
    response = lan_client.get(f"/projects?token={TOKEN}&x=1", headers={"Host": LAN})
    assert response.status_code == 303
    assert response.headers["Location"] == "/projects?x=1"  # the token leaves the address bar
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"wordalign_token_8000={TOKEN};")
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    cookie = {"Host": LAN, "Cookie": f"wordalign_token_8000={TOKEN}"}
    assert lan_client.get("/", headers=cookie).status_code == 200


def test_viewer_security_token_server_posts_need_origin(lan_client: FlaskClient) -> None:
    auth = {"Host": LAN, "Authorization": f"Bearer {TOKEN}"}
    pid = make_project(lan_client, **auth, Origin="http://annot.lan:8000")
    for headers in ({}, {"Origin": "null"}, {"Origin": "http://evil.example"}):
        response = lan_client.post(f"/projects/{pid}/delete", headers={**auth, **headers})
        assert response.status_code == 403, headers
    ok = {**auth, "Referer": f"http://annot.lan:8000/projects/{pid}"}
    assert lan_client.post(f"/projects/{pid}/delete", headers=ok).status_code == 303


# -- the real server ------------------------------------------------------------------------


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[str]:
    """``wordalign serve --port 0 --token auto`` in a subprocess; yields the printed URL."""
    command = ["serve", "--db", str(tmp_path / "a.db"), "--port", "0", "--token", "auto"]
    process = subprocess.Popen(
        [sys.executable, "-m", "wordalign", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = next((w for w in line.split() if w.startswith("http://127.0.0.1:")), None)
        assert url is not None, f"server did not start: {line!r}"
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def test_viewer_security_real_server_with_token(served: str) -> None:
    base, _, query = served.partition("?token=")
    assert len(query) >= 16
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base, timeout=10)
    assert refused.value.code == 401
    request = urllib.request.Request(base, headers={"Authorization": f"Bearer {query}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200  # the Host check knows the port picked at start
