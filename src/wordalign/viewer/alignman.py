"""Import and export of AlignMan's SQLite layout (the layout the DERMIT gold was published in).

AlignMan keeps one table::

    ALIGNMENTS(id INTEGER PRIMARY KEY, src_sentence text, trg_sentence text,
               alignments_u1 text, alignments_u2 text, confidence text,
               source_filename text, done1 boolean, done2 boolean, discard boolean)

with each annotator's links as a Pharaoh string. An import keeps every raw value beside the
project (table ``alignman_rows``) so that an export of an unchanged project writes the very same
rows: a value is rewritten only where the annotation it stands for was changed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from wordalign.errors import InputFormatError, WordalignError
from wordalign.io.files import atomic_write_bytes
from wordalign.types import Alignment, SentencePair
from wordalign.viewer.storage import AnnotationStore, check_alignment, check_name

__all__ = [
    "ALIGNMAN_COLUMNS",
    "ALIGNMAN_SCHEMA",
    "alignman_rows",
    "export_alignman",
    "import_alignman",
]

ALIGNMAN_COLUMNS = (
    "id",
    "src_sentence",
    "trg_sentence",
    "alignments_u1",
    "alignments_u2",
    "confidence",
    "source_filename",
    "done1",
    "done2",
    "discard",
)

ALIGNMAN_SCHEMA = (
    "CREATE TABLE ALIGNMENTS (id INTEGER PRIMARY KEY, src_sentence text, trg_sentence text, "
    "alignments_u1 text, alignments_u2 text, confidence text, source_filename text, "
    "done1 boolean, done2 boolean, discard boolean)"
)

_TRUE_TEXT = {"1", "true", "t", "yes", "y"}


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXT
    if isinstance(value, bytes):
        return value.strip().lower().decode("utf-8", "replace") in _TRUE_TEXT
    return bool(value)


def _parse_links(value: Any) -> Alignment:
    if value is None:
        return Alignment()
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return Alignment.from_pharaoh(str(value))


def import_alignman(
    store: AnnotationStore,
    path: str | Path,
    name: str | None = None,
    annotators: tuple[str, str] = ("u1", "u2"),
    display: str | None = None,
) -> int:
    """Import an AlignMan database as a new project; returns the project id.

    Rows become pairs in ``id`` order; ``alignments_u1``/``alignments_u2`` become the links of
    the two ``annotators``, ``done1``/``done2`` their done flags, ``discard`` the first
    annotator's discard flag.

    Args:
        store: where to create the project.
        path: the AlignMan SQLite file.
        name: the project name (default: the file name).
        annotators: names for AlignMan's users 1 and 2.
        display: how the file is named in messages (default: ``path``).

    Raises:
        WordalignError: when the file is not an AlignMan database.
        InputFormatError: naming the row id of a bad link string or a link past a sentence.
    """
    where = display or str(path)
    annotators = (check_name("annotator", annotators[0]), check_name("annotator", annotators[1]))
    if annotators[0] == annotators[1]:
        raise WordalignError("the two AlignMan annotators need different names")
    if not Path(path).is_file():
        raise WordalignError(f"{where}: no such file")
    rows = _read_rows(path, where)
    pairs: list[SentencePair] = []
    links: list[tuple[Alignment, Alignment]] = []
    for row in rows:
        row_id = row[0]
        src, tgt = row[1], row[2]
        if not isinstance(src, str) or not isinstance(tgt, str):
            raise InputFormatError(where, None, f"row id {row_id}: a sentence is not text")
        pair = SentencePair.from_strings(src, tgt)
        parsed = []
        for column, value in (("alignments_u1", row[3]), ("alignments_u2", row[4])):
            try:
                alignment = _parse_links(value)
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputFormatError(where, None, f"row id {row_id}: {column}: {exc}") from None
            problem = check_alignment(alignment, pair)
            if problem is not None:
                raise InputFormatError(where, None, f"row id {row_id}: {column}: {problem}")
            parsed.append(alignment)
        pairs.append(pair)
        links.append((parsed[0], parsed[1]))
    project_name = name or Path(where).name
    pid = store.create_project(
        project_name,
        pairs,
        source=Path(where).name,
        meta={"alignman_annotators": list(annotators)},
    )
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for position, annotator in enumerate(annotators):
            conn.execute(
                "INSERT INTO annotators (project_id, name, position) VALUES (?, ?, ?)",
                (pid, annotator, position),
            )
        for idx, (row, (al_1, al_2)) in enumerate(zip(rows, links, strict=True)):
            conn.execute(
                "INSERT INTO alignman_rows (project_id, idx, row_id, src_sentence, trg_sentence,"
                " alignments_u1, alignments_u2, confidence, source_filename, done1, done2,"
                " discard) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, idx, *row),
            )
            for annotator, alignment in zip(annotators, (al_1, al_2), strict=True):
                conn.executemany(
                    "INSERT INTO links (project_id, idx, annotator, i, j, kind)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (pid, idx, annotator, i, j, "S" if (i, j) in alignment.sure else "P")
                        for i, j in alignment.possible
                    ),
                )
            for annotator, done, discard in (
                (annotators[0], _truthy(row[7]), _truthy(row[9])),
                (annotators[1], _truthy(row[8]), False),
            ):
                if done or discard:
                    conn.execute(
                        "INSERT INTO status (project_id, idx, annotator, done, discard)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (pid, idx, annotator, int(done), int(discard)),
                    )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        store.delete_project(pid)
        raise
    return pid


def _read_rows(path: str | Path, where: str) -> list[tuple[Any, ...]]:
    try:
        # Read-only: importing must never change the annotators' file.
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise WordalignError(f"{where}: cannot open as SQLite: {exc}") from None
    try:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        if "ALIGNMENTS" not in tables:
            found = ", ".join(tables) or "none"
            raise WordalignError(
                f"{where}: not an AlignMan database: no table ALIGNMENTS (tables: {found})"
            )
        columns = [row[1] for row in conn.execute("PRAGMA table_info(ALIGNMENTS)")]
        missing = [c for c in ALIGNMAN_COLUMNS if c not in columns]
        if missing:
            raise WordalignError(
                f"{where}: table ALIGNMENTS lacks the AlignMan columns {', '.join(missing)}"
            )
        return conn.execute(
            f"SELECT {', '.join(ALIGNMAN_COLUMNS)} FROM ALIGNMENTS ORDER BY id"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise WordalignError(f"{where}: not an AlignMan (SQLite) database: {exc}") from None
    finally:
        conn.close()


def _raw_rows(store: AnnotationStore, project_id: int) -> dict[int, tuple[Any, ...]]:
    rows = store.conn.execute(
        "SELECT idx, row_id, src_sentence, trg_sentence, alignments_u1, alignments_u2,"
        " confidence, source_filename, done1, done2, discard FROM alignman_rows"
        " WHERE project_id = ?",
        (project_id,),
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _links_value(raw: Any, current: Alignment, has_raw: bool) -> Any:
    if has_raw:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            if _parse_links(raw) == current:
                return raw
    return current.to_pharaoh()


def _flag_value(raw: Any, current: bool, has_raw: bool) -> Any:
    if has_raw and _truthy(raw) == current:
        return raw
    return int(current)


def alignman_rows(
    store: AnnotationStore, project_id: int, annotators: tuple[str, str] | None = None
) -> list[tuple[Any, ...]]:
    """The AlignMan rows of a project as they would be exported (columns: ALIGNMAN_COLUMNS).

    Args:
        store: the annotation store.
        project_id: the project.
        annotators: whose links go to ``alignments_u1`` and ``alignments_u2``; default: the
            names given at import, else the project's first two annotators.

    Raises:
        WordalignError: when the project has more than two annotators and none were chosen.
    """
    if annotators is None:
        annotators = _default_annotators(store, project_id)
    info = store.project(project_id)
    raw = _raw_rows(store, project_id)
    per_annotator = [store.alignments(project_id, a) for a in annotators]
    statuses = [store.statuses(project_id, a) for a in annotators]
    out = []
    for idx in range(info.n_pairs):
        pair = store.pair(project_id, idx)
        has_raw = idx in raw
        r = raw.get(idx) or (
            idx + 1,
            " ".join(pair.src),
            " ".join(pair.tgt),
            None,
            None,
            None,
            info.source,
            None,
            None,
            None,
        )
        discard = statuses[0][idx].discard or statuses[1][idx].discard
        out.append(
            (
                r[0],
                r[1],
                r[2],
                _links_value(r[3], per_annotator[0][idx], has_raw),
                _links_value(r[4], per_annotator[1][idx], has_raw),
                r[5],
                r[6],
                _flag_value(r[7], statuses[0][idx].done, has_raw),
                _flag_value(r[8], statuses[1][idx].done, has_raw),
                _flag_value(r[9], discard, has_raw),
            )
        )
    return out


def _default_annotators(store: AnnotationStore, project_id: int) -> tuple[str, str]:
    named = store.project_meta(project_id).get("alignman_annotators")
    if isinstance(named, list) and len(named) == 2:
        return str(named[0]), str(named[1])
    known = store.annotators(project_id)
    if len(known) > 2:
        raise WordalignError(
            f"the project has {len(known)} annotators ({', '.join(known)}); AlignMan holds two: "
            "choose them"
        )
    fill = [name for name in ("u1", "u2", "u3") if name not in known]
    names = [*known, *fill]
    return names[0], names[1]


def export_alignman(
    store: AnnotationStore,
    project_id: int,
    path: str | Path,
    annotators: tuple[str, str] | None = None,
    overwrite: bool = False,
) -> int:
    """Write a project as a new AlignMan database (atomically); returns the number of rows.

    Raises:
        WordalignError: when ``path`` exists and ``overwrite`` is false, or for the reasons of
            :func:`alignman_rows`.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise WordalignError(f"{target}: exists already (pass --overwrite to replace it)")
    rows = alignman_rows(store, project_id, annotators)
    with tempfile.TemporaryDirectory(prefix="wordalign-alignman-") as folder:
        tmp_path = Path(folder) / "alignman.db"
        conn = sqlite3.connect(tmp_path)
        try:
            conn.execute(ALIGNMAN_SCHEMA)
            conn.executemany(
                f"INSERT INTO ALIGNMENTS ({', '.join(ALIGNMAN_COLUMNS)}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.commit()
        finally:
            conn.close()
        atomic_write_bytes(target, tmp_path.read_bytes())
    return len(rows)
