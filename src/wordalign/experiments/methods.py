"""Methods experiment: embedding aligners on the DE-RM gold standard beside Tables 5 and 2.

Reproduces Table 5 (SimAlign with mBERT and XLM-R, subword and word level, Argmax, Itermax and
Match; layer 8) and Table 2 (the best result of each system: fast_align, eflomal, SimAlign,
awesome-align before and after fine-tuning) of Dolev (2023), "Does mBERT understand Romansh?
Evaluating word embeddings using word alignment" (SwissText). Every model is loaded once and
every gold sentence embedded once; the three SimAlign methods at both levels and awesome-align's
extraction all read the same ``hidden_states[layer]``, so they share that forward pass
(:meth:`~wordalign.aligners.embedding._base.EmbeddingAligner.align_embedded`).

The paper scored 600 gold pairs; wordalign ships the evaluation for the development half (300
pairs), so small differences are expected. A model that cannot be loaded (no internet, no local
folder) is reported and skipped; the others still run.

Results are written as Markdown, CSV, JSON and an HTML page with the alignment pictures
(:mod:`wordalign.experiments.pictures`), the paper's numbers beside ours.

The same systems at every hidden state of a range (the paper fixes layer 8):
:mod:`wordalign.experiments.layers`, which shares this module's loading and scoring.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from wordalign.errors import LengthMismatchError, UnknownNameError, WordalignError
from wordalign.experiments._report import check_fresh, fmt, md_table, render_rows_csv, write_files
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Encoder, Precision

__all__ = [
    "DEFAULT_METHODS",
    "LEVELS",
    "PAPER_TABLE2",
    "PAPER_TABLE5",
    "MethodResult",
    "MethodsRun",
    "PaperScore",
    "Skipped",
    "Table2Row",
    "default_comparisons",
    "parse_list",
    "planned_systems",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "run_methods",
    "system_key",
    "write_results",
]

SIMALIGN_METHODS: tuple[str, ...] = ("argmax", "itermax", "match")
DEFAULT_METHODS: tuple[str, ...] = (*SIMALIGN_METHODS, "awesome")
LEVELS: tuple[str, ...] = ("subword", "word")
STATISTICAL_METHODS: tuple[str, ...] = ("fastalign", "eflomal")


@dataclass(frozen=True, slots=True)
class PaperScore:
    """Precision, recall and AER the paper reports for one system, and where."""

    precision: float
    recall: float
    aer: float
    source: str


def _t5(p: float, r: float, aer: float) -> PaperScore:
    return PaperScore(p, r, aer, "Table 5")


def _t2(p: float, r: float, aer: float) -> PaperScore:
    return PaperScore(p, r, aer, "Table 2")


# Table 5 of Dolev (2023). The PDF's layout (read from its text positions, not the flattened text
# dump) gives mBERT at the subword level and XLM-R at both levels; mBERT's word level is not in it.
PAPER_TABLE5: dict[tuple[str, str, str], PaperScore] = {
    ("mbert", "subword", "argmax"): _t5(0.894, 0.622, 0.266),
    ("mbert", "subword", "itermax"): _t5(0.832, 0.731, 0.222),
    ("mbert", "subword", "match"): _t5(0.795, 0.781, 0.220),
    ("xlmr", "word", "argmax"): _t5(0.848, 0.399, 0.457),
    ("xlmr", "word", "itermax"): _t5(0.767, 0.504, 0.391),
    ("xlmr", "word", "match"): _t5(0.670, 0.647, 0.342),
    ("xlmr", "subword", "argmax"): _t5(0.773, 0.488, 0.402),
    ("xlmr", "subword", "itermax"): _t5(0.671, 0.595, 0.369),
    ("xlmr", "subword", "match"): _t5(0.558, 0.719, 0.372),
}
"""SimAlign per (model alias, level, method): the paper's Table 5 (layer 8, 600 gold pairs)."""

