"""Layer sweep: the methods experiment's systems at every hidden state of a range.

The paper (Dolev 2023, Tables 5 and 2) fixes layer 8. :func:`run_layer_sweep` scores every
SimAlign method × level and awesome-align (its reference extraction: softmax, threshold 1e-3) at
each layer of a range, from one forward pass per sentence up to the deepest layer
(:meth:`~wordalign.embed.encoder.Encoder.embed_layers`); at each layer the rows are those
:func:`~wordalign.experiments.methods.run_methods` gives with ``layer`` set to it.
:func:`write_layer_sweep` writes the tables (Markdown, CSV, JSON) with a plot of AER against the
layer (:func:`~wordalign.experiments.pictures.render_layer_plot`), the paper's layer-8 numbers
beside ours.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wordalign.errors import WordalignError
from wordalign.experiments._report import check_fresh, fmt, md_table, render_rows_csv, write_files
from wordalign.experiments.methods import (
    _SCORE_FIELDS,
    DEFAULT_METHODS,
    LEVELS,
    PAPER_TABLE2,
    PAPER_TABLE5,
    PaperScore,
    Skipped,
    _aligner,
    _checked_gold,
    _embedded_models,
    _model_jobs,
    _timed_scores,
    system_key,
)
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Precision

__all__ = [
    "LayerResult",
    "LayerSweep",
    "parse_layers",
    "render_layers_csv",
    "render_layers_markdown",
    "run_layer_sweep",
    "write_layer_sweep",
]


@dataclass(frozen=True, slots=True)
class LayerResult:
    """The scores of one system at one hidden state, in a layer sweep.

    Attributes:
        model: The model as given (alias, hub name or folder).
        layer: The hidden state the aligner read (0 = the embeddings).
        level: ``subword`` or ``word`` (``subword`` for awesome-align).
        method: ``argmax``, ``itermax``, ``match`` or ``awesome``.
        precision, recall, f1, aer: Corpus-level scores on the gold pairs.
        seconds: Wall time of the extraction at this layer (after the forward passes).
        embed_seconds: Wall time of the model's one forward pass over the gold sentences up to
            the deepest swept layer, shared by every row of the model.
        pairs: Number of gold pairs.
    """

    model: str
    layer: int
    level: str
    method: str
    precision: float
    recall: float
    f1: float
    aer: float
    seconds: float
    embed_seconds: float
    pairs: int

    @property
    def series(self) -> str:
        """``MODEL:LEVEL:METHOD`` (``MODEL:awesome``): the line this row belongs to."""
        return system_key(self.model, self.level, self.method)

    @property
    def pairs_per_second(self) -> float:
        """Gold pairs per second, the shared forward pass included (an upper bound of the time
        this system alone needs: its own pass would stop at its layer)."""
        total = self.embed_seconds + self.seconds
        return self.pairs / total if total > 0 else float("inf")

    def paper(self, model: str) -> PaperScore | None:
        """The paper's layer-8 numbers of this row's method and level for ``model`` (``mbert``
        or ``xlmr``): Table 5 for SimAlign, Table 2 for awesome-align (mBERT only)."""
        if self.method == "awesome":
            return PAPER_TABLE2["awesome"] if model == "mbert" else None
        return PAPER_TABLE5.get((model, self.level, self.method))

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-ready dict with the paper's mBERT and XLM-R AERs (empty when none)."""
        row = asdict(self)
        row["system"] = self.series
        row["pairs_per_second"] = self.pairs_per_second
        for alias in ("mbert", "xlmr"):
            paper = self.paper(alias)
            row[f"paper_{alias}_aer"] = paper.aer if paper else ""
        return row


@dataclass
class LayerSweep:
    """Every system of a layer sweep at every layer.

    Attributes:
        results: One row per model × layer × level × method, in run order.
        skipped: Models that could not be loaded.
        layers: The swept hidden states, ascending.
        n_pairs: Number of gold pairs scored.
    """

    results: list[LayerResult]
    skipped: list[Skipped]
    layers: list[int]
    n_pairs: int

    def series(self) -> dict[str, list[LayerResult]]:
        """The rows of each system (``MODEL:LEVEL:METHOD``), by layer, in run order."""
        out: dict[str, list[LayerResult]] = {}
        for row in self.results:
            out.setdefault(row.series, []).append(row)
        return {k: sorted(v, key=lambda r: r.layer) for k, v in out.items()}

    def best(self) -> dict[str, LayerResult]:
        """Each system's lowest-AER row (the lower layer on a tie)."""
        return {k: min(rows, key=lambda r: (r.aer, r.layer)) for k, rows in self.series().items()}

    def at(self, system: str, layer: int) -> LayerResult | None:
        """The row of ``system`` at ``layer``, when swept."""
        for row in self.series().get(system, []):
            if row.layer == layer:
                return row
        return None

    def to_dict(self) -> dict[str, Any]:
        """Layers, rows, each system's best layer and the skipped models, JSON-ready."""
        return {
            "sentences": self.n_pairs,
            "layers": self.layers,
            "results": [r.to_dict() for r in self.results],
            "best": {k: {"layer": r.layer, "aer": r.aer} for k, r in self.best().items()},
            "skipped": [asdict(s) for s in self.skipped],
        }


