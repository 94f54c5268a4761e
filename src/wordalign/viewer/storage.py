"""SQLite storage of annotation projects and viewer sessions (stdlib :mod:`sqlite3` only).

Every change is its own committed transaction, so a closed tab or a killed server loses nothing
(the database runs in WAL mode with ``synchronous=FULL``: a commit is on disk before the HTTP
answer goes back). One :class:`AnnotationStore` wraps one connection; the web app opens one per
request, which is what sqlite3 wants from threads.

Model: a *project* holds numbered sentence *pairs* (``idx`` from 0). Each *annotator* has their
own link set per pair (Sure ``S`` or Possible ``P``), a status (done, discarded, comment) and an
undo history; aligner *suggestions* are stored apart from every annotator's links. AlignMan rows
that were imported keep their raw column values (:mod:`wordalign.viewer.alignman`) so that an
export reproduces them exactly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from wordalign.errors import WordalignError
from wordalign.types import Alignment, Link, SentencePair

__all__ = [
    "MAX_NAME_CHARS",
    "AnnotationStore",
    "LinkKind",
    "PairStatus",
    "ProjectInfo",
    "ViewData",
    "check_alignment",
    "check_name",
]

LinkKind = Literal["S", "P"]
"""A link's kind as stored: ``S`` (Sure) or ``P`` (Possible)."""

MAX_NAME_CHARS = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    source TEXT,
    suggestion_source TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS pairs (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    src TEXT NOT NULL,
    tgt TEXT NOT NULL,
    PRIMARY KEY (project_id, idx)
);
CREATE TABLE IF NOT EXISTS annotators (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (project_id, name)
);
CREATE TABLE IF NOT EXISTS links (
    project_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    i INTEGER NOT NULL,
    j INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('S', 'P')),
    PRIMARY KEY (project_id, idx, annotator, i, j),
    FOREIGN KEY (project_id, idx) REFERENCES pairs(project_id, idx) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS suggestions (
    project_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    i INTEGER NOT NULL,
    j INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('S', 'P')),
    PRIMARY KEY (project_id, idx, i, j),
    FOREIGN KEY (project_id, idx) REFERENCES pairs(project_id, idx) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS status (
    project_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    discard INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, idx, annotator),
    FOREIGN KEY (project_id, idx) REFERENCES pairs(project_id, idx) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grp INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    i INTEGER NOT NULL,
    j INTEGER NOT NULL,
    before TEXT,
    after TEXT,
    FOREIGN KEY (project_id, idx) REFERENCES pairs(project_id, idx) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS history_pair ON history (project_id, idx, annotator, grp);