# Table 2 of Dolev (2023): the best result of each system. The statistical rows were trained on
# the 600 gold pairs plus every extracted corpus pair (106,691); the embedding rows use mBERT.
PAPER_TABLE2: dict[str, PaperScore] = {
    "fastalign": _t2(0.625, 0.787, 0.307),
    "eflomal": _t2(0.831, 0.879, 0.146),
    "simalign": _t2(0.794, 0.766, 0.220),
    "awesome": _t2(0.802, 0.760, 0.220),
    "awesome-finetuned": _t2(0.912, 0.911, 0.090),
}
"""The best result per system (keys as :attr:`MethodResult.family`): the paper's Table 2."""

TABLE2_LABELS: dict[str, str] = {
    "fastalign": "fast_align",
    "eflomal": "eflomal",
    "simalign": "SimAlign",
    "awesome": "awesome-align",
    "awesome-finetuned": "awesome-align (fine-tuned)",
}

_PAPER_MODELS = {"bert-base-multilingual-cased": "mbert", "xlm-roberta-base": "xlmr"}


@dataclass(frozen=True, slots=True)
class MethodResult:
    """The scores of one system on the gold pairs.

    Attributes:
        system: Unique key, used by ``--compare``: ``MODEL:LEVEL:METHOD`` for SimAlign (for
            example ``mbert:subword:match``), ``MODEL:awesome`` for awesome-align,
            ``DIR:awesome-finetuned`` for a fine-tuned folder, the aligner's name for a
            statistical one (``eflomal``). See :func:`system_key`.
        family: ``simalign``, ``awesome``, ``awesome-finetuned`` or the statistical aligner's
            name (the row of Table 2 it competes for).
        model: The model as given (alias, hub name or folder); empty for statistical aligners.
        level: ``subword`` or ``word`` for SimAlign, ``subword`` for awesome-align, else empty.
        method: ``argmax``, ``itermax``, ``match``, ``awesome`` or the statistical aligner.
        precision, recall, f1, aer: Corpus-level scores on the gold pairs.
        seconds: Wall time of the extraction (embedding aligners, after the shared forward
            passes) or of training and aligning (statistical aligners).
        embed_seconds: Wall time of the model's forward passes over the gold sentences, shared
            by every embedding row of that model (0 for statistical aligners).
        paper: The paper's numbers for this row (Table 5 for SimAlign, Table 2 otherwise), when
            it has them.
    """

    system: str
    family: str
    model: str
    level: str
    method: str
    precision: float
    recall: float
    f1: float
    aer: float
    seconds: float
    embed_seconds: float
    paper: PaperScore | None

    @property
    def aer_diff(self) -> float | None:
        """Our AER minus the paper's (negative = better than the paper)."""
        return None if self.paper is None else self.aer - self.paper.aer

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-ready dict, the paper's numbers in ``paper_*`` keys (empty when none)."""
        row = {k: v for k, v in asdict(self).items() if k != "paper"}
        paper = self.paper
        row["paper_source"] = paper.source if paper else ""
        row["paper_precision"] = paper.precision if paper else ""
        row["paper_recall"] = paper.recall if paper else ""
        row["paper_aer"] = paper.aer if paper else ""
        diff = self.aer_diff
        row["aer_diff"] = "" if diff is None else diff
        return row


