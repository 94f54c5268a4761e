"""Learning-curve experiment: alignment quality of statistical aligners against training size.

Reproduces Table 4 and Figures 4-5 of Dolev (2023), "Does mBERT understand Romansh? Evaluating
word embeddings using word alignment" (SwissText): each aligner is trained on the gold-standard
sentence pairs first, followed by the first ``N`` pairs of the DE-RM corpus, and the alignments
of the gold pairs are scored (precision, recall, F1, AER). The paper used the 600 gold pairs;
wordalign ships the evaluation for the development half (300 pairs), so absolute numbers differ
somewhat at small sizes.

Results are written as Markdown, CSV and JSON beside the paper's numbers, and plotted as SVG
(no dependency) and, when matplotlib is installed (``pip install wordalign[plot]``), PNG.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wordalign.errors import WordalignError
from wordalign.types import Alignment, SentencePair

__all__ = [
    "METHOD_COLOURS",
    "PAPER_TABLE4",
    "CurvePoint",
    "PaperRow",
    "method_colour",
    "parse_sizes",
    "render_csv",
    "render_markdown",
    "render_svg",
    "run_learning_curve",
    "write_results",
]

ALL = -1
"""Size value meaning "every corpus pair"."""


@dataclass(frozen=True, slots=True)
class PaperRow:
    """One row of Table 4 of Dolev (2023)."""

    label: str
    size: int
    precision: float
    recall: float
    aer: float


# Table 4 of Dolev (2023). The paper's sizes count sentence pairs added to its 600 gold pairs:
# "600" is the gold alone (size 0 here) and "100k" every extracted pair (106,691; ALL here).
_PAPER_SIZES: tuple[tuple[str, int], ...] = (
    ("600", 0),
    ("1k", 1000),
    ("5k", 5000),
    ("10k", 10000),
    ("25k", 25000),
    ("50k", 50000),
    ("75k", 75000),
    ("100k", ALL),
)
_PAPER_SCORES = {
    "fastalign": (
        (0.515, 0.644, 0.427),
        (0.526, 0.662, 0.414),
        (0.561, 0.704, 0.375),
        (0.579, 0.725, 0.356),
        (0.601, 0.750, 0.332),
        (0.615, 0.768, 0.317),
        (0.626, 0.781, 0.305),
        (0.625, 0.787, 0.307),
    ),
    "eflomal": (
        (0.707, 0.724, 0.284),
        (0.732, 0.742, 0.263),
        (0.776, 0.780, 0.222),
        (0.798, 0.805, 0.199),
        (0.812, 0.836, 0.176),
        (0.828, 0.850, 0.161),
        (0.827, 0.856, 0.159),
        (0.831, 0.879, 0.146),
    ),
}
PAPER_TABLE4: dict[str, tuple[PaperRow, ...]] = {
    method: tuple(
        PaperRow(label, size, p, r, aer)
        for (label, size), (p, r, aer) in zip(_PAPER_SIZES, scores, strict=True)
    )
    for method, scores in _PAPER_SCORES.items()
}
"""Precision, recall and AER of fast_align and eflomal per training size (paper, Table 4)."""

DEFAULT_SIZES: tuple[int, ...] = (0, 1000, 5000, 10000, 25000, 50000, 75000, ALL)
DEFAULT_METHODS: tuple[str, ...] = ("fastalign", "eflomal")


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The scores of one method trained on the gold pairs plus ``size`` corpus pairs.

    Attributes:
        method: registry name of the aligner.
        size: corpus pairs added to the gold pairs (all of them for the last point).
        label: ``"gold"``, ``"1k"``, ..., or ``"all"``.
        train_pairs: sentence pairs trained on (gold included).
        precision, recall, f1, aer: scores on the gold pairs.
        seconds: wall time of training and aligning.
        paper: the paper's row for that size and method, when it has one.
    """

    method: str
    size: int
    label: str
    train_pairs: int
    precision: float
    recall: float
    f1: float
    aer: float
    seconds: float
    paper: PaperRow | None


def parse_sizes(text: str) -> list[int]:
    """Sizes from ``"0,1k,5000,all"`` (``k`` = thousand; ``all`` = every pair).

    Raises:
        WordalignError: on a value that is not a non-negative count, ``Nk`` or ``all``.
    """
    sizes: list[int] = []
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "all":
            sizes.append(ALL)
            continue
        factor = 1000 if item.endswith("k") else 1
        number = item[:-1] if factor > 1 else item
        try:
            value = float(number) * factor
        except ValueError:
            value = -1.0
        if value < 0 or value != int(value):
            raise WordalignError(
                f"bad size {raw.strip()!r} (expected a count like 5000, 5k or all)"
            )
        sizes.append(int(value))
    if not sizes:
        raise WordalignError("no sizes given")
    return sizes


