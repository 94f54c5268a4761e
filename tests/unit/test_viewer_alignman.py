"""AlignMan SQLite import and export: a synthetic AlignMan file round-trips to identical rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from wordalign.errors import InputFormatError, WordalignError
from wordalign.types import Alignment, SentencePair
from wordalign.viewer.alignman import ALIGNMAN_SCHEMA, export_alignman, import_alignman
from wordalign.viewer.storage import AnnotationStore

# Made-up sentences; the odd values (NULLs, '1-0 0-0' out of order, text booleans, a doubled
# space) are there because an export must reproduce them byte for byte.
ROWS: list[tuple[Any, ...]] = [
    (1, "the red car", "l' auto cotschna", "0-0 1-2 2-1", "0-0 2-1", "high", "a.txt", 1, 0, 0),
    (2, "see you", "a revair", "1-0 0-0", None, None, "a.txt", 0, None, 0),
    (5, "it  rains", "i plova", "", "", "low", "b.txt", "true", "false", 1),
    (7, "yes", "gea", "0-0", "0p0", None, None, None, None, None),
]


def make_alignman(path: Path, rows: list[tuple[Any, ...]] = ROWS) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(ALIGNMAN_SCHEMA)
    conn.executemany("INSERT INTO ALIGNMENTS VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def dump(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(ALIGNMENTS)")]
    typed = ", ".join(f"{c}, typeof({c})" for c in columns)
    rows = conn.execute(f"SELECT {typed} FROM ALIGNMENTS ORDER BY id").fetchall()
    conn.close()
    return rows


def test_viewer_alignman_roundtrip_identical_rows(tmp_path: Path) -> None:
    source = make_alignman(tmp_path / "in.db")
    store = AnnotationStore(tmp_path / "ann.db")
    pid = import_alignman(store, source)
    assert store.project(pid).name == "in.db"
    assert store.links(pid, 0, "u1") == Alignment([(0, 0), (1, 2), (2, 1)])
    assert store.links(pid, 3, "u2") == Alignment(possible=[(0, 0)])
    assert store.status(pid, 2, "u1").done and store.status(pid, 2, "u1").discard
    assert store.pair(pid, 2) == SentencePair(("it", "rains"), ("i", "plova"))
    export_alignman(store, pid, tmp_path / "out.db")
    assert dump(tmp_path / "out.db") == dump(source)


def test_viewer_alignman_export_writes_changes(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ann.db")
    pid = import_alignman(store, make_alignman(tmp_path / "in.db"))
    store.set_link(pid, 1, "u1", 1, 1, "S")
    store.set_status(pid, 1, "u2", done=True)
    store.set_link(pid, 0, "u2", 1, 2, "P")
    store.undo(pid, 0, "u2")  # undone: the raw value comes back unchanged
    export_alignman(store, pid, tmp_path / "out.db")
    rows = {
        row[0]: row
        for row in sqlite3.connect(tmp_path / "out.db").execute("SELECT * FROM ALIGNMENTS")
    }
    assert rows[2][3] == "0-0 1-0 1-1"
    assert rows[2][8] == 1
    assert rows[1] == ROWS[0]
    with pytest.raises(WordalignError, match="exists already"):
        export_alignman(store, pid, tmp_path / "out.db")


def test_viewer_alignman_export_of_a_new_project(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ann.db")
    pid = store.create_project("p", [SentencePair.from_strings("a b", "x y")], source="p.txt")
    store.set_link(pid, 0, "alice", 0, 1, "S")
    store.set_link(pid, 0, "bob", 1, 1, "P")
    export_alignman(store, pid, tmp_path / "out.db")
    rows = sqlite3.connect(tmp_path / "out.db").execute("SELECT * FROM ALIGNMENTS").fetchall()
    assert rows == [(1, "a b", "x y", "0-1", "1p1", None, "p.txt", 0, 0, 0)]
    store.set_link(pid, 0, "cy", 0, 0, "S")
    with pytest.raises(WordalignError, match="3 annotators"):
        export_alignman(store, pid, tmp_path / "out2.db")
    export_alignman(store, pid, tmp_path / "out2.db", annotators=("cy", "bob"))


BAD_ROWS = [
    ((1, "a b", "x", "0-3", None, None, None, 0, 0, 0), "row id 1: alignments_u1: link 0-3"),
    ((4, "a b", "x", None, "0_0", None, None, 0, 0, 0), "row id 4: alignments_u2: bad link '0_0'"),
    ((2, None, "x", None, None, None, None, 0, 0, 0), "row id 2: a sentence is not text"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_viewer_alignman_bad_rows(tmp_path: Path, row: tuple[Any, ...], message: str) -> None:
    store = AnnotationStore(tmp_path / "ann.db")
    with pytest.raises(InputFormatError, match=message.replace("(", r"\(")):
        import_alignman(store, make_alignman(tmp_path / "in.db", [row]))
    assert store.projects() == []


def test_viewer_alignman_not_alignman(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ann.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(WordalignError, match="no table ALIGNMENTS \\(tables: t\\)"):
        import_alignman(store, other)
    text = tmp_path / "text.db"
    text.write_text("hello\n" * 100)
    with pytest.raises(WordalignError, match="not an AlignMan"):
        import_alignman(store, text)
    with pytest.raises(WordalignError, match="no such file"):
        import_alignman(store, tmp_path / "missing.db")