@dataclass(frozen=True, slots=True)
class Skipped:
    """A model that could not be loaded, and why (one line)."""

    model: str
    reason: str

    def message(self) -> str:
        """``MODEL: REASON``, the line the CLI prints after ``wordalign:``."""
        return f"{self.model}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Table2Row:
    """One row of Table 2: our best result of a system (``None`` when not run) and the paper's."""

    family: str
    label: str
    ours: MethodResult | None
    paper: PaperScore

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the label, our best system's key and scores, the paper's, the difference."""
        ours = self.ours
        return {
            "family": self.family,
            "label": self.label,
            "system": ours.system if ours else "",
            "precision": ours.precision if ours else "",
            "recall": ours.recall if ours else "",
            "aer": ours.aer if ours else "",
            "paper_precision": self.paper.precision,
            "paper_recall": self.paper.recall,
            "paper_aer": self.paper.aer,
            "aer_diff": ours.aer - self.paper.aer if ours else "",
        }


@dataclass
class MethodsRun:
    """Everything one run of the experiment produced.

    Attributes:
        results: One row per system, in run order.
        skipped: Models that could not be loaded.
        predictions: Each system's alignments of the gold pairs (by :attr:`MethodResult.system`).
        pairs: The gold sentence pairs.
        gold: Their gold alignments.
        ids: The gold sentences' IDs (the files' INDEX column, else 0-based positions).
    """

    results: list[MethodResult]
    skipped: list[Skipped]
    predictions: dict[str, list[Alignment]]
    pairs: list[SentencePair]
    gold: list[Alignment]
    ids: list[str] = field(default_factory=list)

    def result(self, system: str) -> MethodResult:
        """The row of ``system``.

        Raises:
            UnknownNameError: listing the systems of this run.
        """
        for row in self.results:
            if row.system == system:
                return row
        raise UnknownNameError("system", system, [r.system for r in self.results])

    def table2(self) -> list[Table2Row]:
        """Table 2: our lowest-AER row of each system beside the paper's best result."""
        rows = []
        for family, paper in PAPER_TABLE2.items():
            candidates = [r for r in self.results if r.family == family]
            best = min(candidates, key=lambda r: r.aer) if candidates else None
            rows.append(Table2Row(family, TABLE2_LABELS[family], best, paper))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Results, Table 2, skipped models and the paper's tables, JSON-ready."""
        return {
            "sentences": len(self.pairs),
            "results": [r.to_dict() for r in self.results],
            "table2": [r.to_dict() for r in self.table2()],
            "skipped": [asdict(s) for s in self.skipped],
            "paper_table5": [
                {"model": m, "level": lv, "method": me, **asdict(score)}
                for (m, lv, me), score in PAPER_TABLE5.items()
            ],
            "paper_table2": {k: asdict(v) for k, v in PAPER_TABLE2.items()},
        }


def parse_list(text: str, valid: Sequence[str] | None = None, what: str = "value") -> list[str]:
    """Comma-separated items, stripped, empty ones dropped, duplicates removed (order kept).

    Raises:
        UnknownNameError: for an item not in ``valid`` (when given).
        WordalignError: when nothing is left.
    """
    items: list[str] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item or item in items:
            continue
        if valid is not None and item not in valid:
            raise UnknownNameError(what, item, valid)
        items.append(item)
    if not items:
        raise WordalignError(f"no {what} given")
    return items


def _paper_model(model: str) -> str | None:
    from wordalign.embed.encoder import resolve_model_name

    return _PAPER_MODELS.get(resolve_model_name(model))


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else "unknown error"


def _load(model: str, device: str, layer: int, batch_size: int, precision: Precision) -> Encoder:
    from wordalign.embed.encoder import load_encoder

    return load_encoder(model, device, layer=layer, batch_size=batch_size, precision=precision)


# -- shared with the layer sweep (wordalign.experiments.layers) ----------------------------------

_Vectors = TypeVar("_Vectors")


class _RowScores(TypedDict):
    """The scores and times every result row has (keyword arguments of its dataclass)."""

    precision: float
    recall: float
    f1: float
    aer: float
    seconds: float
    embed_seconds: float


_SCORE_FIELDS: tuple[str, ...] = tuple(_RowScores.__annotations__)
"""``precision``, ``recall``, ``f1``, ``aer``, ``seconds``, ``embed_seconds``: the CSV columns of
:class:`_RowScores`, in its order."""


def _checked_gold(
    pairs: Sequence[SentencePair],
    gold: Sequence[Alignment],
    levels: Sequence[str],
    methods: Sequence[str],
) -> tuple[list[SentencePair], list[Alignment]]:
    """The gold pairs and alignments as lists, once their lengths, levels and methods are checked.

    Raises:
        LengthMismatchError: when ``pairs`` and ``gold`` differ in length.
        UnknownNameError: for an unknown level or method.
    """
    pair_list, gold_list = list(pairs), list(gold)
    if len(pair_list) != len(gold_list):
        raise LengthMismatchError(
            "gold sentence pairs", len(pair_list), "gold alignments", len(gold_list)
        )
    for level in levels:
        if level not in LEVELS:
            raise UnknownNameError("level", level, LEVELS)
    for method in methods:
        if method not in DEFAULT_METHODS:
            raise UnknownNameError("method", method, DEFAULT_METHODS)
    return pair_list, gold_list