def parse_layers(text: str) -> list[int]:
    """``4-12``, ``4,6,8`` or a mix (``2,4-6``) as ascending, distinct layers.

    Raises:
        WordalignError: for an item that is not a number or a range ``A-B`` with ``A <= B``,
            a negative layer, or nothing at all.
    """
    layers: set[int] = set()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        low, dash, high = item.partition("-")
        try:
            a = int(low)
            b = int(high) if dash else a
        except ValueError:
            raise WordalignError(
                f"bad layer {item!r} (expected a number or a range such as 4-12)"
            ) from None
        if a < 0 or b < a:
            raise WordalignError(f"bad layer range {item!r} (expected A-B with 0 <= A <= B)")
        layers.update(range(a, b + 1))
    if not layers:
        raise WordalignError("no layer given")
    return sorted(layers)


def run_layer_sweep(
    pairs: Sequence[SentencePair],
    gold: Sequence[Alignment],
    models: Sequence[str],
    layers: Sequence[int],
    *,
    levels: Sequence[str] = LEVELS,
    methods: Sequence[str] = DEFAULT_METHODS,
    device: str = "auto",
    batch_size: int = 32,
    precision: Precision = "auto",
    progress: bool = True,
    on_result: Callable[[LayerResult], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> LayerSweep:
    """Score every SimAlign method × level and awesome-align at every layer of each model.

    Each model is loaded once, cut after the deepest layer, and each gold sentence goes through
    it once (:meth:`~wordalign.embed.encoder.Encoder.embed_layers`): every layer's vectors come
    from that one pass. At each layer the rows are those
    :func:`~wordalign.experiments.methods.run_methods` gives with ``layer`` set to it
    (awesome-align with its reference extraction: softmax, threshold 1e-3).

    Args:
        pairs: The gold sentence pairs.
        gold: Their gold alignments.
        models: Hub names, local folders or aliases (``mbert``, ``xlmr``).
        layers: Hidden states to sweep (0 = the embeddings).
        levels: SimAlign levels (``subword``, ``word``).
        methods: ``argmax``, ``itermax``, ``match`` (SimAlign) and ``awesome``.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_size: Sentences per forward pass.
        precision: ``auto``, ``fp32``, ``bf16`` or ``fp16``.
        progress: Show progress bars.
        on_result: Called with each row as soon as it is scored.
        on_skip: Called with each model that cannot be loaded (the run goes on).

    Raises:
        LengthMismatchError: when ``pairs`` and ``gold`` differ in length.
        UnknownNameError: for an unknown level or method.
        WordalignError: for no or negative layers, a layer beyond a model's depth, or when no
            model could be loaded.
    """
    from wordalign._progress import progress as progress_bar

    pair_list, gold_list = _checked_gold(pairs, gold, levels, methods)
    wanted = sorted(set(layers))
    if not wanted or wanted[0] < 0:
        raise WordalignError(f"layers must be 0 or more, not {list(layers)}")
    jobs = _model_jobs(levels, methods)
    sweep = LayerSweep([], [], wanted, len(pair_list))
    n = len(pair_list)

    def skip(item: Skipped) -> None:
        sweep.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    names = list(dict.fromkeys(models))
    for k, by_layer, embed_seconds in _embedded_models(
        names,
        pair_list,
        lambda encoder, sentences: encoder.embed_layers(sentences, wanted, show_progress=progress),
        layer=wanted[-1],
        device=device,
        batch_size=batch_size,
        precision=precision,
        on_skip=skip,
    ):
        model = names[k]
        steps = [(layer, level, m) for layer in wanted for level, m in jobs]
        for layer, level, method in progress_bar(
            steps, total=len(steps), desc=f"{model} layers", enabled=progress
        ):
            vectors = by_layer[layer]
            aligner = _aligner(model, level, method, layer, device, batch_size, precision)
            embedded = zip(vectors[:n], vectors[n:], strict=True)
            _, scores = _timed_scores(
                gold_list, partial(aligner.align_embedded, embedded), embed_seconds
            )
            row = LayerResult(model, layer, level, method, pairs=n, **scores)
            sweep.results.append(row)
            if on_result is not None:
                on_result(row)
        del by_layer
    return sweep


def _model_label(model: str) -> str:
    return Path(model).name or model


def _series_label(row: LayerResult) -> str:
    """The system of ``row`` with its model's folder name only (``e5-small:subword:match``)."""
    name = _model_label(row.model)
    return f"{name}:awesome" if row.method == "awesome" else f"{name}:{row.level}:{row.method}"


_LAYER_SUMMARY_HEADER = (
    "System",
    "Best layer",
    "P",
    "R",
    "AER",
    "AER at 8",
    "Paper mBERT P",
    "Paper mBERT R",
    "Paper mBERT AER",
    "Paper XLM-R AER",
)


def _layer_summary_cells(sweep: LayerSweep, best: LayerResult) -> list[str]:
    at8 = sweep.at(best.series, 8)
    mbert, xlmr = best.paper("mbert"), best.paper("xlmr")
    return [
        _series_label(best),
        str(best.layer),
        fmt(best.precision),
        fmt(best.recall),
        fmt(best.aer),
        fmt(at8.aer if at8 else None),
        fmt(mbert.precision if mbert else None),
        fmt(mbert.recall if mbert else None),
        fmt(mbert.aer if mbert else None),
        fmt(xlmr.aer if xlmr else None),
    ]


def render_layers_markdown(sweep: LayerSweep) -> str:
    """Markdown: each system's best layer beside the paper, AER by layer, then every row."""
    layers = sweep.layers
    if layers == list(range(layers[0], layers[-1] + 1)):
        swept = f"layers {layers[0]}-{layers[-1]}"
    else:
        swept = "layers " + ", ".join(map(str, layers))
    lines = [
        "# Layer sweep: embedding aligners on DE-RM",
        "",
        f"Scored on {sweep.n_pairs} gold sentence pairs, {swept}; awesome-align with its "
        "reference extraction (softmax, threshold 1e-3). Paper: Dolev (2023), layer 8, 600 gold "
        "pairs: Table 5 (SimAlign; mBERT's word level is not in it) and Table 2 (awesome-align, "
        "mBERT).",
        "",
    ]
    best = sweep.best()
    lines.extend(
        md_table(
            _LAYER_SUMMARY_HEADER,
            [_layer_summary_cells(sweep, row) for row in best.values()],
            right_from=1,
        )
    )
    lines += ["", "## AER by layer", ""]
    series = sweep.series()
    grid = []
    for system, rows in series.items():
        by = {r.layer: r for r in rows}
        cells = [_series_label(rows[0])]
        for layer in layers:
            row = by.get(layer)
            text = fmt(row.aer if row else None)
            cells.append(f"**{text}**" if row is not None and row is best[system] else text)
        grid.append(cells)
    lines.extend(md_table(("System", *map(str, layers)), grid, right_from=1))
    lines += ["", "Bold: the best layer of each system.", "", "## Every row", ""]
    header = ("System", "Layer", "P", "R", "F1", "AER", "Extraction (s)", "Pairs/s")
    every = [
        [
            _series_label(r),
            str(r.layer),
            fmt(r.precision),
            fmt(r.recall),
            fmt(r.f1),
            fmt(r.aer),
            f"{r.seconds:.2f}",
            f"{r.pairs_per_second:.1f}",
        ]
        for r in sweep.results
    ]
    lines.extend(md_table(header, every, right_from=1))
    forward: dict[str, float] = {}
    for r in sweep.results:
        forward.setdefault(r.model, r.embed_seconds)
    if forward:
        lines += [
            "",
            "Pairs/s counts the model's one forward pass over the gold sentences up to layer "
            f"{layers[-1]} (shared by every row: "
            + ", ".join(f"{_model_label(m)} {s:.1f} s" for m, s in forward.items())
            + ") plus the row's extraction.",
        ]
    if sweep.skipped:
        lines += ["", "Not run (model could not be loaded):", ""]
        lines.extend(f"- {s.message()}" for s in sweep.skipped)
    return "\n".join(lines) + "\n"


_LAYER_CSV_FIELDS = (
    "system",
    "model",
    "layer",
    "level",
    "method",
    *_SCORE_FIELDS,
    "pairs",
    "pairs_per_second",
    "paper_mbert_aer",
    "paper_xlmr_aer",
)


def render_layers_csv(sweep: LayerSweep) -> str:
    """One CSV row per model × layer × level × method, the paper's layer-8 AERs beside."""
    return render_rows_csv((row.to_dict() for row in sweep.results), _LAYER_CSV_FIELDS)


def write_layer_sweep(
    sweep: LayerSweep, out_dir: str | Path, *, overwrite: bool = False
) -> list[Path]:
    """Write ``layers.{md,csv,json}`` and the plot ``layers.{svg,png}`` into ``out_dir``.

    The plot needs matplotlib (the ``plot`` extra); without it only the tables are written.

    Returns:
        The files written.

    Raises:
        WordalignError: when ``layers.md`` exists and ``overwrite`` is false.
    """
    from wordalign.experiments.pictures import render_layer_plot

    folder = Path(out_dir)
    check_fresh(folder, "layers.md", overwrite=overwrite)
    files: list[tuple[str, str | bytes]] = [
        ("layers.md", render_layers_markdown(sweep)),
        ("layers.csv", render_layers_csv(sweep)),
        ("layers.json", json.dumps(sweep.to_dict(), indent=2, ensure_ascii=False) + "\n"),
    ]
    for kind in ("svg", "png"):
        plot = render_layer_plot(sweep, kind)
        if plot is None:  # no matplotlib
            break
        files.append((f"layers.{kind}", plot))
    return write_files(folder, files)
