"""Tests of the learning-curve experiment (wordalign.experiments.learning_curve)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.experiments.learning_curve import (
    ALL,
    PAPER_TABLE4,
    parse_sizes,
    render_csv,
    render_markdown,
    render_svg,
    run_learning_curve,
    write_results,
)
from wordalign.types import Alignment, SentencePair

SIZE_CASES = [
    ("0,1k,5000,all", [0, 1000, 5000, ALL]),
    ("2.5k", [2500]),
    (" 10 , ,20 ", [10, 20]),
    ("ALL", [ALL]),
]


@pytest.mark.parametrize(("text", "expected"), SIZE_CASES)
def test_learning_curve_parse_sizes(text: str, expected: list[int]) -> None:
    assert parse_sizes(text) == expected


@pytest.mark.parametrize("text", ["-5", "1.5", "abc", "", "k"])
def test_learning_curve_parse_sizes_rejects(text: str) -> None:
    with pytest.raises(WordalignError, match="size"):
        parse_sizes(text)


def test_learning_curve_paper_table() -> None:
    # Spot checks of values typed in from Table 4 of Dolev (2023).
    labels = ["600", "1k", "5k", "10k", "25k", "50k", "75k", "100k"]
    assert [r.label for r in PAPER_TABLE4["fastalign"]] == labels
    assert PAPER_TABLE4["fastalign"][-1].aer == 0.307
    assert PAPER_TABLE4["eflomal"][-1].aer == 0.146
    assert PAPER_TABLE4["eflomal"][0].precision == 0.707


GOLD_PAIRS = [
    SentencePair.from_strings("das haus", "la chasa"),
    SentencePair.from_strings("das buch", "il cudesch"),
]
GOLD = [Alignment([(0, 0), (1, 1)]), Alignment([(0, 0), (1, 1)])]
CORPUS = [
    SentencePair.from_strings("ein buch", "in cudesch"),
    SentencePair.from_strings("ein haus", "ina chasa"),
    SentencePair.from_strings("das haus ist klein", "la chasa è pitschna"),
]


def test_learning_curve_runs_and_reports(tmp_path: Path) -> None:
    seen = []
    points = run_learning_curve(
        GOLD_PAIRS,
        GOLD,
        CORPUS,
        sizes=[0, 2, 99, ALL],
        methods=["fastalign"],
        progress=False,
        on_point=seen.append,
    )
    # 99 and ALL both cap at the 3 corpus pairs: one point.
    assert [(p.size, p.label, p.train_pairs) for p in points] == [
        (0, "gold", 2),
        (2, "2", 4),
        (3, "all", 5),
    ]
    assert seen == points
    assert points[-1].aer == 0.0 and points[-1].precision == 1.0
    assert points[0].paper is not None and points[0].paper.label == "600"
    assert points[1].paper is None
    assert points[2].paper is not None and points[2].paper.label == "100k"

    markdown = render_markdown(points)
    assert "| fastalign | 3 (all) | 5 |" in markdown
    rows = list(csv.DictReader(io.StringIO(render_csv(points))))
    assert [r["label"] for r in rows] == ["gold", "2", "all"]
    assert rows[0]["paper_aer"] == "0.427" and rows[1]["paper_aer"] == ""
    svg = ET.fromstring(render_svg(points))
    polylines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == 2  # ours and the paper's

    written = write_results(points, tmp_path / "out")
    names = {p.name for p in written}
    assert {"learning_curve.md", "learning_curve.csv", "learning_curve.json"} <= names
    assert "learning_curve.svg" in names
    data = json.loads((tmp_path / "out" / "learning_curve.json").read_text(encoding="utf-8"))
    assert len(data["points"]) == 3 and "eflomal" in data["paper_table4"]
    with pytest.raises(WordalignError, match="exists already"):
        write_results(points, tmp_path / "out")
    write_results(points, tmp_path / "out", overwrite=True)


def test_learning_curve_gold_length_mismatch() -> None:
    with pytest.raises(LengthMismatchError):
        run_learning_curve(GOLD_PAIRS, GOLD[:1], CORPUS, methods=["fastalign"], progress=False)


def test_learning_curve_png_with_matplotlib() -> None:
    pytest.importorskip("matplotlib", reason="PNG plots need the 'plot' extra (matplotlib)")
    from wordalign.experiments.learning_curve import render_png

    points = run_learning_curve(
        GOLD_PAIRS, GOLD, CORPUS, sizes=[0, ALL], methods=["fastalign"], progress=False
    )
    png = render_png(points)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