def _model_jobs(levels: Sequence[str], methods: Sequence[str]) -> list[tuple[str, str]]:
    """``(level, method)`` of every embedding system on one model: SimAlign's, then awesome's."""
    jobs = [(level, method) for level in levels for method in methods if method in SIMALIGN_METHODS]
    if "awesome" in methods:
        jobs.append(("subword", "awesome"))
    return jobs


def _embedded_models(
    models: Sequence[str],
    pairs: Sequence[SentencePair],
    embed: Callable[[Encoder, list[tuple[str, ...]]], _Vectors],
    *,
    layer: int,
    device: str,
    batch_size: int,
    precision: Precision,
    on_skip: Callable[[Skipped], None],
) -> Iterator[tuple[int, _Vectors, float]]:
    """Load each model in turn (one in memory at a time) and embed the pairs' sources, then
    targets, with ``embed(encoder, sentences)``.

    Yields:
        The model's position in ``models``, its vectors and the seconds ``embed`` took. A model
        that cannot be loaded goes to ``on_skip`` (with the first line of the reason) instead.

    Raises:
        WordalignError: when there were models and none of them could be loaded.
    """
    sentences = [p.src for p in pairs] + [p.tgt for p in pairs]
    loaded = 0
    for k, model in enumerate(models):
        try:
            encoder = _load(model, device, layer, batch_size, precision)
        except WordalignError as exc:
            on_skip(Skipped(model, _first_line(str(exc))))
            continue
        loaded += 1
        start = time.perf_counter()
        vectors = embed(encoder, sentences)
        seconds = time.perf_counter() - start
        del encoder
        yield k, vectors, seconds
        del vectors  # before the next model is loaded
    if models and loaded == 0:
        raise WordalignError(
            f"none of the models could be loaded ({', '.join(models)}); "
            "give a local model folder (see the lines above for each reason)"
        )


def _timed_scores(
    gold: Sequence[Alignment], align: Callable[[], Sequence[Alignment]], embed_seconds: float = 0.0
) -> tuple[list[Alignment], _RowScores]:
    """Run ``align``, time it and score the first ``len(gold)`` alignments it gives (the gold
    pairs come first) against ``gold``."""
    from wordalign.evaluation.metrics import evaluate

    start = time.perf_counter()
    predicted = list(align()[: len(gold)])
    seconds = time.perf_counter() - start
    scores = evaluate(gold, predicted)
    return predicted, _RowScores(
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        aer=scores.aer,
        seconds=seconds,
        embed_seconds=embed_seconds,
    )


