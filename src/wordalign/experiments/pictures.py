"""Alignment pictures: one sentence pair as a matrix, gold links shaded, two systems overlaid.

Drawn like Figures 7-9 of Dolev (2023), which used an altered copy of SimAlign's
``scripts/visualize.py``: source words label the rows, target words the columns; gold Sure links
are dark grey cells and Possible-only links light grey; the first system's links are boxes and
the second's circles, so hits (a mark on a grey cell), misses (grey without a mark) and false
links (a mark on white) can be read off at once. Each system's precision, recall and AER on
this one sentence are given in the legend.

SVG is written without any dependency; PNG needs matplotlib (``pip install wordalign[plot]``),
as for the learning-curve plot, and :func:`render_alignment_png` returns ``None`` without it.

:func:`render_layer_plot` draws a layer sweep (AER against the hidden state, one line per
method and level), as SVG or PNG, with matplotlib.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.experiments.layers import LayerSweep

__all__ = [
    "LAYER_METHOD_COLOURS",
    "SYSTEM_COLOURS",
    "render_alignment_png",
    "render_alignment_svg",
    "render_layer_plot",
    "sentence_scores",
]

SURE_FILL = "#8c8c8c"
POSSIBLE_FILL = "#d9d9d9"
SYSTEM_COLOURS = ("#2ca02c", "#1f77b4")
"""Colours of the first (boxes) and second (circles) system."""

_CELL = 20
_CHAR = 7.2  # average width of a 12 px sans-serif character, for the margins


def sentence_scores(gold: Alignment, pred: Alignment) -> tuple[float, float, float]:
    """Precision, recall and AER of ``pred`` on this one sentence pair."""
    from wordalign.evaluation.metrics import evaluate

    result = evaluate([gold], [pred])
    return result.precision, result.recall, result.aer


def _legend(name: str, gold: Alignment, pred: Alignment) -> str:
    p, r, aer = sentence_scores(gold, pred)
    return f"{name}: P {p:.2f} R {r:.2f} AER {aer:.2f}"


def render_alignment_svg(
    pair: SentencePair,
    gold: Alignment,
    systems: Sequence[tuple[str, Alignment]],
    title: str = "",
) -> str:
    """The picture as an SVG document.

    Args:
        pair: The sentence pair (source words are rows, target words columns).
        gold: Its gold alignment (Sure and Possible links shaded).
        systems: Up to two ``(name, alignment)``: the first drawn as boxes, the second as circles.
        title: A line above the matrix.

    Raises:
        ValueError: for more than two systems.
    """
    if len(systems) > 2:
        raise ValueError(f"at most two systems can be drawn, not {len(systems)}")
    n_src, n_tgt = len(pair.src), len(pair.tgt)
    left = 12 + _CHAR * max((len(w) for w in pair.src), default=1)
    top = 40 + _CHAR * max((len(w) for w in pair.tgt), default=1)
    legend_h = 22 * (len(systems) + 2) + 10
    width = max(left + n_tgt * _CELL + 20, 460.0)
    height = top + n_src * _CELL + legend_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    if title:
        out.append(f'<text x="10" y="18" font-size="14">{html.escape(title)}</text>')
    for (i, j), fill in [
        *((link, POSSIBLE_FILL) for link in sorted(gold.possible - gold.sure)),
        *((link, SURE_FILL) for link in sorted(gold.sure)),
    ]:
        if i < n_src and j < n_tgt:
            out.append(
                f'<rect x="{left + j * _CELL:.1f}" y="{top + i * _CELL:.1f}" width="{_CELL}" '
                f'height="{_CELL}" fill="{fill}"/>'
            )
    for k in range(n_src + 1):  # grid
        y = top + k * _CELL
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + n_tgt * _CELL:.1f}" y2="{y:.1f}" '
            'stroke="#e0e0e0"/>'
        )
    for k in range(n_tgt + 1):
        x = left + k * _CELL
        out.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + n_src * _CELL:.1f}" '
            'stroke="#e0e0e0"/>'
        )
    for i, word in enumerate(pair.src):
        out.append(
            f'<text x="{left - 6:.1f}" y="{top + i * _CELL + 14:.1f}" text-anchor="end">'
            f"{html.escape(word)}</text>"
        )
    for j, word in enumerate(pair.tgt):
        x, y = left + j * _CELL + 14, top - 6
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate(-90 {x:.1f} {y:.1f})">'
            f"{html.escape(word)}</text>"
        )
    for index, (_, alignment) in enumerate(systems):
        colour = SYSTEM_COLOURS[index]
        for i, j in sorted(alignment.possible):
            if not (i < n_src and j < n_tgt):
                continue
            cx, cy = left + (j + 0.5) * _CELL, top + (i + 0.5) * _CELL
            if index == 0:
                out.append(
                    f'<rect x="{cx - 7:.1f}" y="{cy - 7:.1f}" width="14" height="14" '
                    f'fill="none" stroke="{colour}" stroke-width="2.5"/>'
                )
            else:
                out.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="none" stroke="{colour}" '
                    'stroke-width="2.5"/>'
                )
    y = top + n_src * _CELL + 26
    for index, (name, alignment) in enumerate(systems):
        colour = SYSTEM_COLOURS[index]
        mark = (
            f'<rect x="12" y="{y - 11:.1f}" width="12" height="12" fill="none" '
            f'stroke="{colour}" stroke-width="2.5"/>'
            if index == 0
            else f'<circle cx="18" cy="{y - 5:.1f}" r="5" fill="none" stroke="{colour}" '
            'stroke-width="2.5"/>'
        )
        out.append(
            f'{mark}<text x="32" y="{y:.1f}">{html.escape(_legend(name, gold, alignment))}</text>'
        )
        y += 22
    out.append(
        f'<rect x="12" y="{y - 11:.1f}" width="12" height="12" fill="{SURE_FILL}"/>'
        f'<text x="32" y="{y:.1f}">gold Sure</text>'
        f'<rect x="112" y="{y - 11:.1f}" width="12" height="12" fill="{POSSIBLE_FILL}"/>'
        f'<text x="132" y="{y:.1f}">gold Possible</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_alignment_png(
    pair: SentencePair,
    gold: Alignment,
    systems: Sequence[tuple[str, Alignment]],
    title: str = "",
) -> bytes | None:
    """The same picture as PNG with matplotlib, or ``None`` when matplotlib is not installed.

    Raises:
        ValueError: for more than two systems.
    """
    import importlib

    if len(systems) > 2:
        raise ValueError(f"at most two systems can be drawn, not {len(systems)}")
    try:  # optional dependency (the "plot" extra); imported by name to stay untyped
        matplotlib = importlib.import_module("matplotlib")
        matplotlib.use("Agg")
        plt = importlib.import_module("matplotlib.pyplot")
        patches = importlib.import_module("matplotlib.patches")
        lines = importlib.import_module("matplotlib.lines")
    except ImportError:
        return None
    n_src, n_tgt = len(pair.src), len(pair.tgt)
    fig, ax = plt.subplots(
        figsize=(min(3.0 + 0.28 * n_tgt, 30.0), min(2.5 + 0.28 * n_src, 30.0)), dpi=100
    )
    for (i, j), fill in [
        *((link, POSSIBLE_FILL) for link in sorted(gold.possible - gold.sure)),
        *((link, SURE_FILL) for link in sorted(gold.sure)),
    ]:
        if i < n_src and j < n_tgt:
            ax.add_patch(patches.Rectangle((j - 0.5, i - 0.5), 1, 1, color=fill, lw=0))
    handles = []
    for index, (name, alignment) in enumerate(systems):
        colour = SYSTEM_COLOURS[index]
        links = [(i, j) for i, j in sorted(alignment.possible) if i < n_src and j < n_tgt]
        marker = "s" if index == 0 else "o"
        size = 11 if index == 0 else 6
        ax.plot(
            [j for _, j in links],
            [i for i, _ in links],
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor="none",
            markeredgecolor=colour,
            markeredgewidth=2,
        )
        handles.append(
            lines.Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markerfacecolor="none",
                markeredgecolor=colour,
                markeredgewidth=2,
                label=_legend(name, gold, alignment),
            )
        )
    handles.append(patches.Patch(color=SURE_FILL, label="gold Sure"))
    handles.append(patches.Patch(color=POSSIBLE_FILL, label="gold Possible"))
    ax.set_xlim(-0.5, n_tgt - 0.5)
    ax.set_ylim(n_src - 0.5, -0.5)
    ax.set_xticks(range(n_tgt), list(pair.tgt), rotation=90)
    ax.set_yticks(range(n_src), list(pair.src))
    ax.xaxis.tick_top()
    ax.set_xticks([x - 0.5 for x in range(n_tgt + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(n_src + 1)], minor=True)
    ax.grid(which="minor", color="#e0e0e0")
    ax.tick_params(which="minor", length=0)
    ax.set_aspect("equal")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.02), frameon=False)
    if title:
        ax.set_title(title, pad=12)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


LAYER_METHOD_COLOURS = {
    "argmax": "#1f77b4",
    "itermax": "#2ca02c",
    "match": "#d62728",
    "awesome": "#9467bd",
}
"""Line colour of each method in the layer plot (the level is the line style)."""

_LEVEL_STYLES = {"subword": "-", "word": "--"}
_MODEL_MARKERS = ("o", "s", "^", "D", "v")


def render_layer_plot(sweep: LayerSweep, fmt: Literal["svg", "png"] = "svg") -> bytes | None:
    """AER against the layer, one line per model, method and level, the best layer of each
    marked, and the paper's mBERT AERs at layer 8 (Tables 5 and 2) as crosses.

    Drawn with matplotlib (SVG bytes are the same for the same sweep: fixed hash salt, no
    date); ``None`` when matplotlib is not installed.

    Raises:
        ValueError: for a format other than ``svg`` or ``png``.
    """
    import importlib
    from pathlib import Path

    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown plot format {fmt!r}; choose one of: svg, png")
    try:  # optional dependency (the "plot" extra); imported by name to stay untyped
        matplotlib = importlib.import_module("matplotlib")
        figure_module = importlib.import_module("matplotlib.figure")
    except ImportError:
        return None
    # A Figure without pyplot: no global state, no GUI backend, nothing to close.
    fig = figure_module.Figure(figsize=(8.0, 4.8), dpi=100)
    ax = fig.subplots()
    models = list(dict.fromkeys(r.model for r in sweep.results))
    best = sweep.best()
    papers: dict[tuple[str, str], float] = {}
    for system, rows in sweep.series().items():
        first = rows[0]
        colour = LAYER_METHOD_COLOURS.get(first.method, "#7f7f7f")
        marker = _MODEL_MARKERS[models.index(first.model) % len(_MODEL_MARKERS)]
        model_name = Path(first.model).name or first.model
        label = first.method if first.method == "awesome" else f"{first.method} {first.level}"
        if len(models) > 1:
            label = f"{model_name} {label}"
        ax.plot(
            [r.layer for r in rows],
            [r.aer for r in rows],
            linestyle=_LEVEL_STYLES.get(first.level, "-"),
            marker=marker,
            markersize=3.5,
            color=colour,
            label=label,
        )
        top = best[system]
        ax.plot([top.layer], [top.aer], marker=marker, markersize=8, color=colour, alpha=0.35)
        paper = first.paper("mbert")
        if paper is not None:
            papers[(first.method, first.level)] = paper.aer
    for (method, level), aer in papers.items():
        ax.plot(
            [8],
            [aer],
            linestyle="none",
            marker="x",
            markersize=7,
            color=LAYER_METHOD_COLOURS.get(method, "#7f7f7f"),
            label=f"paper mBERT {method}" + ("" if method == "awesome" else f" {level}"),
        )
    ax.set_xticks(sweep.layers)
    ax.set_xlabel("layer (hidden state; 0 = embeddings)")
    ax.set_ylabel("AER (lower is better)")
    ax.set_title(f"AER against the layer ({sweep.n_pairs} DE-RM gold pairs); big dot = best layer")
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    buffer = io.BytesIO()
    metadata = {"Date": None, "Creator": "wordalign"} if fmt == "svg" else {"Software": "wordalign"}
    with matplotlib.rc_context({"svg.hashsalt": "wordalign"}):
        fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()
