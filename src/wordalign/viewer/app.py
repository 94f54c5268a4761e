"""The Flask application: pages, a small JSON API, uploads, downloads (needs the ``viewer`` extra).

Pages are Jinja templates (autoescaped) plus plain JavaScript that draws with ``textContent``
only, so sentence text never becomes markup. Every annotation change is one JSON POST that is
committed before the answer (:mod:`wordalign.viewer.storage`). User errors become a message in
the page (HTML) or ``{"error": ...}`` (API), never a traceback.

Requests from other sites are refused (:mod:`wordalign.viewer.security` has the rules): every
request's ``Host`` must name this server (no DNS rebinding), a request that changes data must come
from the app's own origin (no CSRF), API POSTs must be JSON, and a server listening beyond loopback
needs its access token on every request.
"""

from __future__ import annotations

import io
import logging
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, ValidationError
from werkzeug.utils import secure_filename

from wordalign.errors import InputFormatError, WordalignError
from wordalign.evaluation.metrics import AERStats
from wordalign.types import Alignment, SentencePair
from wordalign.viewer.agreement import agreement_table, merge_corpus
from wordalign.viewer.alignman import alignman_rows, export_alignman, import_alignman
from wordalign.viewer.security import (
    MAX_JSON_BYTES,
    AccessPolicy,
    id_in_range,
    is_index,
    parse_json_object,
)
from wordalign.viewer.storage import AnnotationStore, LinkKind, check_name
from wordalign.viewer.suggest import suggest

__all__ = ["MAX_PAIRS", "MAX_TOKENS", "check_pairs", "create_app", "serve"]

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_PAIRS = 100_000
MAX_TOKENS = 250
"""Longest sentence (tokens) the pages draw: a 250x250 matrix is already 62,500 cells."""

POLICY = "WORDALIGN_POLICY"
"""The app.config key of the :class:`~wordalign.viewer.security.AccessPolicy`."""


