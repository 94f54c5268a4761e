"""Pictures of evaluation results: precision, recall, F1 and AER against the threshold.

Drawn with matplotlib, an optional dependency (``pip install 'wordalign[plot]'``), imported
only when a picture is asked for. The functions return the file's bytes; writing it is the
caller's business.
"""

from __future__ import annotations

import importlib
import io
from typing import Literal

from wordalign.errors import MissingDependencyError
from wordalign.evaluation.threshold import ThresholdCurve

__all__ = ["PLOT_FORMATS", "render_threshold_curve"]

PlotFormat = Literal["svg", "png"]
PLOT_FORMATS: tuple[PlotFormat, ...] = ("svg", "png")

_SERIES = (
    ("precision", "#1f77b4", "-"),
    ("recall", "#2ca02c", "-"),
    ("f1", "#7f7f7f", ":"),
    ("aer", "#d62728", "-"),
)


def render_threshold_curve(curve: ThresholdCurve, fmt: PlotFormat = "svg") -> bytes:
    """Precision, recall, F1 and AER against the threshold, the best threshold (AER) marked.

    Raises:
        MissingDependencyError: when matplotlib is not installed.
        ValueError: for a format other than ``svg`` or ``png``.
    """
    if fmt not in PLOT_FORMATS:
        raise ValueError(f"unknown plot format {fmt!r}; choose one of: {', '.join(PLOT_FORMATS)}")
    try:  # imported by name: matplotlib is optional, and its types stay out of ours
        matplotlib = importlib.import_module("matplotlib")
        figure_module = importlib.import_module("matplotlib.figure")
    except ImportError:
        raise MissingDependencyError(
            "drawing a plot needs matplotlib: pip install 'wordalign[plot]'"
        ) from None
    thresholds = [row.threshold for row in curve.rows]
    best = curve.best()
    # A Figure without pyplot: no global state, no GUI backend, nothing to close.
    fig = figure_module.Figure(figsize=(7.2, 4.4), dpi=100)
    ax = fig.subplots()
    for name, colour, style in _SERIES:
        values = [getattr(row.result, name) for row in curve.rows]
        ax.plot(
            thresholds, values, linestyle=style, marker="o", markersize=3, color=colour, label=name
        )
    ax.axvline(best.threshold, color="#d62728", linestyle="--", linewidth=0.8)
    ax.annotate(
        f"best AER {best.result.aer:.4f} at {best.threshold:g}",
        xy=(best.threshold, best.result.aer),
        xytext=(6, -14),
        textcoords="offset points",
        fontsize=8,
        color="#d62728",
    )
    ax.set_xlabel("threshold (links with score ≥ threshold kept)")
    ax.set_ylabel("score")
    ax.set_ylim(-0.02, 1.02)  # lines at 0 and 1 stay visible
    ax.set_title("Precision, recall, F1 and AER against the threshold")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    buffer = io.BytesIO()
    # A fixed hash salt and no date make the SVG the same bytes for the same curve.
    with matplotlib.rc_context({"svg.hashsalt": "wordalign"}):
        fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: PlotFormat) -> dict[str, str | None]:
    if fmt == "svg":
        return {"Date": None, "Creator": "wordalign"}
    return {"Software": "wordalign"}
