"""Tests of the learning-curve experiment (wordalign.experiments.learning_curve)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.experiments.learning_curve import (
    ALL,
    METHOD_COLOURS,
    PAPER_TABLE4,
    CurvePoint,
    method_colour,
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


def _svg_colours(points: list[CurvePoint]) -> dict[str, str]:
    # Method -> stroke of its legend line (the first legend line drawn for it).
    svg = ET.fromstring(render_svg(points))
    ns = "{http://www.w3.org/2000/svg}"
    out: dict[str, str] = {}
    lines = [e for e in svg.iter(f"{ns}line") if e.get("stroke-width") == "2"]
    texts = [e.text for e in svg.iter(f"{ns}text") if e.text in {p.method for p in points}]
    for line, text in zip(lines, texts, strict=True):
        assert text is not None
        out.setdefault(text, line.get("stroke", ""))
    return out


def _point(method: str) -> CurvePoint:
    return CurvePoint(
        method=method,
        size=0,
        label="gold",
        train_pairs=2,
        precision=0.5,
        recall=0.5,
        f1=0.5,
        aer=0.3,
        seconds=0.1,
        paper=None,
    )


_PLOTTED = ["fastalign", "eflomal", "ibm1", "my-aligner"]


@pytest.mark.parametrize(
    "methods",
    [
        ["eflomal"],
        ["my-aligner", "ibm1", "eflomal"],
        ["ibm1", "eflomal", "fastalign"],
    ],
)
def test_learning_curve_colour_is_fixed_per_method(methods: list[str]) -> None:
    # The colour of a method must not depend on which other methods are plotted, nor in what
    # order: eflomal is always the same green.
    reference = _svg_colours([_point(m) for m in _PLOTTED])
    assert len(set(reference.values())) == len(_PLOTTED)
    colours = _svg_colours([_point(m) for m in methods])
    assert colours == {m: reference[m] for m in methods}
    assert colours == {m: method_colour(m) for m in methods}
    assert colours["eflomal"] == METHOD_COLOURS["eflomal"]


def test_learning_curve_unknown_method_colour_is_stable() -> None:
    # A checksum, not hash(): the same in another process (hash() of str is salted per process).
    code = (
        "from wordalign.experiments.learning_curve import method_colour; "
        "print(method_colour('my-aligner'))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in range(4)
    }
    assert runs == {method_colour("my-aligner")}
    assert method_colour("my-aligner") not in METHOD_COLOURS.values()