def create_app(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 80,
    token: str | None = None,
    allow_hosts: Sequence[str] = (),
) -> Flask:
    """Build the web app on the SQLite file ``db_path`` (created when missing).

    Args:
        db_path: the annotation database.
        host: the address the server listens on; beyond loopback, ``token`` is required.
        port: the port it listens on (requests must name it; 80 is a ``Host`` without a port).
        token: the access token every request must carry, or None (loopback only).
        allow_hosts: more names by which clients reach the server (needs ``token``).

    Raises:
        WordalignError: for a non-loopback ``host`` without a token, or a weak token.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    app.config["WORDALIGN_DB"] = str(db_path)
    app.config[POLICY] = AccessPolicy(host, port, token, tuple(allow_hosts))
    app.url_map.converters["id"] = _IdConverter
    AnnotationStore(db_path).close()  # create the schema (and fail early on a bad file)

    def store() -> AnnotationStore:
        if "store" not in g:
            g.store = AnnotationStore(app.config["WORDALIGN_DB"])
        s: AnnotationStore = g.store
        return s

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        s = g.pop("store", None)
        if s is not None:
            s.close()

    @app.before_request
    def _guard() -> Response | None:
        policy: AccessPolicy = app.config[POLICY]
        host = request.headers.get("Host", "")
        query_token = request.args.get("token")
        refusal = policy.check_host(host) or policy.check_token(
            request.headers.get("Authorization"),
            request.cookies.get(policy.cookie_name),
            query_token,
        )
        if refusal is not None:
            return _error(refusal.message, refusal.status)
        refusal = policy.check_origin(
            request.method, host, request.headers.get("Origin"), request.headers.get("Referer")
        )
        if refusal is not None:
            # JSON even for form routes: what is refused is another site's script, not a reader.
            return _error(refusal.message, refusal.status, as_json=True)
        if query_token is not None and policy.token is not None and request.method == "GET":
            return _remember_token(policy)
        if request.method == "POST" and request.path.startswith("/api/"):
            if not request.is_json:
                return _error("API requests must send JSON", 415)
            if (request.content_length or 0) > MAX_JSON_BYTES:
                return _error(f"a JSON body must be at most {MAX_JSON_BYTES // 1024} KiB", 413)
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Not "no-referrer": under it browsers send "Origin: null" even on the app's own POSTs
        # (Fetch standard), which the CSRF check must refuse. Other sites still get nothing.
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(WordalignError)
    def _user_error(exc: WordalignError) -> Response:
        return _error(str(exc), 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if exc.code == 413:
            return _error(f"upload too large (at most {MAX_UPLOAD_BYTES // 2**20} MiB)", 413)
        return _error(exc.description or exc.name, exc.code or 500)

    @app.errorhandler(Exception)
    def _internal_error(exc: Exception) -> Response:
        log.exception("internal error")
        return _error(f"internal error ({type(exc).__name__}); the server log has details", 500)

    # -- pages ------------------------------------------------------------------------------

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.get("/")
    def index() -> str:
        from wordalign.registry import aligner_names

        s = store()
        return render_template(
            "index.html",
            projects=s.projects(),
            views=s.views(),
            aligners=aligner_names(),
        )

    @app.post("/projects")
    def create_project() -> Response:
        name = request.form.get("name", "").strip()
        method = request.form.get("suggest_method", "").strip() or None
        with _uploads() as save:
            pairs, source = _pairs_from_form(save)
        suggestions = None if method is None else suggest(method, pairs)
        pid = store().create_project(
            name or source,
            pairs,
            suggestions=suggestions,
            suggestion_source=method,
            source=source,
        )
        return redirect(url_for("project_page", pid=pid), 303)  # type: ignore[return-value]

    @app.post("/import/alignman")
    def import_alignman_form() -> Response:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise WordalignError("choose an AlignMan database file to import")
        with _uploads() as save:
            path = save(upload)
            names = (
                request.form.get("annotator1", "").strip() or "u1",
                request.form.get("annotator2", "").strip() or "u2",
            )
            if names[0] == names[1]:
                raise WordalignError("give the two AlignMan annotators different names")
            pid = import_alignman(
                store(),
                path,
                name=request.form.get("name", "").strip() or None,
                annotators=names,
                display=upload.filename,
            )
        return redirect(url_for("project_page", pid=pid), 303)  # type: ignore[return-value]

    @app.post("/views")
    def create_view() -> Response:
        from wordalign.io.pharaoh import read_pharaoh

        with _uploads() as save:
            pairs, source = _pairs_from_form(save)
            gold = None
            gold_file = request.files.get("gold")
            if gold_file is not None and gold_file.filename:
                gold = list(read_pharaoh(save(gold_file)))
            systems: dict[str, list[Alignment]] = {}
            for upload in request.files.getlist("systems"):
                if upload.filename:
                    name = upload.filename
                    while name in systems:
                        name += "'"
                    systems[name] = list(read_pharaoh(save(upload)))
        if gold is None and not systems:
            raise WordalignError("give a gold file, at least one alignment file, or both")
        vid = store().create_view(
            request.form.get("name", "").strip() or source, pairs, systems, gold
        )
        return redirect(url_for("view_page", vid=vid), 303)  # type: ignore[return-value]

    @app.post("/projects/<id:pid>/delete")
    def delete_project(pid: int) -> Response:
        store().project(pid)
        store().delete_project(pid)
        return redirect(url_for("index"), 303)  # type: ignore[return-value]

    @app.post("/views/<id:vid>/delete")
    def delete_view(vid: int) -> Response:
        store().view(vid)
        store().delete_view(vid)
        return redirect(url_for("index"), 303)  # type: ignore[return-value]

    @app.get("/projects/<id:pid>")
    def project_page(pid: int) -> str:
        s = store()
        info = s.project(pid)
        annotators = list(info.annotators)
        progress = []
        for name in annotators:
            statuses = s.statuses(pid, name)
            progress.append(
                (
                    name,
                    sum(st.done for st in statuses),
                    sum(st.discard for st in statuses),
                    sum(s.link_counts(pid, name)),
                )
            )
        sizes = [(len(p.src), len(p.tgt)) for p in s.pairs(pid)]
        table = agreement_table({a: s.alignments(pid, a) for a in annotators}, sizes)
        return render_template("project.html", project=info, progress=progress, agreement=table)

    @app.get("/projects/<id:pid>/annotate")
    def annotate_page(pid: int) -> Any:
        info = store().project(pid)
        annotator = request.args.get("annotator", "").strip()
        if not annotator:
            return redirect(url_for("project_page", pid=pid))
        # Checked, not registered: an annotator joins with their first change, not a visit.
        annotator = check_name("annotator", annotator)
        pair = max(1, min(info.n_pairs, request.args.get("pair", 1, type=int) or 1))
        return render_template("annotate.html", project=info, annotator=annotator, pair=pair)

    @app.get("/views/<id:vid>")
    def view_page(vid: int) -> str:
        view = store().view(vid)
        return render_template(
            "view.html", title=view.name, data_url=url_for("api_view", vid=vid), back=None
        )

    @app.get("/projects/<id:pid>/compare")
    def compare_page(pid: int) -> str:
        info = store().project(pid)
        return render_template(
            "view.html",
            title=f"{info.name}: annotators and their merge",
            data_url=url_for("api_compare", pid=pid),
            back=url_for("project_page", pid=pid),
        )

    # -- downloads --------------------------------------------------------------------------

    @app.get("/projects/<id:pid>/export.pharaoh")
    def export_pharaoh(pid: int) -> Response:
        s = store()
        info = s.project(pid)
        annotator = request.args.get("annotator", "")
        if annotator not in info.annotators:
            raise WordalignError(f"project {info.name!r} has no annotator {annotator!r}")
        text = "".join(a.to_pharaoh() + "\n" for a in s.alignments(pid, annotator))
        return _download(text.encode(), f"{info.name}.{annotator}.pharaoh", "text/plain")

    @app.get("/projects/<id:pid>/merged.pharaoh")
    def export_merged(pid: int) -> Response:
        s = store()
        info = s.project(pid)
        chosen = [a for a in request.args.getlist("annotator") if a] or list(info.annotators)
        for name in chosen:
            if name not in info.annotators:
                raise WordalignError(f"project {info.name!r} has no annotator {name!r}")
        merged = merge_corpus([s.alignments(pid, a) for a in chosen])
        text = "".join(a.to_pharaoh() + "\n" for a in merged)
        return _download(text.encode(), f"{info.name}.merged.pharaoh", "text/plain")

    @app.get("/projects/<id:pid>/bitext.txt")
    def export_bitext(pid: int) -> Response:
        s = store()
        info = s.project(pid)
        text = "".join(f"{' '.join(p.src)} ||| {' '.join(p.tgt)}\n" for p in s.pairs(pid))
        return _download(text.encode(), f"{info.name}.bitext.txt", "text/plain")

    @app.get("/projects/<id:pid>/alignman.db")
    def export_alignman_db(pid: int) -> Response:
        s = store()
        info = s.project(pid)
        chosen = (request.args.get("annotator1", ""), request.args.get("annotator2", ""))
        names = None
        if any(chosen):
            for name in chosen:
                if name not in info.annotators:
                    raise WordalignError(f"project {info.name!r} has no annotator {name!r}")
            if chosen[0] == chosen[1]:
                raise WordalignError("choose two different annotators for AlignMan's two users")
            names = chosen
        alignman_rows(s, pid, names)  # a clear error (too many annotators) before any file work
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "alignman.db"
            export_alignman(s, pid, path, names)
            data = path.read_bytes()
        return _download(data, f"{info.name}.alignman.db", "application/vnd.sqlite3")

    # -- JSON API ---------------------------------------------------------------------------

    def pair_payload(pid: int, idx: int, annotator: str) -> dict[str, Any]:
        s = store()
        pair = s.pair(pid, idx)
        status = s.status(pid, idx, annotator)
        info = s.project(pid)
        return {
            "idx": idx,
            "n_pairs": info.n_pairs,
            "src": list(pair.src),
            "tgt": list(pair.tgt),
            "links": _links_json(s.links(pid, idx, annotator)),
            "suggestions": _links_json(s.suggestions(pid, idx)),
            "suggestion_source": info.suggestion_source,
            "done": status.done,
            "discard": status.discard,
            "comment": status.comment,
        }

    def body() -> dict[str, Any]:
        return parse_json_object(request.get_data(cache=True))

    def annotator_of(data: dict[str, Any]) -> str:
        name = data.get("annotator")
        if not isinstance(name, str):
            raise WordalignError("say which annotator makes the change ('annotator')")
        return name

    def index_of(idx: int) -> int:
        return idx - 1  # URLs count pairs from 1, like the page does

    @app.get("/api/projects/<id:pid>/pairs/<id:idx>")
    def api_pair(pid: int, idx: int) -> Response:
        annotator = request.args.get("annotator", "")
        return jsonify(pair_payload(pid, index_of(idx), annotator))

    @app.post("/api/projects/<id:pid>/pairs/<id:idx>/links")
    def api_set_link(pid: int, idx: int) -> Response:
        data = body()
        annotator = annotator_of(data)
        i, j, kind = data.get("i"), data.get("j"), data.get("kind")
        if not is_index(i) or not is_index(j):
            raise WordalignError("'i' and 'j' must be integer token indices")
        if kind not in ("S", "P", None):
            raise WordalignError(f"unknown link kind {kind!r} (use 'S', 'P' or null)")
        link_kind: LinkKind | None = kind
        store().set_link(pid, index_of(idx), annotator, i, j, link_kind)
        return jsonify(pair_payload(pid, index_of(idx), annotator))

    @app.post("/api/projects/<id:pid>/pairs/<id:idx>/undo")
    def api_undo(pid: int, idx: int) -> Response:
        annotator = annotator_of(body())
        undone = store().undo(pid, index_of(idx), annotator)
        return jsonify({**pair_payload(pid, index_of(idx), annotator), "undone": undone})

    @app.post("/api/projects/<id:pid>/pairs/<id:idx>/accept-suggestions")
    def api_accept(pid: int, idx: int) -> Response:
        annotator = annotator_of(body())
        s = store()
        s.replace_links(pid, index_of(idx), annotator, s.suggestions(pid, index_of(idx)))
        return jsonify(pair_payload(pid, index_of(idx), annotator))

    @app.post("/api/projects/<id:pid>/pairs/<id:idx>/status")
    def api_status(pid: int, idx: int) -> Response:
        data = body()
        annotator = annotator_of(data)
        flags: dict[str, Any] = {}
        for key in ("done", "discard"):
            if key in data:
                if not isinstance(data[key], bool):
                    raise WordalignError(f"'{key}' must be true or false")
                flags[key] = data[key]
        if "comment" in data:
            if not isinstance(data["comment"], str) or len(data["comment"]) > 10_000:
                raise WordalignError("'comment' must be text of at most 10,000 characters")
            flags["comment"] = data["comment"]
        store().set_status(pid, index_of(idx), annotator, **flags)
        return jsonify(pair_payload(pid, index_of(idx), annotator))

    @app.get("/api/projects/<id:pid>/overview")
    def api_overview(pid: int) -> Response:
        s = store()
        annotator = request.args.get("annotator", "")
        counts = s.link_counts(pid, annotator)
        statuses = s.statuses(pid, annotator)
        return jsonify(
            [
                {"links": n, "done": st.done, "discard": st.discard}
                for n, st in zip(counts, statuses, strict=True)
            ]
        )

    @app.get("/api/views/<id:vid>")
    def api_view(vid: int) -> Response:
        view = store().view(vid)
        return jsonify(_view_json(view.name, view.pairs, view.systems, view.gold))

    @app.get("/api/projects/<id:pid>/compare")
    def api_compare(pid: int) -> Response:
        s = store()
        info = s.project(pid)
        systems = {a: s.alignments(pid, a) for a in info.annotators}
        gold = merge_corpus(list(systems.values())) if systems else None
        return jsonify(_view_json(info.name, s.pairs(pid), systems, gold, gold_name="merged"))

    return app


class _IdConverter(IntegerConverter):
    """Ids and pair numbers in URLs: an integer SQLite can hold, else 404 (not an overflow)."""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if not id_in_range(number):
            raise ValidationError()
        return number


def _remember_token(policy: AccessPolicy) -> Response:
    """After ``?token=`` was right: keep it in a cookie and drop it from the address bar."""
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    response = redirect(request.path + ("?" + urlencode(rest) if rest else ""), 303)
    # SameSite=Strict: another site's page cannot make the browser send it.
    response.set_cookie(
        policy.cookie_name, policy.token or "", httponly=True, samesite="Strict", path="/"
    )
    return response  # type: ignore[return-value]


def _error(message: str, status: int, as_json: bool = False) -> Response:
    if (
        as_json
        or request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
    ):
        response = jsonify({"error": message})
    else:
        response = Response(
            render_template("error.html", message=message, status=status), mimetype="text/html"
        )
    response.status_code = status
    return response


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(io.BytesIO(data).getvalue(), mimetype=mimetype)
    safe = secure_filename(filename) or "download"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def _links_json(alignment: Alignment) -> list[list[Any]]:
    return [[i, j, "S" if (i, j) in alignment.sure else "P"] for i, j in sorted(alignment.possible)]


def _view_json(
    name: str,
    pairs: Sequence[SentencePair],
    systems: dict[str, list[Alignment]],
    gold: list[Alignment] | None,
    gold_name: str = "gold",
) -> dict[str, Any]:
    scores: dict[str, list[dict[str, float]]] = {}
    if gold is not None:
        for system, alignments in systems.items():
            rows = []
            for pred, ref in zip(alignments, gold, strict=True):
                result = AERStats.of(pred, ref).result()
                rows.append({"p": result.precision, "r": result.recall, "aer": result.aer})
            scores[system] = rows
    return {
        "name": name,
        "pairs": [{"src": list(p.src), "tgt": list(p.tgt)} for p in pairs],
        "systems": [
            {"name": system, "links": [_links_json(a) for a in alignments]}
            for system, alignments in systems.items()
        ],
        "gold": None if gold is None else [_links_json(a) for a in gold],
        "gold_name": gold_name,
        "scores": scores,
    }


@contextmanager
def _uploads() -> Iterator[Callable[[FileStorage], Path]]:
    """Save uploads under a temporary folder; messages name the uploaded file, not the folder."""
    with tempfile.TemporaryDirectory(prefix="wordalign-upload-") as folder:
        used: set[str] = set()

        def save(upload: FileStorage) -> Path:
            name = secure_filename(upload.filename or "") or "upload"
            while name in used:
                name = "_" + name
            used.add(name)
            path = Path(folder) / name
            upload.save(path)
            return path

        try:
            yield save
        except InputFormatError as exc:
            raise InputFormatError(
                exc.path.replace(folder + "/", ""), exc.line_no, exc.reason
            ) from None
        except WordalignError as exc:
            raise WordalignError(str(exc).replace(folder + "/", "")) from None
        except sqlite3.DatabaseError as exc:
            raise WordalignError(f"not a usable SQLite file: {exc}") from None


def _pairs_from_form(save: Callable[[FileStorage], Path]) -> tuple[list[SentencePair], str]:
    from wordalign.io.bitext import load_bitext

    bitext = request.files.get("bitext")
    src = request.files.get("src")
    tgt = request.files.get("tgt")
    if bitext is not None and bitext.filename:
        path = save(bitext)
        pairs = load_bitext(bitext=path)
        source = bitext.filename
    elif src is not None and src.filename and tgt is not None and tgt.filename:
        src_path, tgt_path = save(src), save(tgt)
        pairs = load_bitext(src=src_path, tgt=tgt_path)
        source = src.filename
    else:
        raise WordalignError(
            "choose the sentences: one bitext file ('src ||| tgt' or 'src<TAB>tgt' lines) "
            "or a source file and a target file"
        )
    check_pairs(pairs, secure_filename(source) or source)
    return pairs, source


def check_pairs(pairs: Sequence[SentencePair], name: str) -> None:
    """Check that there are pairs and that the pages can draw them.

    Raises:
        WordalignError: for no pairs or too many.
        InputFormatError: naming the line of a sentence too long to draw.
    """
    if not pairs:
        raise WordalignError(f"{name}: no sentence pairs in the file")
    if len(pairs) > MAX_PAIRS:
        raise WordalignError(f"{name}: {len(pairs)} sentence pairs; at most {MAX_PAIRS} are shown")
    for line_no, pair in enumerate(pairs, start=1):
        longest = max(len(pair.src), len(pair.tgt))
        if longest > MAX_TOKENS:
            raise InputFormatError(
                name,
                line_no,
                f"a sentence of {longest} tokens; the pages draw at most {MAX_TOKENS}",
            )


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Callable[[str], None] | None = None,
    token: str | None = None,
    allow_hosts: Sequence[str] = (),
) -> None:
    """Run the app with Werkzeug's threaded server until interrupted.

    Args:
        db_path: the annotation database.
        host: the address to listen on (loopback unless the user asks otherwise).
        port: the port; 0 picks a free one.
        announce: called with the URL once the server listens (with ``?token=`` if any).
        token: the access token requests must carry; required beyond loopback.
        allow_hosts: more names by which clients reach the server (needs ``token``).

    Raises:
        WordalignError: for a non-loopback host without a token, or a port that is taken.
    """
    from werkzeug.serving import make_server

    app = create_app(db_path, host=host, port=port, token=token, allow_hosts=allow_hosts)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise WordalignError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except SystemExit:
        # Werkzeug exits (after printing why) when the port is taken; the CLI owns exit codes.
        raise WordalignError(
            f"cannot listen on {host}:{port}: the port is in use (choose another with --port)"
        ) from None
    policy: AccessPolicy = app.config[POLICY]
    app.config[POLICY] = policy.with_port(server.server_port)  # --port 0: known only now
    shown = allow_hosts[0] if allow_hosts else host
    shown = f"[{shown}]" if ":" in shown else shown
    query = "" if token is None else "?" + urlencode({"token": token})
    if announce is not None:
        announce(f"http://{shown}:{server.server_port}/{query}")
    try:
        server.serve_forever()
    finally:
        server.server_close()
