"""Tests of threshold sweeps over scored alignments (wordalign.evaluation.threshold, .plots)."""

from __future__ import annotations

import random
import re
import sys

import pytest

from wordalign.errors import LengthMismatchError, MissingDependencyError, WordalignError
from wordalign.evaluation.metrics import evaluate
from wordalign.evaluation.plots import render_threshold_curve
from wordalign.evaluation.threshold import parse_thresholds, sweep_thresholds
from wordalign.types import Alignment


def _cut(alignment: Alignment, threshold: float) -> Alignment:
    """The brute-force reference: the alignment with only the links scored >= threshold."""
    scores = alignment.scores or {}
    keep = {link for link in alignment.possible if scores[link] >= threshold}
    return Alignment(alignment.sure & keep, keep, {link: scores[link] for link in keep})


def _random_corpus(seed: int, n: int) -> tuple[list[Alignment], list[Alignment]]:
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(n):
        cells = [(i, j) for i in range(rng.randint(0, 5)) for j in range(rng.randint(0, 5))]
        sure = [c for c in cells if rng.random() < 0.3]
        possible = [c for c in cells if rng.random() < 0.2]
        gold.append(Alignment(sure, possible))
        links = [c for c in cells if rng.random() < 0.5]
        # Coarse scores make ties with each other and with the thresholds common.
        scores = {c: rng.choice([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]) for c in links}
        sure_pred = [c for c in links if rng.random() < 0.7]
        pred.append(Alignment(sure_pred, links, scores))
    return gold, pred


@pytest.mark.parametrize("seed", range(8))
def test_threshold_sweep_equals_evaluate_on_cut_alignments(seed: int) -> None:
    gold, pred = _random_corpus(seed, n=40)
    thresholds = [0.0, 0.05, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 1.0, 1.5]
    curve = sweep_thresholds(gold, pred, thresholds)
    assert [row.threshold for row in curve.rows] == thresholds
    for row in curve.rows:
        expected = evaluate(gold, [_cut(p, row.threshold) for p in pred])
        assert row.result == expected, row.threshold


def test_threshold_hand_computed_case() -> None:
    # S = {0-0, 1-1}, P = S + {2-2}; second pair: S = P = {0-0}.
    gold = [Alignment([(0, 0), (1, 1)], possible=[(2, 2)]), Alignment([(0, 0)])]
    pred = [
        Alignment([(0, 0), (2, 2), (1, 2)], scores={(0, 0): 0.9, (2, 2): 0.5, (1, 2): 0.2}),
        Alignment([(0, 0)], scores={(0, 0): 0.4}),
    ]
    curve = sweep_thresholds(gold, pred, [0.8, 0.1, 0.5, 0.5])
    # t=0.1: A = all 4, |A∩S| = 2, |A∩P| = 3: P 3/4, R 2/3, AER 1 - 5/7.
    # t=0.5: A = {0-0, 2-2}: |A∩S| = 1, |A∩P| = 2: P 1, R 1/3, AER 1 - 3/5.
    # t=0.8: A = {0-0}: P 1, R 1/3, AER 1 - 2/4.
    got = [
        (r.threshold, r.result.pred_links, r.result.a_and_s, r.result.a_and_p) for r in curve.rows
    ]
    assert got == [(0.1, 4, 2, 3), (0.5, 2, 1, 2), (0.8, 1, 1, 1)]
    assert [r.result.precision for r in curve.rows] == pytest.approx([0.75, 1.0, 1.0])
    assert [r.result.recall for r in curve.rows] == pytest.approx([2 / 3, 1 / 3, 1 / 3])
    assert [r.result.aer for r in curve.rows] == pytest.approx([2 / 7, 0.4, 0.5])
    assert curve.best().threshold == 0.1
    data = curve.to_dict()
    assert [row["threshold"] for row in data["rows"]] == [0.1, 0.5, 0.8]
    assert data["best"]["threshold"] == 0.1
    assert data["best"]["aer"] == pytest.approx(2 / 7)
    assert data["rows"][1]["pred_links"] == 2
    lines = curve.format().splitlines()
    assert lines[0].split() == ["threshold", "precision", "recall", "f1", "aer", "links"]
    assert lines[1].split() == ["0.1", "0.7500", "0.6667", "0.7059", "0.2857", "4"]
    assert lines[-1].startswith("best threshold by AER: 0.1 (precision 0.7500")


def test_threshold_best_ties_go_to_the_lowest_threshold() -> None:
    gold = [Alignment([(0, 0)])]
    pred = [Alignment([(0, 0)], scores={(0, 0): 0.9})]
    assert sweep_thresholds(gold, pred, [0.7, 0.2, 0.5]).best().threshold == 0.2


def test_threshold_errors() -> None:
    gold = [Alignment([(0, 0)]), Alignment()]
    scored = [Alignment([(0, 0)], scores={(0, 0): 0.5}), Alignment()]
    with pytest.raises(LengthMismatchError):
        sweep_thresholds(gold, scored[:1], [0.5], "g.txt", "p.txt")
    with pytest.raises(ValueError, match="no thresholds"):
        sweep_thresholds(gold, scored, [])
    unscored = [Alignment(), Alignment([(1, 2)])]
    with pytest.raises(ValueError, match=r"p\.txt: sentence pair 1: link 1-2 has no score"):
        sweep_thresholds(gold, unscored, [0.5], "g.txt", "p.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.05:0.95:0.05", [round(0.05 * k, 2) for k in range(1, 20)]),
        ("0:1:0.25", [0.0, 0.25, 0.5, 0.75, 1.0]),
        ("0.5:0.5:0.1", [0.5]),
        ("0.1, 0.5,0.9", [0.1, 0.5, 0.9]),
        ("0.3", [0.3]),
    ],
)
def test_threshold_parse(text: str, expected: list[float]) -> None:
    assert parse_thresholds(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b", "bad thresholds 'a,b'"),
        ("0.1:0.9", "bad thresholds '0.1:0.9'"),
        ("0.9:0.1:0.1", "bad thresholds"),
        ("0:1:0", "bad thresholds"),
        ("0:1:-0.1", "bad thresholds"),
        (",", "no thresholds"),
        ("0.5,1.5", "threshold 1.5 in '0.5,1.5' is outside [0, 1]"),
        ("0:1:0.00001", "more than 10000"),
    ],
)
def test_threshold_parse_errors(text: str, message: str) -> None:
    with pytest.raises(WordalignError, match=re.escape(message)):
        parse_thresholds(text)


def test_threshold_plot_svg_and_png() -> None:
    pytest.importorskip("matplotlib", reason="plots need the 'plot' extra (matplotlib)")
    gold, pred = _random_corpus(0, n=10)
    curve = sweep_thresholds(gold, pred, parse_thresholds("0.1:0.9:0.1"))
    svg = render_threshold_curve(curve, "svg")
    assert svg.lstrip().startswith(b"<?xml")
    assert b"<svg" in svg
    assert render_threshold_curve(curve, "svg") == svg  # the same bytes every time
    assert render_threshold_curve(curve, "png").startswith(b"\x89PNG")


def test_threshold_plot_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    curve = sweep_thresholds([Alignment()], [Alignment()], [0.5])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes the import fail
    with pytest.raises(MissingDependencyError, match=r"pip install 'wordalign\[plot\]'"):
        render_threshold_curve(curve, "svg")