def _label(size: int, n_corpus: int) -> str:
    if size == 0:
        return "gold"
    if size >= n_corpus:
        return "all"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _paper_row(method: str, size: int, n_corpus: int) -> PaperRow | None:
    for row in PAPER_TABLE4.get(method, ()):
        if row.size == size or (row.size == ALL and size >= n_corpus):
            return row
    return None


def run_learning_curve(
    gold_pairs: Sequence[SentencePair],
    gold: Sequence[Alignment],
    corpus: Sequence[SentencePair],
    sizes: Sequence[int] = DEFAULT_SIZES,
    methods: Sequence[str] = DEFAULT_METHODS,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
    on_point: Callable[[CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    """Train every method on ``gold_pairs + corpus[:size]`` for every size; score the gold.

    Each run aligns its whole training set with ``fit_align`` and scores the first
    ``len(gold_pairs)`` alignments, as the paper did. Every method is compiled and warmed up
    on the gold pairs before its first run, so wall times leave JIT compilation out.

    Args:
        gold_pairs: the sentence pairs of the gold standard.
        gold: their gold alignments.
        corpus: further sentence pairs, in the order they are added.
        sizes: corpus pairs to add (:data:`ALL` or more = all); duplicates after capping are
            dropped.
        methods: registry names of the aligners.
        params: extra hyper-parameters per method.
        progress: show a progress bar over the runs.
        on_point: called with each point as soon as it is measured.

    Raises:
        LengthMismatchError: when ``gold_pairs`` and ``gold`` differ in length.
    """
    from wordalign._progress import progress as progress_bar
    from wordalign.errors import LengthMismatchError
    from wordalign.evaluation.metrics import evaluate
    from wordalign.registry import get_aligner_class

    if len(gold_pairs) != len(gold):
        raise LengthMismatchError(
            "gold sentence pairs", len(gold_pairs), "gold alignments", len(gold)
        )
    n_corpus = len(corpus)
    capped: list[int] = []
    for size in sizes:
        value = n_corpus if size == ALL or size > n_corpus else size
        if value not in capped:
            capped.append(value)
    params = params or {}
    gold_list = list(gold_pairs)

    def build(method: str) -> Any:
        cls = get_aligner_class(method)
        kwargs = dict(params.get(method, {}))
        if "progress" in cls._param_names():
            kwargs.setdefault("progress", False)
        return cls(**kwargs)

    runs = [(method, size) for method in methods for size in capped]
    points: list[CurvePoint] = []
    warm: set[str] = set()
    for method, size in progress_bar(
        runs, total=len(runs), desc="learning curve", enabled=progress
    ):
        if method not in warm:  # JIT compilation stays out of the timings
            build(method).fit_align(gold_list)
            warm.add(method)
        aligner = build(method)
        train = gold_list + list(corpus[:size])
        start = time.perf_counter()
        predicted = aligner.fit_align(train)
        seconds = time.perf_counter() - start
        result = evaluate(gold, predicted[: len(gold_list)])
        point = CurvePoint(
            method=method,
            size=size,
            label=_label(size, n_corpus),
            train_pairs=len(train),
            precision=result.precision,
            recall=result.recall,
            f1=result.f1,
            aer=result.aer,
            seconds=seconds,
            paper=_paper_row(method, size, n_corpus),
        )
        points.append(point)
        if on_point is not None:
            on_point(point)
    return points


# -- reports ------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


_SIZE_NOTES = {"gold": " (gold only)", "all": " (all)"}


def render_markdown(points: Sequence[CurvePoint]) -> str:
    """A Markdown table of the points beside the paper's Table 4."""
    lines = [
        "# Learning curve: statistical aligners on DE-RM",
        "",
        "Trained on the gold pairs followed by N corpus pairs; scored on the gold pairs. "
        "Paper: Dolev (2023), Table 4 (600 gold pairs; its 100k row is every extracted pair).",
        "",
        "| Method | N corpus pairs | Train pairs | P | R | F1 | AER | Time (s) "
        "| Paper size | Paper P | Paper R | Paper AER |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in points:
        paper = p.paper
        lines.append(
            f"| {p.method} | {p.size}{_SIZE_NOTES.get(p.label, '')} | {p.train_pairs} | "
            f"{p.precision:.3f} | {p.recall:.3f} | "
            f"{p.f1:.3f} | {p.aer:.3f} | {p.seconds:.1f} | "
            f"{paper.label if paper else '–'} | {_fmt(paper.precision if paper else None)} | "
            f"{_fmt(paper.recall if paper else None)} | {_fmt(paper.aer if paper else None)} |"
        )
    return "\n".join(lines) + "\n"


_CSV_FIELDS = (
    "method",
    "size",
    "label",
    "train_pairs",
    "precision",
    "recall",
    "f1",
    "aer",
    "seconds",
    "paper_size",
    "paper_precision",
    "paper_recall",
    "paper_aer",
)


def _flat(point: CurvePoint) -> dict[str, Any]:
    row = {k: v for k, v in asdict(point).items() if k != "paper"}
    paper = point.paper
    row["paper_size"] = paper.label if paper else ""
    row["paper_precision"] = paper.precision if paper else ""
    row["paper_recall"] = paper.recall if paper else ""
    row["paper_aer"] = paper.aer if paper else ""
    return row


def render_csv(points: Sequence[CurvePoint]) -> str:
    """The points as CSV, one row per (method, size), paper columns empty where it has none."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for point in points:
        writer.writerow(_flat(point))
    return buffer.getvalue()


def render_json(points: Sequence[CurvePoint]) -> str:
    """The points and the paper's whole Table 4 as JSON."""
    payload = {
        "points": [_flat(p) for p in points],
        "paper_table4": {m: [asdict(r) for r in rows] for m, rows in PAPER_TABLE4.items()},
    }
    return json.dumps(payload, indent=2) + "\n"


METHOD_COLOURS: dict[str, str] = {
    "fastalign": "#1f77b4",
    "eflomal": "#2ca02c",
    "ibm1": "#d62728",
}
"""Fixed colour of each statistical aligner, so that a method looks the same in every plot."""

# Colours for methods not in METHOD_COLOURS (none of which it uses, so that an unknown method is
# never mistaken for a known one).
_PALETTE = ("#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def method_colour(method: str) -> str:
    """The plot colour of a method: fixed, whatever the other methods of the plot and their order.

    Methods without an entry in :data:`METHOD_COLOURS` get a palette colour chosen by a checksum
    of their name (CRC-32, not ``hash()``, which changes from one process to the next).
    """
    known = METHOD_COLOURS.get(method)
    if known is not None:
        return known
    return _PALETTE[zlib.crc32(method.encode("utf-8")) % len(_PALETTE)]


def _series(points: Sequence[CurvePoint]) -> dict[str, list[CurvePoint]]:
    series: dict[str, list[CurvePoint]] = {}
    for p in points:
        series.setdefault(p.method, []).append(p)
    return series


def render_svg(points: Sequence[CurvePoint], width: int = 720, height: int = 440) -> str:
    """A line plot of AER against training size (ours solid, the paper's dashed), as SVG.

    The x axis is logarithmic in training pairs; the paper's points sit at its own sizes plus
    600 gold pairs (106,691 + 600 for its full set).
    """
    import math

    left, right, top, bottom = 70, 170, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    series = _series(points)
    xs: list[float] = [p.train_pairs for p in points]
    ys: list[float] = [p.aer for p in points]
    for method in series:
        for row in PAPER_TABLE4.get(method, ()):
            xs.append(600 + (106_691 if row.size == ALL else row.size))
            ys.append(row.aer)
    x_lo, x_hi = math.log10(max(min(xs), 1)), math.log10(max(max(xs), 2))
    if x_hi - x_lo < 1e-9:
        x_hi = x_lo + 1
    y_lo, y_hi = 0.0, max(0.5, math.ceil(max(ys) * 10) / 10)

    def px(x: float) -> float:
        return left + (math.log10(max(x, 1)) - x_lo) / (x_hi - x_lo) * plot_w

    def py(y: float) -> float:
        return top + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left + plot_w / 2}" y="22" text-anchor="middle" font-size="14">'
        "AER against training size (DE-RM)</text>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    tick = 10 ** math.floor(x_lo)
    while tick <= 10**x_hi * 1.0001:
        for mult in (1, 2, 5):
            x = tick * mult
            if 10**x_lo * 0.999 <= x <= 10**x_hi * 1.001:
                label = f"{x / 1000:g}k" if x >= 1000 else f"{x:g}"
                out.append(
                    f'<line x1="{px(x):.1f}" y1="{top + plot_h}" x2="{px(x):.1f}" '
                    f'y2="{top + plot_h + 5}" stroke="black"/>'
                    f'<text x="{px(x):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
                    f"{label}</text>"
                )
        tick *= 10
    steps = round((y_hi - y_lo) / 0.1)
    for k in range(steps + 1):
        y = y_lo + k * 0.1
        out.append(
            f'<line x1="{left - 5}" y1="{py(y):.1f}" x2="{left + plot_w}" y2="{py(y):.1f}" '
            f'stroke="#ddd"/><text x="{left - 8}" y="{py(y) + 4:.1f}" text-anchor="end">'
            f"{y:.1f}</text>"
        )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 15}" text-anchor="middle">'
        "sentence pairs trained on (log scale)</text>"
        f'<text x="18" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 18 {top + plot_h / 2})">AER (lower is better)</text>'
    )
    legend_y = top + 10
    for method, pts in series.items():
        colour = method_colour(method)
        ours = " ".join(f"{px(p.train_pairs):.1f},{py(p.aer):.1f}" for p in pts)
        out.append(f'<polyline points="{ours}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(
            f'<circle cx="{px(p.train_pairs):.1f}" cy="{py(p.aer):.1f}" r="3.5" fill="{colour}"/>'
            for p in pts
        )
        rows = PAPER_TABLE4.get(method, ())
        if rows:
            paper = " ".join(
                f"{px(600 + (106_691 if r.size == ALL else r.size)):.1f},{py(r.aer):.1f}"
                for r in rows
            )
            out.append(
                f'<polyline points="{paper}" fill="none" stroke="{colour}" stroke-width="1.5" '
                'stroke-dasharray="5,4"/>'
            )
        x0 = left + plot_w + 15
        out.append(
            f'<line x1="{x0}" y1="{legend_y}" x2="{x0 + 25}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2"/><text x="{x0 + 30}" y="{legend_y + 4}">{method}</text>'
        )
        legend_y += 18
        if rows:
            out.append(
                f'<line x1="{x0}" y1="{legend_y}" x2="{x0 + 25}" y2="{legend_y}" '
                f'stroke="{colour}" stroke-dasharray="5,4"/>'
                f'<text x="{x0 + 30}" y="{legend_y + 4}">{method} (paper)</text>'
            )
            legend_y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(points: Sequence[CurvePoint]) -> bytes | None:
    """The same plot as PNG with matplotlib, or ``None`` when matplotlib is not installed."""
    import importlib

    try:  # optional dependency (the "plot" extra); imported by name to stay untyped
        matplotlib = importlib.import_module("matplotlib")
        matplotlib.use("Agg")
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(7.2, 4.4), dpi=100)
    for method, pts in _series(points).items():
        colour = method_colour(method)
        ax.plot(
            [p.train_pairs for p in pts], [p.aer for p in pts], "o-", color=colour, label=method
        )
        rows = PAPER_TABLE4.get(method, ())
        if rows:
            ax.plot(
                [600 + (106_691 if r.size == ALL else r.size) for r in rows],
                [r.aer for r in rows],
                "--",
                color=colour,
                label=f"{method} (paper)",
            )
    ax.set_xscale("log")
    ax.set_xlabel("sentence pairs trained on (log scale)")
    ax.set_ylabel("AER (lower is better)")
    ax.set_title("AER against training size (DE-RM)")
    ax.grid(alpha=0.3)
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def write_results(
    points: Sequence[CurvePoint], out_dir: str | Path, overwrite: bool = False
) -> list[Path]:
    """Write ``learning_curve.{md,csv,json,svg}`` (and ``.png`` with matplotlib) into ``out_dir``.

    Returns:
        The files written.

    Raises:
        WordalignError: when a result file exists and ``overwrite`` is false.
    """
    from wordalign.io.files import atomic_write_bytes, atomic_write_text

    folder = Path(out_dir)
    names: tuple[str, ...] = tuple(
        f"learning_curve.{ext}" for ext in ("md", "csv", "json", "svg", "png")
    )
    if not overwrite:
        for name in names:
            if (folder / name).exists():
                raise WordalignError(f"{folder / name}: exists already (use --overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    texts = (render_markdown(points), render_csv(points), render_json(points), render_svg(points))
    for name, text in zip(names[:4], texts, strict=True):
        atomic_write_text(folder / name, text)
        written.append(folder / name)
    png = render_png(points)
    if png is not None:
        atomic_write_bytes(folder / names[4], png)
        written.append(folder / names[4])
    return written
