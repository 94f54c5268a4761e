"""``wordalign annotate``: projects, exports, merge, agreement and AlignMan from the shell."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from wordalign.cli.main import main
from wordalign.viewer.alignman import ALIGNMAN_SCHEMA
from wordalign.viewer.storage import AnnotationStore

BITEXT = "the small house ||| la pitschna chasa\ngood day ||| bun di\n"
ROWS = [
    (1, "the red car", "l' auto cotschna", "0-0 1-2 2-1", "0-0", "high", "a.txt", 1, 0, 0),
    (4, "see you", "a revair", "1-0 0-0", None, None, None, "true", None, 1),
]


@pytest.fixture()
def project_db(tmp_path: Path) -> Path:
    (tmp_path / "pairs.txt").write_text(BITEXT)
    db = tmp_path / "ann.db"
    assert (
        main(["annotate", "create", "--db", str(db), "--bitext", str(tmp_path / "pairs.txt")]) == 0
    )
    with AnnotationStore(db) as store:
        store.set_link(1, 0, "ann", 0, 0, "S")
        store.set_link(1, 0, "ann", 1, 1, "P")
        store.set_link(1, 0, "bob", 0, 0, "S")
        store.set_link(1, 1, "bob", 1, 1, "S")
    return db


def test_annotate_cli_export_scores_zero_aer_against_itself(
    project_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ann.pharaoh"
    assert (
        main(
            ["annotate", "export", "--db", str(project_db), "--annotator", "ann", "--out", str(out)]
        )
        == 0
    )
    assert out.read_text() == "0-0 1p1\n\n"
    capsys.readouterr()
    assert main(["eval", "--gold", str(out), "--pred", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aer"] == 0.0


def test_annotate_cli_merge_and_agreement(
    project_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "merged.pharaoh"
    assert main(["annotate", "merge", "--db", str(project_db), "--out", str(out)]) == 0
    assert out.read_text() == "0-0 1p1\n1p1\n"
    capsys.readouterr()
    assert main(["annotate", "agreement", "--db", str(project_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # ann = {00 S, 11 P} / {}, bob = {00 S} / {11 S}. ann as gold: A = bob's 2 links,
    # |A∩S| = 1, |A∩P| = 1, |S| = 1 -> 1 - 2/3. bob as gold: A = ann's 2 links, S = P = {00, 11}
    # -> 1 - (1 + 1) / (2 + 2) = 0.5.
    assert lines[1].split("\t")[:4] == ["ann", "bob", "0.3333", "0.5000"]
    assert main(["annotate", "merge", "--db", str(project_db), "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err


def test_annotate_cli_alignman_roundtrip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.db"
    conn = sqlite3.connect(source)
    conn.execute(ALIGNMAN_SCHEMA)
    conn.executemany("INSERT INTO ALIGNMENTS VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ROWS)
    conn.commit()
    conn.close()
    db = tmp_path / "ann.db"
    assert main(["annotate", "import-alignman", str(source), "--db", str(db)]) == 0
    out = tmp_path / "out.db"
    assert main(["annotate", "export-alignman", "--db", str(db), "--out", str(out)]) == 0
    query = "SELECT *, typeof(done1), typeof(alignments_u2) FROM ALIGNMENTS ORDER BY id"
    assert (
        sqlite3.connect(out).execute(query).fetchall()
        == sqlite3.connect(source).execute(query).fetchall()
    )
    assert "wrote 2 rows" in capsys.readouterr().out


def test_annotate_cli_errors(
    project_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(project_db)
    out = str(tmp_path / "x")
    cases = [
        (
            ["annotate", "export", "--db", db, "--annotator", "cy", "--out", out],
            "no annotator 'cy'",
        ),
        (
            [
                "annotate",
                "export",
                "--db",
                db,
                "--project",
                "nope",
                "--annotator",
                "ann",
                "--out",
                out,
            ],
            "no project named 'nope'",
        ),
        (
            ["annotate", "import-alignman", str(tmp_path / "missing.db"), "--db", db],
            "missing.db: no such file",
        ),
        (
            ["annotate", "import-alignman", db, "--db", db, "--annotators", "a"],
            "give 2 comma-separated",
        ),
        (
            ["annotate", "create", "--db", db, "--bitext", str(tmp_path / "none.txt")],
            "none.txt: no such file",
        ),
    ]
    for argv, message in cases:
        assert main(argv) == 2
        assert message in capsys.readouterr().err
    (tmp_path / "pairs.txt").write_text(BITEXT)
    assert (
        main(
            [
                "annotate",
                "create",
                "--db",
                db,
                "--bitext",
                str(tmp_path / "pairs.txt"),
                "--name",
                "second",
            ]
        )
        == 0
    )
    assert main(["annotate", "merge", "--db", db, "--out", out]) == 2
    assert "2 projects (pairs.txt, second): give --project" in capsys.readouterr().err
