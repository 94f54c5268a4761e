"""Precision, recall, F1 and AER of scored alignments at every threshold of a sweep.

An aligner that outputs link probabilities (posteriors, awesome-align's ``--output_prob``) leaves
the threshold to the user: keeping the links whose score is at least ``t`` trades recall (low
``t``) for precision (high ``t``). :func:`sweep_thresholds` scores the predictions at many
thresholds at once and :meth:`ThresholdCurve.best` picks the one with the lowest AER.

The scores at threshold ``t`` are exactly those of :func:`~wordalign.evaluation.metrics.evaluate`
on the predictions cut at ``t`` (every link with score ≥ ``t`` kept, Sure or Possible alike, as
the metric only sees the set of predicted links). They are computed without building those
alignments: the scores of the predicted links, of those among them in S and of those in P are
collected once and sorted, and a binary search per threshold counts the scores ≥ ``t`` in each,
which gives |A|, |A ∩ S| and |A ∩ P| (|S| and |P| do not depend on the threshold). A sweep of
any number of thresholds over 100k sentence pairs of 20 links takes about a second.

A threshold that an aligner compares with ``>`` (awesome-align's) is swept with ``strict=True``,
and a second setting that changes the scores themselves (awesome-align's softmax temperature)
gives one curve per value: :class:`ThresholdCurves` picks the best pair of the two.

Example:
    >>> from wordalign.types import Alignment
    >>> gold = [Alignment([(0, 0), (1, 1)])]
    >>> pred = [Alignment([(0, 0), (1, 1), (1, 0)], scores={(0, 0): 0.9, (1, 1): 0.6, (1, 0): 0.3})]
    >>> curve = sweep_thresholds(gold, pred, [0.2, 0.5, 0.8])
    >>> [(row.threshold, row.result.pred_links, round(row.result.aer, 4)) for row in curve.rows]
    [(0.2, 3, 0.2), (0.5, 2, 0.0), (0.8, 1, 0.3333)]
    >>> curve.best().threshold
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.evaluation.metrics import AERResult, AERStats
from wordalign.types import Alignment

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ThresholdCurve",
    "ThresholdCurves",
    "ThresholdRow",
    "parse_thresholds",
    "sweep_thresholds",
]

DEFAULT_THRESHOLDS = "0.05:0.95:0.05"
"""The thresholds of ``wordalign eval --sweep`` when ``--thresholds`` is not given."""

# More thresholds than this is a typo in a step ("0:1:0.00001"), not a useful curve.
_MAX_THRESHOLDS = 10_000


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """The scores of the predictions cut at one threshold (links with score ≥ ``threshold``, or
    > ``threshold`` in a strict sweep)."""

    threshold: float
    result: AERResult

    def to_dict(self) -> dict[str, float | int]:
        """``threshold`` and the keys of :meth:`AERResult.to_dict`."""
        return {"threshold": self.threshold, **self.result.to_dict()}


@dataclass(frozen=True, slots=True)
class ThresholdCurve:
    """The rows of a threshold sweep, in increasing order of threshold."""

    rows: tuple[ThresholdRow, ...]

    def best(self) -> ThresholdRow:
        """The row with the lowest AER; of equal ones, the lowest threshold."""
        return min(self.rows, key=lambda row: row.result.aer)

    def to_dict(self) -> dict[str, Any]:
        """``{"rows": [...], "best": {...}}``, each row as :meth:`ThresholdRow.to_dict`."""
        return {"rows": [row.to_dict() for row in self.rows], "best": self.best().to_dict()}

    def format(self, digits: int = 4) -> str:
        """A table for people (one row per threshold), then the best threshold by AER."""
        header = ("threshold", "precision", "recall", "f1", "aer", "links")
        table: list[list[str]] = [list(header)]
        for row in self.rows:
            r = row.result
            scores = (r.precision, r.recall, r.f1, r.aer)
            table.append(
                [f"{row.threshold:g}", *(f"{v:.{digits}f}" for v in scores), str(r.pred_links)]
            )
        widths = [max(len(cells[c]) for cells in table) for c in range(len(header))]
        lines = [
            "  ".join(cell.rjust(w) for cell, w in zip(cells, widths, strict=True))
            for cells in table
        ]
        best = self.best()
        r = best.result
        lines.append(
            f"best threshold by AER: {best.threshold:g} (precision {r.precision:.{digits}f}, "
            f"recall {r.recall:.{digits}f}, f1 {r.f1:.{digits}f}, aer {r.aer:.{digits}f}, "
            f"{r.pred_links} links)"
        )
        return "\n".join(lines)


def parse_thresholds(text: str) -> list[float]:
    """Thresholds from ``"START:STOP:STEP"`` (both ends included) or a list ``"0.1,0.5,0.9"``.

    List items may be ranges too: ``"0.001,0.01,0.05:0.95:0.05"``.

    Raises:
        WordalignError: for a malformed range or list, or a threshold outside [0, 1].
    """
    expected = "expected START:STOP:STEP like 0.05:0.95:0.05, or a list like 0.1,0.5,0.9"
    values: list[float] = []
    try:
        for part in text.split(","):
            if ":" in part:
                values.extend(_parse_range(part))
            elif part.strip():
                values.append(float(part))
    except ValueError:
        raise WordalignError(f"bad thresholds {text!r} ({expected})") from None
    if len(values) > _MAX_THRESHOLDS:
        raise WordalignError(
            f"thresholds {text!r} are {len(values)}, more than {_MAX_THRESHOLDS}: is STEP right?"
        )
    if not values:
        raise WordalignError(f"no thresholds in {text!r} ({expected})")
    for value in values:
        if not 0.0 <= value <= 1.0:
            raise WordalignError(f"threshold {value:g} in {text!r} is outside [0, 1]")
    return values


def _parse_range(text: str) -> list[float]:
    start, stop, step = (float(part) for part in text.split(":"))
    if not (math.isfinite(start + stop + step) and step > 0 and start <= stop):
        raise ValueError(text)
    # The tolerance keeps STOP when (STOP - START) / STEP is whole in decimal but not quite in
    # binary (0.95 - 0.05 = 0.8999...).
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > _MAX_THRESHOLDS:
        raise WordalignError(
            f"thresholds {text!r} are {count}, more than {_MAX_THRESHOLDS}: is STEP right?"
        )
    # Rounded so that 0.05 + 2 * 0.05 is written 0.15, not 0.15000000000000002.
    return [round(start + k * step, 12) for k in range(count)]


def sweep_thresholds(
    gold: Sequence[Alignment],
    pred: Sequence[Alignment],
    thresholds: Iterable[float],
    gold_name: str = "gold",
    pred_name: str = "predictions",
    *,
    strict: bool = False,
) -> ThresholdCurve:
    """Corpus-level scores of ``pred`` against ``gold`` at every threshold.

    Args:
        gold: one gold alignment per sentence pair (Sure and Possible links).
        pred: one scored alignment per sentence pair: every link must have a score.
        thresholds: the thresholds (any order; duplicates are scored once).
        gold_name: how the gold appears in error messages (a file name, for example).
        pred_name: how the predictions appear in error messages.
        strict: keep the links whose score exceeds the threshold (``>``), as an aligner that
            links pairs above a threshold does, instead of those that reach it (``>=``).

    Returns:
        One row per threshold, in increasing order.

    Raises:
        LengthMismatchError: when ``gold`` and ``pred`` have different lengths.
        ValueError: for no thresholds, a NaN threshold or score, or a predicted link without
            a score (naming its 0-based sentence pair).
    """
    if len(gold) != len(pred):
        raise LengthMismatchError(gold_name, len(gold), pred_name, len(pred))
    values = sorted(set(float(t) for t in thresholds))
    if not values:
        raise ValueError("no thresholds to sweep")
    if any(math.isnan(t) for t in values):
        raise ValueError("a threshold is NaN")
    # The scores of the predicted links, of those in S and of those in P: at threshold t,
    # |A|, |A ∩ S| and |A ∩ P| count the scores >= t in each list.
    pred_scores: list[float] = []
    sure_scores: list[float] = []
    possible_scores: list[float] = []
    n_sure = n_possible = 0
    for index, (g, p) in enumerate(zip(gold, pred, strict=True)):
        n_sure += len(g.sure)
        n_possible += len(g.possible)
        links = p.possible
        if not links:
            continue
        scores = p.scores if p.scores is not None else {}
        if not scores.keys() >= links:
            i, j = min(link for link in links if link not in scores)
            raise ValueError(f"{pred_name}: sentence pair {index}: link {i}-{j} has no score")
        get = scores.__getitem__
        # Set intersections and map() keep the per-link work in C (a Python loop over the
        # links would cost several times more on a large corpus).
        pred_scores.extend(scores.values() if len(scores) == len(links) else map(get, links))
        sure_scores.extend(map(get, links & g.sure))
        possible_scores.extend(map(get, links & g.possible))
    kept = [
        _count_kept(values, group, strict) for group in (pred_scores, sure_scores, possible_scores)
    ]
    rows = []
    for k, t in enumerate(values):
        stats = AERStats(
            a_and_s=kept[1][k],
            a_and_p=kept[2][k],
            pred=kept[0][k],
            sure=n_sure,
            possible=n_possible,
            sentences=len(gold),
        )
        rows.append(ThresholdRow(t, stats.result()))
    return ThresholdCurve(tuple(rows))


def _count_kept(thresholds: list[float], scores: list[float], strict: bool) -> list[int]:
    """For every threshold, how many of ``scores`` are >= it (> it when ``strict``)."""
    array = np.sort(np.asarray(scores, dtype=np.float64))
    if np.isnan(array).any():
        raise ValueError("a link score is NaN")
    first = np.searchsorted(array, thresholds, side="right" if strict else "left")
    return [len(array) - int(k) for k in first]


@dataclass(frozen=True, slots=True)
class ThresholdCurves:
    """One threshold curve per value of a second setting (awesome-align's temperature).

    Attributes:
        name: what the values are (``temperature``), for tables and JSON.
        curves: ``(value, curve)`` pairs, in the order swept.

    Example:
        >>> from wordalign.types import Alignment
        >>> gold = [Alignment([(0, 0)])]
        >>> flat = [Alignment([(0, 0), (0, 1)], scores={(0, 0): 0.6, (0, 1): 0.4})]
        >>> sharp = [Alignment([(0, 0), (0, 1)], scores={(0, 0): 0.9, (0, 1): 0.1})]
        >>> curves = ThresholdCurves("temperature", (
        ...     (1.0, sweep_thresholds(gold, flat, [0.5])),
        ...     (0.1, sweep_thresholds(gold, sharp, [0.5, 0.95])),
        ... ))
        >>> value, row = curves.best()
        >>> value, row.threshold, row.result.aer
        (1.0, 0.5, 0.0)
    """

    name: str
    curves: tuple[tuple[float, ThresholdCurve], ...]

    def __post_init__(self) -> None:
        if not self.curves:
            raise ValueError(f"no {self.name} values to compare")

    def best(self) -> tuple[float, ThresholdRow]:
        """The value and row with the lowest AER; of equal ones, the first value swept (and its
        lowest threshold)."""
        bests = [(value, curve.best()) for value, curve in self.curves]
        return min(bests, key=lambda pair: pair[1].result.aer)

    def best_curve(self) -> ThresholdCurve:
        """The curve of the best value (:meth:`best`)."""
        value = self.best()[0]
        return next(curve for v, curve in self.curves if v == value)

    def to_dict(self) -> dict[str, Any]:
        """``{"curves": [{NAME: value, "rows": [...], "best": {...}}, ...], "best": {NAME: value,
        "threshold": ..., scores}}``."""
        value, row = self.best()
        return {
            "curves": [{self.name: v, **curve.to_dict()} for v, curve in self.curves],
            "best": {self.name: value, **row.to_dict()},
        }

    def format(self, digits: int = 4) -> str:
        """The best threshold of every value, then the whole curve of the best value."""
        header = (self.name, "threshold", "precision", "recall", "f1", "aer", "links")
        table: list[list[str]] = [list(header)]
        for value, curve in self.curves:
            row = curve.best()
            r = row.result
            scores = (r.precision, r.recall, r.f1, r.aer)
            table.append(
                [f"{value:g}", f"{row.threshold:g}"]
                + [f"{v:.{digits}f}" for v in scores]
                + [str(r.pred_links)]
            )
        widths = [max(len(cells[c]) for cells in table) for c in range(len(header))]
        lines = [f"best threshold for each {self.name}:"]
        lines += [
            "  ".join(cell.rjust(w) for cell, w in zip(cells, widths, strict=True))
            for cells in table
        ]
        value, row = self.best()
        lines += ["", f"{self.name} {value:g}:", self.best_curve().format(digits)]
        lines.append(f"best: {self.name} {value:g}, threshold {row.threshold:g}")
        return "\n".join(lines)
