"""SQLite annotation storage: projects, links per annotator, undo, status, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordalign.errors import WordalignError
from wordalign.types import Alignment, SentencePair
from wordalign.viewer.storage import AnnotationStore, PairStatus, check_alignment

PAIRS = [
    SentencePair.from_strings("the small house", "la pitschna chasa"),
    SentencePair.from_strings("good day", "bun di"),
]


@pytest.fixture()
def store(tmp_path: Path) -> AnnotationStore:
    return AnnotationStore(tmp_path / "ann.db")


def test_viewer_storage_project_roundtrip(store: AnnotationStore) -> None:
    pid = store.create_project("p", PAIRS, source="x.txt")
    info = store.project(pid)
    assert (info.name, info.n_pairs, info.source, info.annotators) == ("p", 2, "x.txt", ())
    assert store.pairs(pid) == PAIRS
    assert store.pair(pid, 1) == PAIRS[1]
    assert store.project_id("p") == pid
    with pytest.raises(WordalignError, match="no project named 'q' \\(projects: 'p'\\)"):
        store.project_id("q")
    with pytest.raises(WordalignError, match="exists already"):
        store.create_project("p", PAIRS)
    with pytest.raises(WordalignError, match="has no pair 3"):
        store.pair(pid, 2)


def test_viewer_storage_links_are_per_annotator_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "ann.db"
    with AnnotationStore(path) as store:
        pid = store.create_project("p", PAIRS)
        store.set_link(pid, 0, "ann", 0, 0, "S")
        store.set_link(pid, 0, "ann", 1, 1, "P")
        store.set_link(pid, 0, "bob", 2, 2, "S")
        store.set_link(pid, 0, "ann", 1, 1, "S")  # a Possible link made Sure
    # A fresh connection (a restarted server) sees every committed change.
    with AnnotationStore(path) as store:
        assert store.links(pid, 0, "ann") == Alignment([(0, 0), (1, 1)])
        assert store.links(pid, 0, "bob") == Alignment([(2, 2)])
        assert store.alignments(pid, "ann") == [Alignment([(0, 0), (1, 1)]), Alignment()]
        assert store.annotators(pid) == ["ann", "bob"]
        assert store.link_counts(pid, "ann") == [2, 0]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_viewer_storage_rejects_links_outside_the_pair(store: AnnotationStore) -> None:
    pid = store.create_project("p", PAIRS)
    with pytest.raises(WordalignError, match="link 3-0 is outside pair 1"):
        store.set_link(pid, 0, "ann", 3, 0, "S")
    with pytest.raises(WordalignError, match="unknown link kind"):
        store.set_link(pid, 0, "ann", 0, 0, "X")  # type: ignore[arg-type]
    with pytest.raises(WordalignError, match="annotator name is empty"):
        store.set_link(pid, 0, " ", 0, 0, "S")
    assert store.links(pid, 0, "ann") == Alignment()


def test_viewer_storage_undo_steps_back(store: AnnotationStore) -> None:
    pid = store.create_project("p", PAIRS)
    store.set_link(pid, 0, "ann", 0, 0, "S")
    store.set_link(pid, 0, "ann", 0, 0, "P")
    store.set_link(pid, 0, "ann", 1, 1, "S")
    store.set_link(pid, 0, "bob", 2, 2, "S")
    store.set_link(pid, 0, "ann", 1, 1, None)
    assert store.undo(pid, 0, "ann")  # the removal
    assert store.links(pid, 0, "ann") == Alignment([(1, 1)], possible=[(0, 0)])
    assert store.undo(pid, 0, "ann")
    assert store.undo(pid, 0, "ann")
    assert store.links(pid, 0, "ann") == Alignment([(0, 0)])
    assert store.undo(pid, 0, "ann")
    assert not store.undo(pid, 0, "ann")
    assert store.links(pid, 0, "ann") == Alignment()
    assert store.links(pid, 0, "bob") == Alignment([(2, 2)])  # other annotators untouched


def test_viewer_storage_replace_links_is_one_undo_step(store: AnnotationStore) -> None:
    pid = store.create_project(
        "p", PAIRS, suggestions=[Alignment([(0, 0)], [(2, 2)]), Alignment()], suggestion_source="x"
    )
    store.set_link(pid, 0, "ann", 1, 1, "S")
    store.replace_links(pid, 0, "ann", store.suggestions(pid, 0))
    assert store.links(pid, 0, "ann") == Alignment([(0, 0)], [(2, 2)])
    assert store.undo(pid, 0, "ann")
    assert store.links(pid, 0, "ann") == Alignment([(1, 1)])


def test_viewer_storage_status_and_comments(store: AnnotationStore) -> None:
    pid = store.create_project("p", PAIRS)
    assert store.status(pid, 0, "ann") == PairStatus()
    store.set_status(pid, 0, "ann", done=True)
    store.set_status(pid, 0, "ann", comment="unsure about 'di'")
    assert store.status(pid, 0, "ann") == PairStatus(True, False, "unsure about 'di'")
    store.set_status(pid, 1, "ann", discard=True)
    assert [s.discard for s in store.statuses(pid, "ann")] == [False, True]


def test_viewer_storage_suggestions_must_fit(store: AnnotationStore) -> None:
    with pytest.raises(WordalignError, match="suggestion for pair 2: link 0-5"):
        store.create_project("p", PAIRS, suggestions=[Alignment(), Alignment([(0, 5)])])
    with pytest.raises(WordalignError, match="1 suggested alignments for 2"):
        store.create_project("p", PAIRS, suggestions=[Alignment()])


def test_viewer_storage_views(store: AnnotationStore) -> None:
    gold = [Alignment([(0, 0)], [(1, 1)]), Alignment([(1, 1)])]
    system = [Alignment([(0, 0), (2, 2)]), Alignment()]
    vid = store.create_view("v", PAIRS, {"sys": system}, gold)
    view = store.view(vid)
    assert (view.pairs, view.systems, view.gold) == (PAIRS, {"sys": system}, gold)
    with pytest.raises(WordalignError, match="sys:2: link 0-9: target index 9"):
        store.create_view("v", PAIRS, {"sys": [Alignment(), Alignment([(0, 9)])]})
    with pytest.raises(WordalignError, match=r"\(gold\): 1 alignment lines for 2"):
        store.create_view("v", PAIRS, {}, [Alignment()])


def test_viewer_storage_check_alignment_messages() -> None:
    pair = SentencePair.from_strings("a b", "x")
    assert check_alignment(Alignment([(1, 0)]), pair) is None
    assert "source index 2 but the source sentence has 2 tokens" in str(
        check_alignment(Alignment([(2, 0)]), pair)
    )


def test_viewer_storage_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all, just text" * 10)
    with pytest.raises(WordalignError, match="cannot open as a wordalign database"):
        AnnotationStore(bad)