-- Raw AlignMan values, declared without types so that SQLite keeps each value's own type.
CREATE TABLE IF NOT EXISTS alignman_rows (
    project_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    row_id INTEGER NOT NULL,
    src_sentence, trg_sentence, alignments_u1, alignments_u2, confidence, source_filename,
    done1, done2, discard,
    PRIMARY KEY (project_id, idx),
    FOREIGN KEY (project_id, idx) REFERENCES pairs(project_id, idx) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS views (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A project's summary.

    Attributes:
        id: database id.
        name: unique name.
        created: ISO time of creation (UTC).
        source: where the pairs came from (a file name), if known.
        suggestion_source: the aligner whose links are stored as suggestions, if any.
        n_pairs: number of sentence pairs.
        annotators: annotator names in the order they first annotated.
    """

    id: int
    name: str
    created: str
    source: str | None
    suggestion_source: str | None
    n_pairs: int
    annotators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PairStatus:
    """One annotator's flags on one pair."""

    done: bool = False
    discard: bool = False
    comment: str = ""


@dataclass(frozen=True, slots=True)
class ViewData:
    """A stored viewer session: pairs plus named alignment layers, one alignment per pair each.

    Attributes:
        id: database id.
        name: shown in the page.
        pairs: the sentence pairs.
        systems: system name -> one alignment per pair (in file order).
        gold: the gold alignment per pair, or ``None`` when no gold was loaded.
    """

    id: int
    name: str
    pairs: list[SentencePair]
    systems: dict[str, list[Alignment]]
    gold: list[Alignment] | None


def check_name(what: str, name: str) -> str:
    """Validate a project or annotator name (stripped, 1..100 printable characters).

    Raises:
        WordalignError: saying what is wrong with the name.
    """
    name = name.strip()
    if not name:
        raise WordalignError(f"the {what} name is empty")
    if len(name) > MAX_NAME_CHARS:
        raise WordalignError(f"the {what} name is longer than {MAX_NAME_CHARS} characters")
    if not name.isprintable():
        raise WordalignError(f"the {what} name contains control characters")
    return name


def check_alignment(alignment: Alignment, pair: SentencePair) -> str | None:
    """Why ``alignment`` does not fit ``pair`` (a link past the end of a sentence), or ``None``."""
    for i, j in sorted(alignment.possible):
        if i >= len(pair.src):
            return (
                f"link {i}-{j}: source index {i} but the source sentence has "
                f"{len(pair.src)} tokens (indices are 0-based)"
            )
        if j >= len(pair.tgt):
            return (
                f"link {i}-{j}: target index {j} but the target sentence has "
                f"{len(pair.tgt)} tokens (indices are 0-based)"
            )
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _alignment_of(rows: Iterable[tuple[int, int, str]]) -> Alignment:
    sure: list[Link] = []
    possible: list[Link] = []
    for i, j, kind in rows:
        (sure if kind == "S" else possible).append((i, j))
    return Alignment(sure, possible)


def _kinds_of(alignment: Alignment) -> Iterator[tuple[int, int, LinkKind]]:
    for i, j in sorted(alignment.possible):
        yield i, j, "S" if (i, j) in alignment.sure else "P"


class AnnotationStore:
    """Annotation projects and viewer sessions in one SQLite file.

    Example:
        >>> store = AnnotationStore(":memory:")
        >>> pid = store.create_project("demo", [SentencePair.from_strings("a b", "x y")])
        >>> store.set_link(pid, 0, "ann", 1, 0, "S")
        >>> store.links(pid, 0, "ann").to_pharaoh()
        '1-0'
    """

    def __init__(self, path: str | Path) -> None:
        try:
            self.conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if str(path) != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            # FULL: an annotation committed is an annotation on disk, even if the machine dies.
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise WordalignError(f"{path}: cannot open as a wordalign database: {exc}") from None

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- projects ---------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        pairs: Sequence[SentencePair],
        suggestions: Sequence[Alignment] | None = None,
        suggestion_source: str | None = None,
        source: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int:
        """Create a project from sentence pairs; returns its id.

        Args:
            name: a unique project name.
            pairs: the sentence pairs to annotate.
            suggestions: optional aligner links per pair, shown as suggestions.
            suggestion_source: the aligner that made the suggestions.
            source: where the pairs came from (shown, and written as AlignMan source_filename).
            meta: free JSON-ready details kept with the project.

        Raises:
            WordalignError: for a duplicate or bad name, or suggestions that do not fit the pairs.
        """
        name = check_name("project", name)
        if suggestions is not None:
            if len(suggestions) != len(pairs):
                raise WordalignError(
                    f"{len(suggestions)} suggested alignments for {len(pairs)} sentence pairs"
                )
            for k, (alignment, pair) in enumerate(zip(suggestions, pairs, strict=True)):
                problem = check_alignment(alignment, pair)
                if problem is not None:
                    raise WordalignError(f"suggestion for pair {k + 1}: {problem}")
        with self._transaction():
            if self._one("SELECT id FROM projects WHERE name = ?", (name,)) is not None:
                raise WordalignError(f"a project named {name!r} exists already")
            cursor = self.conn.execute(
                "INSERT INTO projects (name, created, source, suggestion_source, meta)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, _now(), source, suggestion_source, json.dumps(meta or {})),
            )
            pid = int(cursor.lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO pairs (project_id, idx, src, tgt) VALUES (?, ?, ?, ?)",
                ((pid, k, " ".join(p.src), " ".join(p.tgt)) for k, p in enumerate(pairs)),
            )
            if suggestions is not None:
                self.conn.executemany(
                    "INSERT INTO suggestions (project_id, idx, i, j, kind) VALUES (?, ?, ?, ?, ?)",
                    (
                        (pid, k, i, j, kind)
                        for k, a in enumerate(suggestions)
                        for i, j, kind in _kinds_of(a)
                    ),
                )
        return pid

    def projects(self) -> list[ProjectInfo]:
        """Every project, oldest first."""
        ids = [row[0] for row in self.conn.execute("SELECT id FROM projects ORDER BY id")]
        return [self.project(pid) for pid in ids]

    def project(self, project_id: int) -> ProjectInfo:
        """One project's summary.

        Raises:
            WordalignError: when there is no such project.
        """
        row = self.conn.execute(
            "SELECT id, name, created, source, suggestion_source FROM projects WHERE id = ?",
            (project_id,),
        ).fetchone()
        if row is None:
            raise WordalignError(f"no project with id {project_id}")
        n_pairs = self._one("SELECT COUNT(*) FROM pairs WHERE project_id = ?", (project_id,))
        return ProjectInfo(
            id=row[0],
            name=row[1],
            created=row[2],
            source=row[3],
            suggestion_source=row[4],
            n_pairs=int(n_pairs),
            annotators=tuple(self.annotators(project_id)),
        )

    def project_id(self, name: str) -> int:
        """The id of the project named ``name``.

        Raises:
            WordalignError: listing the known projects when there is none of that name.
        """
        pid = self._one("SELECT id FROM projects WHERE name = ?", (name,))
        if pid is None:
            names = [row[0] for row in self.conn.execute("SELECT name FROM projects ORDER BY id")]
            known = ", ".join(repr(n) for n in names) or "none"
            raise WordalignError(f"no project named {name!r} (projects: {known})")
        return int(pid)

    def project_meta(self, project_id: int) -> dict[str, Any]:
        """The free JSON details stored with a project."""
        text = self._one("SELECT meta FROM projects WHERE id = ?", (project_id,))
        return dict(json.loads(text)) if text else {}

    def delete_project(self, project_id: int) -> None:
        """Remove a project and everything annotated in it."""
        with self._transaction():
            for table in ("history", "links", "suggestions", "status", "alignman_rows"):
                self.conn.execute(f"DELETE FROM {table} WHERE project_id = ?", (project_id,))
            self.conn.execute("DELETE FROM annotators WHERE project_id = ?", (project_id,))
            self.conn.execute("DELETE FROM pairs WHERE project_id = ?", (project_id,))
            self.conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    # -- pairs ------------------------------------------------------------------------------

    def n_pairs(self, project_id: int) -> int:
        """Number of pairs in a project."""
        return int(self._one("SELECT COUNT(*) FROM pairs WHERE project_id = ?", (project_id,)))

    def pair(self, project_id: int, idx: int) -> SentencePair:
        """The pair number ``idx`` (0-based) of a project.

        Raises:
            WordalignError: when the project has no such pair.
        """
        row = self.conn.execute(
            "SELECT src, tgt FROM pairs WHERE project_id = ? AND idx = ?", (project_id, idx)
        ).fetchone()
        if row is None:
            self.project(project_id)  # no project at all: say that
            raise WordalignError(
                f"project {project_id} has no pair {idx + 1} "
                f"(it has {self.n_pairs(project_id)} pairs)"
            )
        return SentencePair.from_strings(row[0], row[1])

    def pairs(self, project_id: int) -> list[SentencePair]:
        """Every pair of a project, in order."""
        rows = self.conn.execute(
            "SELECT src, tgt FROM pairs WHERE project_id = ? ORDER BY idx", (project_id,)
        )
        return [SentencePair.from_strings(src, tgt) for src, tgt in rows]

    # -- annotators -------------------------------------------------------------------------

    def annotators(self, project_id: int) -> list[str]:
        """Annotator names of a project, in the order they joined."""
        rows = self.conn.execute(
            "SELECT name FROM annotators WHERE project_id = ? ORDER BY position", (project_id,)
        )
        return [row[0] for row in rows]

    def add_annotator(self, project_id: int, name: str) -> str:
        """Register an annotator (no-op when known); returns the cleaned name."""
        name = check_name("annotator", name)
        self.project(project_id)
        with self._transaction():
            self._add_annotator(project_id, name)
        return name

    def _add_annotator(self, project_id: int, name: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO annotators (project_id, name, position) VALUES (?, ?, "
            "(SELECT COALESCE(MAX(position), -1) + 1 FROM annotators WHERE project_id = ?))",
            (project_id, name, project_id),
        )

    # -- links ------------------------------------------------------------------------------

    def links(self, project_id: int, idx: int, annotator: str) -> Alignment:
        """One annotator's links on one pair."""
        rows = self.conn.execute(
            "SELECT i, j, kind FROM links WHERE project_id = ? AND idx = ? AND annotator = ?",
            (project_id, idx, annotator),
        )
        return _alignment_of(rows)

    def alignments(self, project_id: int, annotator: str) -> list[Alignment]:
        """One annotator's links on every pair, in pair order (empty where none)."""
        by_idx: dict[int, list[tuple[int, int, str]]] = {}
        rows = self.conn.execute(
            "SELECT idx, i, j, kind FROM links WHERE project_id = ? AND annotator = ?",
            (project_id, annotator),
        )
        for idx, i, j, kind in rows:
            by_idx.setdefault(idx, []).append((i, j, kind))
        return [_alignment_of(by_idx.get(k, ())) for k in range(self.n_pairs(project_id))]

    def suggestions(self, project_id: int, idx: int) -> Alignment:
        """The aligner's suggested links on one pair."""
        rows = self.conn.execute(
            "SELECT i, j, kind FROM suggestions WHERE project_id = ? AND idx = ?",
            (project_id, idx),
        )
        return _alignment_of(rows)

    def set_link(
        self, project_id: int, idx: int, annotator: str, i: int, j: int, kind: LinkKind | None
    ) -> None:
        """Set one link of one annotator (``None`` removes it); committed before returning.

        Raises:
            WordalignError: for an index outside the sentences or an unknown kind.
        """
        self.set_links(project_id, idx, annotator, [((i, j), kind)])

    def set_links(
        self,
        project_id: int,
        idx: int,
        annotator: str,
        changes: Sequence[tuple[Link, LinkKind | None]],
    ) -> None:
        """Apply several link changes as one undoable step, in one transaction.

        Raises:
            WordalignError: for an index outside the sentences or an unknown kind.
        """
        annotator = check_name("annotator", annotator)
        pair = self.pair(project_id, idx)
        for (i, j), kind in changes:
            if kind not in ("S", "P", None):
                raise WordalignError(f"unknown link kind {kind!r} (use 'S', 'P' or none)")
            if not (0 <= i < len(pair.src) and 0 <= j < len(pair.tgt)):
                raise WordalignError(
                    f"link {i}-{j} is outside pair {idx + 1} "
                    f"({len(pair.src)} source and {len(pair.tgt)} target tokens)"
                )
        with self._transaction():
            self._add_annotator(project_id, annotator)
            grp = int(self._one("SELECT COALESCE(MAX(grp), 0) + 1 FROM history")) or 1
            for (i, j), kind in changes:
                before = self._one(
                    "SELECT kind FROM links WHERE project_id = ? AND idx = ? AND annotator = ?"
                    " AND i = ? AND j = ?",
                    (project_id, idx, annotator, i, j),
                )
                if before == kind:
                    continue
                self._write_link(project_id, idx, annotator, i, j, kind)
                self.conn.execute(
                    "INSERT INTO history (grp, project_id, idx, annotator, i, j, before, after)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (grp, project_id, idx, annotator, i, j, before, kind),
                )

    def _write_link(
        self, project_id: int, idx: int, annotator: str, i: int, j: int, kind: str | None
    ) -> None:
        if kind is None:
            self.conn.execute(
                "DELETE FROM links WHERE project_id = ? AND idx = ? AND annotator = ?"
                " AND i = ? AND j = ?",
                (project_id, idx, annotator, i, j),
            )
        else:
            self.conn.execute(
                "INSERT INTO links (project_id, idx, annotator, i, j, kind)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, idx, annotator, i, j)"
                " DO UPDATE SET kind = excluded.kind",
                (project_id, idx, annotator, i, j, kind),
            )

    def replace_links(
        self, project_id: int, idx: int, annotator: str, alignment: Alignment
    ) -> None:
        """Make an annotator's links on a pair equal to ``alignment`` (one undoable step)."""
        current = self.links(project_id, idx, annotator)
        wanted = dict(((i, j), kind) for i, j, kind in _kinds_of(alignment))
        changes: list[tuple[Link, LinkKind | None]] = [
            (link, None) for link in sorted(current.possible - alignment.possible)
        ]
        changes += [(link, kind) for link, kind in sorted(wanted.items())]
        self.set_links(project_id, idx, annotator, changes)

    def undo(self, project_id: int, idx: int, annotator: str) -> bool:
        """Undo this annotator's last change on this pair; ``False`` when there is none."""
        with self._transaction():
            grp = self._one(
                "SELECT MAX(grp) FROM history WHERE project_id = ? AND idx = ? AND annotator = ?",
                (project_id, idx, annotator),
            )
            if grp is None:
                return False
            rows = self.conn.execute(
                "SELECT id, i, j, before FROM history WHERE grp = ? AND project_id = ?"
                " AND idx = ? AND annotator = ? ORDER BY id DESC",
                (grp, project_id, idx, annotator),
            ).fetchall()
            for row_id, i, j, before in rows:
                self._write_link(project_id, idx, annotator, i, j, before)
                self.conn.execute("DELETE FROM history WHERE id = ?", (row_id,))
        return True

    # -- status -----------------------------------------------------------------------------

    def status(self, project_id: int, idx: int, annotator: str) -> PairStatus:
        """One annotator's done/discard flags and comment on one pair."""
        row = self.conn.execute(
            "SELECT done, discard, comment FROM status WHERE project_id = ? AND idx = ?"
            " AND annotator = ?",
            (project_id, idx, annotator),
        ).fetchone()
        if row is None:
            return PairStatus()
        return PairStatus(bool(row[0]), bool(row[1]), row[2])

    def statuses(self, project_id: int, annotator: str) -> list[PairStatus]:
        """One annotator's status on every pair, in order."""
        found = {
            idx: PairStatus(bool(done), bool(discard), comment)
            for idx, done, discard, comment in self.conn.execute(
                "SELECT idx, done, discard, comment FROM status WHERE project_id = ?"
                " AND annotator = ?",
                (project_id, annotator),
            )
        }
        return [found.get(k, PairStatus()) for k in range(self.n_pairs(project_id))]

    def set_status(
        self,
        project_id: int,
        idx: int,
        annotator: str,
        done: bool | None = None,
        discard: bool | None = None,
        comment: str | None = None,
    ) -> PairStatus:
        """Change the flags given (``None`` keeps a flag as it is); returns the new status."""
        annotator = check_name("annotator", annotator)
        self.pair(project_id, idx)
        old = self.status(project_id, idx, annotator)
        new = PairStatus(
            old.done if done is None else bool(done),
            old.discard if discard is None else bool(discard),
            old.comment if comment is None else comment,
        )
        with self._transaction():
            self._add_annotator(project_id, annotator)
            self.conn.execute(
                "INSERT INTO status (project_id, idx, annotator, done, discard, comment)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, idx, annotator)"
                " DO UPDATE SET done = excluded.done, discard = excluded.discard,"
                " comment = excluded.comment",
                (project_id, idx, annotator, int(new.done), int(new.discard), new.comment),
            )
        return new

    def link_counts(self, project_id: int, annotator: str) -> list[int]:
        """Number of links of one annotator on every pair, in order."""
        counts = dict(
            self.conn.execute(
                "SELECT idx, COUNT(*) FROM links WHERE project_id = ? AND annotator = ?"
                " GROUP BY idx",
                (project_id, annotator),
            ).fetchall()
        )
        return [int(counts.get(k, 0)) for k in range(self.n_pairs(project_id))]

    # -- viewer sessions --------------------------------------------------------------------

    def create_view(
        self,
        name: str,
        pairs: Sequence[SentencePair],
        systems: Mapping[str, Sequence[Alignment]],
        gold: Sequence[Alignment] | None = None,
    ) -> int:
        """Store a viewer session; returns its id.

        Raises:
            WordalignError: when a layer has a different number of alignments than there are
                pairs, or a link points past a sentence.
        """
        name = check_name("view", name)
        layers: dict[str, Sequence[Alignment]] = dict(systems)
        if gold is not None:
            layers = {"(gold)": gold, **layers}
        for layer, alignments in layers.items():
            if len(alignments) != len(pairs):
                raise WordalignError(
                    f"{layer}: {len(alignments)} alignment lines for {len(pairs)} sentence pairs"
                )
            for k, (alignment, pair) in enumerate(zip(alignments, pairs, strict=True)):
                problem = check_alignment(alignment, pair)
                if problem is not None:
                    raise WordalignError(f"{layer}:{k + 1}: {problem}")
        data = {
            "pairs": [[" ".join(p.src), " ".join(p.tgt)] for p in pairs],
            "systems": {n: [a.to_pharaoh() for a in al] for n, al in systems.items()},
            "gold": None if gold is None else [a.to_pharaoh() for a in gold],
        }
        with self._transaction():
            cursor = self.conn.execute(
                "INSERT INTO views (name, created, data) VALUES (?, ?, ?)",
                (name, _now(), json.dumps(data)),
            )
        return int(cursor.lastrowid or 0)

    def views(self) -> list[tuple[int, str, str]]:
        """``(id, name, created)`` of every viewer session, newest first."""
        rows = self.conn.execute("SELECT id, name, created FROM views ORDER BY id DESC")
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def view(self, view_id: int) -> ViewData:
        """A stored viewer session.

        Raises:
            WordalignError: when there is no such session.
        """
        row = self.conn.execute(
            "SELECT id, name, data FROM views WHERE id = ?", (view_id,)
        ).fetchone()
        if row is None:
            raise WordalignError(f"no viewer session with id {view_id}")
        data = json.loads(row[2])
        gold = data["gold"]
        return ViewData(
            id=row[0],
            name=row[1],
            pairs=[SentencePair.from_strings(s, t) for s, t in data["pairs"]],
            systems={
                n: [Alignment.from_pharaoh(line) for line in lines]
                for n, lines in data["systems"].items()
            },
            gold=None if gold is None else [Alignment.from_pharaoh(line) for line in gold],
        )

    def delete_view(self, view_id: int) -> None:
        """Remove a viewer session."""
        with self._transaction():
            self.conn.execute("DELETE FROM views WHERE id = ?", (view_id,))


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception) on an autocommit link."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