def run_methods(
    pairs: Sequence[SentencePair],
    gold: Sequence[Alignment],
    models: Sequence[str] = ("mbert", "xlmr"),
    *,
    finetuned: Sequence[str] = (),
    levels: Sequence[str] = LEVELS,
    methods: Sequence[str] = DEFAULT_METHODS,
    layer: int = 8,
    device: str = "auto",
    batch_size: int = 32,
    precision: Precision = "auto",
    statistical_pairs: Sequence[SentencePair] | None = None,
    statistical_methods: Sequence[str] = STATISTICAL_METHODS,
    statistical_params: dict[str, dict[str, Any]] | None = None,
    ids: Sequence[str] | None = None,
    progress: bool = True,
    on_result: Callable[[MethodResult], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> MethodsRun:
    """Align the gold pairs with every model × level × method and score them.

    Each model is loaded once and each gold sentence embedded once; every SimAlign method at
    every level and awesome-align's extraction reuse those vectors. Fine-tuned folders get the
    awesome-align row only (the paper's "awesome-align (fine-tuned)"). With
    ``statistical_pairs``, each statistical aligner is trained on the gold pairs followed by
    those pairs (the paper's Table 2 used every corpus pair) and scored on the gold pairs.

    Args:
        pairs: The gold sentence pairs.
        gold: Their gold alignments.
        models: Hub names, local folders or aliases (``mbert``, ``xlmr``).
        finetuned: Fine-tuned model folders (awesome-align extraction only).
        levels: SimAlign levels (``subword``, ``word``).
        methods: ``argmax``, ``itermax``, ``match`` (SimAlign) and ``awesome``.
        layer: Hidden state the aligners read (8 in the paper).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_size: Sentences per forward pass.
        precision: ``auto``, ``fp32``, ``bf16`` or ``fp16``.
        statistical_pairs: Training pairs for the statistical rows (``None``: no such rows).
        statistical_methods: Registry names of the statistical aligners.
        statistical_params: Extra hyper-parameters per statistical aligner.
        ids: The gold sentences' IDs (default: 0-based positions).
        progress: Show progress bars.
        on_result: Called with each row as soon as it is scored.
        on_skip: Called with each model that cannot be loaded (the run goes on).

    Returns:
        The rows, the skipped models and every system's alignments.

    Raises:
        LengthMismatchError: when ``pairs``, ``gold`` and ``ids`` differ in length.
        UnknownNameError: for an unknown level, method or statistical aligner.
        WordalignError: when models were asked for and none of them could be loaded.
    """
    from wordalign._progress import progress as progress_bar
    from wordalign.registry import get_aligner_class

    pair_list, gold_list = _checked_gold(pairs, gold, levels, methods)
    id_list = [str(i) for i in range(len(pair_list))] if ids is None else list(ids)
    if len(id_list) != len(pair_list):
        raise LengthMismatchError(
            "gold sentence pairs", len(pair_list), "sentence IDs", len(id_list)
        )
    if statistical_pairs is not None:
        for name in statistical_methods:
            get_aligner_class(name)  # unknown names fail before any work

    run = MethodsRun([], [], {}, pair_list, gold_list, id_list)

    def record(row: MethodResult, predicted: list[Alignment]) -> None:
        if row.system in run.predictions:
            raise WordalignError(f"{row.system}: given twice (each model once, please)")
        run.results.append(row)
        run.predictions[row.system] = predicted
        if on_result is not None:
            on_result(row)

    def skip(item: Skipped) -> None:
        run.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    # (model, fine-tuned?, systems to run on it)
    plan: list[tuple[str, bool, list[tuple[str, str]]]] = [
        (model, False, _model_jobs(levels, methods)) for model in dict.fromkeys(models)
    ]
    plan.extend((folder, True, [("subword", "awesome")]) for folder in dict.fromkeys(finetuned))
    plan = [entry for entry in plan if entry[2]]

    n = len(pair_list)
    for k, vectors, embed_seconds in _embedded_models(
        [model for model, _, _ in plan],
        pair_list,
        lambda encoder, sentences: encoder.embed(sentences, show_progress=progress),
        layer=layer,
        device=device,
        batch_size=batch_size,
        precision=precision,
        on_skip=skip,
    ):
        model, is_finetuned, jobs = plan[k]
        embedded = list(zip(vectors[:n], vectors[n:], strict=True))
        for level, method in progress_bar(
            jobs, total=len(jobs), desc=f"{model} methods", enabled=progress
        ):
            aligner = _aligner(model, level, method, layer, device, batch_size, precision)
            align = partial(aligner.align_embedded, embedded)
            predicted, scores = _timed_scores(gold_list, align, embed_seconds)
            if method == "awesome":
                family = "awesome-finetuned" if is_finetuned else "awesome"
                paper = _paper_awesome(model, is_finetuned)
            else:
                family = "simalign"
                alias = _paper_model(model)
                paper = PAPER_TABLE5.get((alias, level, method)) if alias else None
            system = system_key(model, level, method, is_finetuned)
            row = MethodResult(system, family, model, level, method, paper=paper, **scores)
            record(row, predicted)
        del vectors, embedded

    if statistical_pairs is not None:
        train = pair_list + list(statistical_pairs)
        extra = statistical_params or {}
        names = list(dict.fromkeys(statistical_methods))
        for name in progress_bar(
            names,
            total=len(names),
            desc="statistical",
            enabled=progress,
        ):
            cls = get_aligner_class(name)
            kwargs = dict(extra.get(name, {}))
            if "progress" in cls._param_names():
                kwargs.setdefault("progress", progress)
            predicted, scores = _timed_scores(gold_list, partial(cls(**kwargs).fit_align, train))
            paper = PAPER_TABLE2.get(name)
            record(MethodResult(name, name, "", "", name, paper=paper, **scores), predicted)
    return run


def system_key(model: str, level: str, method: str, finetuned: bool = False) -> str:
    """The key of a row (:attr:`MethodResult.system`): ``mbert:subword:match``,
    ``mbert:awesome``, ``DIR:awesome-finetuned``, or the statistical aligner's name when
    ``model`` is empty."""
    if not model:
        return method
    if method == "awesome":
        return f"{model}:awesome-finetuned" if finetuned else f"{model}:awesome"
    return f"{model}:{level}:{method}"


def planned_systems(
    models: Sequence[str],
    *,
    finetuned: Sequence[str] = (),
    levels: Sequence[str] = LEVELS,
    methods: Sequence[str] = DEFAULT_METHODS,
    statistical_methods: Sequence[str] = (),
) -> list[str]:
    """The keys :func:`run_methods` gives its rows for these settings, in run order (before
    any model is loaded, so that ``--compare`` can be checked first)."""
    keys: list[str] = []
    for model in dict.fromkeys(models):
        keys.extend(
            system_key(model, level, method)
            for level in levels
            for method in methods
            if method in SIMALIGN_METHODS
        )
        if "awesome" in methods:
            keys.append(system_key(model, "subword", "awesome"))
    keys.extend(
        system_key(folder, "subword", "awesome", finetuned=True)
        for folder in dict.fromkeys(finetuned)
    )
    keys.extend(dict.fromkeys(statistical_methods))
    return keys


def _paper_awesome(model: str, finetuned: bool) -> PaperScore | None:
    if finetuned:  # the paper fine-tuned mBERT; a fine-tuned folder competes for that row
        return PAPER_TABLE2["awesome-finetuned"]
    return PAPER_TABLE2["awesome"] if _paper_model(model) == "mbert" else None


def _aligner(
    model: str,
    level: str,
    method: str,
    layer: int,
    device: str,
    batch_size: int,
    precision: Precision,
) -> Any:
    from wordalign.aligners.embedding.awesome import AwesomeAlign
    from wordalign.aligners.embedding.simalign import SimAlign

    common: dict[str, Any] = {
        "model": model,
        "layer": layer,
        "device": device,
        "batch_size": batch_size,
        "precision": precision,
        "progress": False,
    }
    if method == "awesome":
        return AwesomeAlign(**common)
    return SimAlign(method=method, level=level, **common)  # type: ignore[arg-type]


def default_comparisons(run: MethodsRun) -> list[tuple[str, str]]:
    """The system pairs to draw, as in the paper's Figures 7-9 where the systems were run.

    eflomal (boxes) vs the best SimAlign row (circles), and awesome-align after fine-tuning
    (boxes) vs before (circles). Without either, the best SimAlign row vs the best awesome-align
    row, else the two best rows; one row alone is drawn by itself.
    """
    by_family: dict[str, MethodResult] = {}
    for row in sorted(run.results, key=lambda r: r.aer):
        by_family.setdefault(row.family, row)
    pairs: list[tuple[str, str]] = []
    if "eflomal" in by_family and "simalign" in by_family:
        pairs.append((by_family["eflomal"].system, by_family["simalign"].system))
    if "awesome-finetuned" in by_family and "awesome" in by_family:
        pairs.append((by_family["awesome-finetuned"].system, by_family["awesome"].system))
    if pairs:
        return pairs
    if "simalign" in by_family and "awesome" in by_family:
        return [(by_family["simalign"].system, by_family["awesome"].system)]
    best = sorted(run.results, key=lambda r: r.aer)
    if len(best) >= 2:
        return [(best[0].system, best[1].system)]
    return [(best[0].system, "")] if best else []


# -- reports ------------------------------------------------------------------------------------


def _diff(value: float | None) -> str:
    # Rounded first, so that a difference below 0.0005 prints as +0.000, not -0.000.
    return "–" if value is None else f"{round(value, 3) + 0.0:+.3f}"


_HEADER = (
    "System",
    "Model",
    "Level",
    "Method",
    "P",
    "R",
    "F1",
    "AER",
    "Paper P",
    "Paper R",
    "Paper AER",
    "ΔAER",
    "Paper",
    "Time (s)",
)


def _cells(row: MethodResult) -> list[str]:
    paper = row.paper
    return [
        row.system,
        row.model or "–",
        row.level or "–",
        row.method,
        fmt(row.precision),
        fmt(row.recall),
        fmt(row.f1),
        fmt(row.aer),
        fmt(paper.precision if paper else None),
        fmt(paper.recall if paper else None),
        fmt(paper.aer if paper else None),
        _diff(row.aer_diff),
        paper.source if paper else "–",
        f"{row.seconds:.2f}",
    ]


_T2_HEADER = (
    "Method",
    "Our best system",
    "P",
    "R",
    "AER",
    "Paper P",
    "Paper R",
    "Paper AER",
    "ΔAER",
)


def _t2_cells(row: Table2Row) -> list[str]:
    ours = row.ours
    return [
        row.label,
        ours.system if ours else "not run",
        fmt(ours.precision if ours else None),
        fmt(ours.recall if ours else None),
        fmt(ours.aer if ours else None),
        fmt(row.paper.precision),
        fmt(row.paper.recall),
        fmt(row.paper.aer),
        _diff(ours.aer - row.paper.aer if ours else None),
    ]


def _embed_times(run: MethodsRun) -> dict[str, float]:
    times: dict[str, float] = {}
    for row in run.results:
        if row.model:
            times.setdefault(row.model, row.embed_seconds)
    return times


def render_markdown(run: MethodsRun) -> str:
    """Markdown: every system beside Table 5 (SimAlign) or Table 2, then Table 2 itself."""
    lines = [
        "# Methods: embedding aligners on DE-RM",
        "",
        f"Scored on {len(run.pairs)} gold sentence pairs. Paper: Dolev (2023), Table 5 "
        "(SimAlign, layer 8) and Table 2 (best of each system), on 600 gold pairs. "
        "ΔAER = ours − paper (negative: better).",
        "",
    ]
    lines.extend(md_table(_HEADER, [_cells(r) for r in run.results], right_from=4))
    times = _embed_times(run)
    if times:
        lines += ["", "Forward passes (shared by every row of a model): "]
        lines[-1] += ", ".join(f"{m} {s:.2f} s" for m, s in times.items()) + "."
    if run.skipped:
        lines += ["", "Not run (model could not be loaded):", ""]
        lines.extend(f"- {s.message()}" for s in run.skipped)
    lines += ["", "## Table 2: best result per system", ""]
    lines.extend(md_table(_T2_HEADER, [_t2_cells(r) for r in run.table2()], right_from=2))
    return "\n".join(lines) + "\n"


_CSV_FIELDS = (
    "system",
    "family",
    "model",
    "level",
    "method",
    *_SCORE_FIELDS,
    "paper_source",
    "paper_precision",
    "paper_recall",
    "paper_aer",
    "aer_diff",
)


def render_csv(run: MethodsRun) -> str:
    """One CSV row per system, the paper's numbers beside ours (empty where it has none)."""
    return render_rows_csv((row.to_dict() for row in run.results), _CSV_FIELDS)


def render_json(run: MethodsRun) -> str:
    """:meth:`MethodsRun.to_dict` as indented JSON."""
    return json.dumps(run.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int) -> str:
    def cell(tag: str, k: int, text: str) -> str:
        style = ' class="num"' if k >= right_from else ""
        return f"<{tag}{style}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", k, h) for k, h in enumerate(header))
    body = "\n".join(
        "<tr>" + "".join(cell("td", k, c) for k, c in enumerate(cells)) + "</tr>" for cells in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def render_html(run: MethodsRun, pictures: Sequence[tuple[str, str]] = ()) -> str:
    """A self-contained page: both tables, skipped models, and the pictures (inline SVG).

    Args:
        run: The experiment's results.
        pictures: ``(caption, svg text)`` of each picture.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>wordalign: methods</title>',
        "<style>body{font-family:sans-serif;margin:2em;max-width:1400px}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;"
        "padding:3px 8px}td.num,th.num{text-align:right}figure{margin:2em 0}"
        "figcaption{color:#444}</style></head><body>",
        "<h1>Methods: embedding aligners on DE-RM</h1>",
        f"<p>Scored on {len(run.pairs)} gold sentence pairs. Paper: Dolev (2023), Table 5 "
        "(SimAlign, layer 8) and Table 2 (best of each system), on 600 gold pairs. "
        "ΔAER = ours − paper (negative: better).</p>",
        _html_table(_HEADER, [_cells(r) for r in run.results], right_from=4),
    ]
    if run.skipped:
        parts.append("<p>Not run (model could not be loaded):</p><ul>")
        parts.extend(f"<li>{html.escape(s.message())}</li>" for s in run.skipped)
        parts.append("</ul>")
    parts.append("<h2>Table 2: best result per system</h2>")
    parts.append(_html_table(_T2_HEADER, [_t2_cells(r) for r in run.table2()], right_from=2))
    if pictures:
        parts.append("<h2>Alignment pictures</h2>")
        parts.append(
            "<p>Gold Sure links dark grey, Possible light grey; the first system as boxes, the "
            "second as circles (as in the paper's Figures 7-9).</p>"
        )
        for caption, svg in pictures:
            parts.append(f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "system"


def _picture_rows(run: MethodsRun, wanted: Sequence[str]) -> list[int]:
    rows = []
    position = {sid: k for k, sid in enumerate(run.ids)}
    for sid in wanted:
        if sid not in position:
            shown = ", ".join(run.ids[:8]) + (", ..." if len(run.ids) > 8 else "")
            raise WordalignError(f"no gold sentence with ID {sid!r} (IDs: {shown})")
        rows.append(position[sid])
    return rows


def write_results(
    run: MethodsRun,
    out_dir: str | Path,
    *,
    pictures: Sequence[str] = (),
    compare: Sequence[tuple[str, str]] | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``methods.{md,csv,json,html}`` and the pictures into ``out_dir``.

    Pictures go to ``out_dir/pictures/sentence-ID_A-vs-B.svg`` (and ``.png`` when matplotlib
    is installed), one per chosen sentence and comparison, and inline into ``methods.html``.

    Args:
        run: The experiment's results.
        out_dir: The folder (created when missing).
        pictures: IDs of the gold sentences to draw (see :attr:`MethodsRun.ids`).
        compare: ``(A, B)`` system keys per picture (A as boxes, B as circles; B may be
            empty); default :func:`default_comparisons`.
        overwrite: Replace existing result files.

    Returns:
        The files written.

    Raises:
        WordalignError: when ``methods.md`` exists and ``overwrite`` is false, or for an
            unknown sentence ID.
        UnknownNameError: for an unknown system in ``compare``.
    """
    from wordalign.experiments.pictures import render_alignment_png, render_alignment_svg

    folder = Path(out_dir)
    check_fresh(folder, "methods.md", overwrite=overwrite)
    rows = _picture_rows(run, pictures)
    comparisons = list(default_comparisons(run) if compare is None else compare)
    for a, b in comparisons:
        for system in (a, b):
            if system:
                run.result(system)  # unknown keys fail before anything is written
    files: list[tuple[str, str | bytes]] = []
    figures: list[tuple[str, str]] = []
    for row in rows:
        for a, b in comparisons:
            systems = [(s, run.predictions[s][row]) for s in (a, b) if s]
            sid = run.ids[row]
            title = f"Sentence {sid}: " + " vs ".join(s for s, _ in systems)
            svg = render_alignment_svg(run.pairs[row], run.gold[row], systems, title=title)
            # A model folder's path would make long names: its last part is enough.
            stem = f"sentence-{_slug(sid)}_" + "-vs-".join(_slug(Path(s).name) for s, _ in systems)
            files.append((f"pictures/{stem}.svg", svg))
            png = render_alignment_png(run.pairs[row], run.gold[row], systems, title=title)
            if png is not None:
                files.append((f"pictures/{stem}.png", png))
            figures.append((title, svg))
    return write_files(
        folder,
        [
            *files,
            ("methods.md", render_markdown(run)),
            ("methods.csv", render_csv(run)),
            ("methods.json", render_json(run)),
            ("methods.html", render_html(run, figures)),
        ],
    )
