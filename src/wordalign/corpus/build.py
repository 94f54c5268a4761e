"""Build sentence-pair files from the document-aligned DERMIT corpus.

The pipeline rebuilds what Dolev (2023, sec. 3.2) did with Punkt and hunalign: for every document
that exists in both languages of a pair, segment both sides (title first), align the sentences
(:class:`~wordalign.corpus.sentalign.CorpusSentenceAligner`, two passes per pair), keep the 1-1
beads (optionally also the 1-2 / 2-1 / 2-2 beads, their sentences joined), tokenize, filter
(:mod:`wordalign.corpus.filters`) and write, per pair ``<src>-<tgt>``:

* ``<pair>.tsv``: tokenized source, a tab, tokenized target; one sentence pair per line;
* ``<pair>.meta.tsv``: for the pair on the same line of ``<pair>.tsv``: document id, source
  sentence positions, target sentence positions (0-based positions in the list of segments of
  :func:`~wordalign.corpus.segment.segment_document`, title first; comma-separated for merged
  beads), alignment score; no header, so that line ``k`` of both files describe one pair;

and, for all pairs, ``stats.json`` and ``stats.md`` in the shape of the paper's Table 1
(sentences, tokens, types per side) plus the filter counts.

The order of the output is the document order of the corpus, then the order of the beads; the
result does not depend on the number of worker processes.

The DERMIT press releases are © Canton of Graubünden: research use only, commercial use is
prohibited. Files built from them carry the same terms.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wordalign._progress import progress
from wordalign.corpus.dermit import Document, iter_documents
from wordalign.corpus.filters import FilterParams, FilterReport, PairFilter
from wordalign.corpus.segment import segment_document
from wordalign.corpus.sentalign import (
    Bead,
    BootstrapParams,
    CorpusSentenceAligner,
    SentAlignParams,
)
from wordalign.corpus.tokenize import normalize, tokenize, tokenize_title
from wordalign.errors import WordalignError
from wordalign.io.files import atomic_write_text, atomic_writer

logger = logging.getLogger(__name__)

LANGS = ("de", "rm", "it")
DEFAULT_PAIRS = ("de-rm", "de-it", "rm-it")

DATA_NOTICE = (
    "Built from the DERMIT corpus (press releases of the Canton of Graubünden, "
    "github.com/eyldlv/DERMIT-Corpus): research use only, commercial use prohibited."
)


def parse_pairs(text: str | Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``"de-rm,de-it"`` (or a list of such names) -> ``(("de", "rm"), ("de", "it"))``.

    Raises:
        WordalignError: for a malformed pair or a language DERMIT does not have.
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    out: list[tuple[str, str]] = []
    for raw in names:
        name = raw.strip()
        parts = name.split("-")
        if len(parts) != 2 or parts[0] == parts[1] or not all(p in LANGS for p in parts):
            raise WordalignError(
                f"bad language pair {name!r}: expected SRC-TGT with two different languages "
                f"of {', '.join(LANGS)} (e.g. de-rm)"
            )
        pair = (parts[0], parts[1])
        if pair not in out:
            out.append(pair)
    if not out:
        raise WordalignError("no language pair given (e.g. --pairs de-rm,de-it,rm-it)")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class BuildParams:
    """Options of :func:`build_corpus`.

    Attributes:
        merges: also keep 1-2, 2-1 and 2-2 beads, their sentences joined by a space. Off by
            default: joined pairs are longer and less precise, and 1-1 beads alone already give
            the paper's corpus size.
        min_score: beads with a lower alignment score are left out (0 keeps all).
        gold_titles: tokenize document titles as the DERMIT gold standard writes them, split at
            spaces only (:func:`~wordalign.corpus.tokenize.tokenize_title`); otherwise titles
            are tokenized like sentences.
        sentalign: sentence-aligner parameters.
        bootstrap: dictionary bootstrap thresholds of the second alignment pass.
        filters: filter thresholds.
    """

    merges: bool = False
    min_score: float = 0.0
    gold_titles: bool = True
    sentalign: SentAlignParams = field(default_factory=SentAlignParams)
    bootstrap: BootstrapParams = field(default_factory=BootstrapParams)
    filters: FilterParams = field(default_factory=FilterParams)


@dataclass(slots=True)
class PairStats:
    """What was written for one language pair (Table 1 of Dolev 2023, plus the filters).

    Attributes:
        pair: ``"de-rm"`` etc.
        documents: documents with text in both languages.
        sentences: sentence pairs written.
        tokens_src, tokens_tgt: running tokens of each side.
        types_src, types_tgt: distinct tokens (case-sensitive) of each side.
        beads: beads found by the sentence aligner, by shape (``"1-1"``, ``"2-1"`` ...).
        filters: what the filters removed.
    """

    pair: str
    documents: int = 0
    sentences: int = 0
    tokens_src: int = 0
    tokens_tgt: int = 0
    types_src: int = 0
    types_tgt: int = 0
    beads: dict[str, int] = field(default_factory=dict)
    filters: FilterReport = field(default_factory=FilterReport)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair": self.pair,
            "documents": self.documents,
            "sentences": self.sentences,
            "tokens": [self.tokens_src, self.tokens_tgt],
            "types": [self.types_src, self.types_tgt],
            "beads": dict(self.beads),
            "filters": self.filters.to_dict(),
        }


@dataclass(slots=True)
class BuildResult:
    """Statistics of a build, one :class:`PairStats` per pair, and where the files are.

    ``seconds`` (the build time) is not part of :meth:`to_dict`, so that ``stats.json`` is the
    same on every run.
    """

    out_dir: Path
    pairs: list[PairStats]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": {p.pair: p.to_dict() for p in self.pairs},
            "notice": DATA_NOTICE,
        }

    def format_markdown(self) -> str:
        """``stats.md``: the paper's Table 1 layout, then the filter counts."""
        lines = [
            "# Sentence pairs",
            "",
            DATA_NOTICE,
            "",
            "| Pair | Documents | Sentences | Tokens (src, tgt) | Types (src, tgt) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for p in self.pairs:
            lines.append(
                f"| {p.pair.upper()} | {p.documents:,} | {p.sentences:,} | "
                f"{p.tokens_src:,}, {p.tokens_tgt:,} | {p.types_src:,}, {p.types_tgt:,} |"
            )
        names = list(FilterReport().to_dict())
        lines += [
            "",
            "## Filters (pairs removed; a pair counts under the first filter that removes it)",
            "",
            "| Pair | " + " | ".join(names) + " |",
            "| --- |" + " ---: |" * len(names),
        ]
        for p in self.pairs:
            counts = p.filters.to_dict()
            lines.append(
                f"| {p.pair.upper()} | " + " | ".join(f"{counts[n]:,}" for n in names) + " |"
            )
        shapes = sorted({s for p in self.pairs for s in p.beads})
        lines += [
            "",
            "## Sentence-alignment beads",
            "",
            "| Pair | " + " | ".join(shapes) + " |",
            "| --- |" + " ---: |" * len(shapes),
        ]
        for p in self.pairs:
            lines.append(
                f"| {p.pair.upper()} | "
                + " | ".join(f"{p.beads.get(s, 0):,}" for s in shapes)
                + " |"
            )
        return "\n".join(lines) + "\n"


# One document, segmented and tokenized: per language, the segments and their tokens.
_Prepared = dict[str, tuple[list[str], list[list[str]]]]


def _prepare_chunk(job: tuple[list[Document], tuple[str, ...], bool]) -> list[_Prepared]:
    docs, langs, gold_titles = job
    out: list[_Prepared] = []
    for doc in docs:
        prepared: _Prepared = {}
        for lang in langs:
            segments = segment_document(doc, lang) if doc.has(lang) else []
            tokens = [tokenize(s, lang) for s in segments]
            # segment_document puts the title first, and leaves it out when it is blank.
            if gold_titles and segments and normalize(doc.title.get(lang, "")):
                tokens[0] = tokenize_title(segments[0], lang)
            prepared[lang] = (segments, tokens)
        out.append(prepared)
    return out


def prepare_documents(
    docs: Sequence[Document],
    langs: Sequence[str],
    *,
    gold_titles: bool = True,
    n_jobs: int = 1,
    show_progress: bool = True,
) -> list[_Prepared]:
    """Segment and tokenize every document in every language of ``langs``, in document order.

    Returns:
        Per document, per language: the segments and the tokens of each.
    """
    chunk = 50
    jobs = [
        (list(docs[k : k + chunk]), tuple(langs), gold_titles) for k in range(0, len(docs), chunk)
    ]
    results: list[_Prepared] = []
    if n_jobs > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            for part in progress(
                pool.map(_prepare_chunk, jobs),
                total=len(jobs),
                desc="segment+tokenize",
                enabled=show_progress,
            ):
                results.extend(part)
    else:
        for job in progress(jobs, desc="segment+tokenize", enabled=show_progress):
            results.extend(_prepare_chunk(job))
    return results


def _positions(idx: tuple[int, ...]) -> str:
    return ",".join(map(str, idx))


def _shape_name(bead: Bead) -> str:
    return f"{len(bead.src_idx)}-{len(bead.tgt_idx)}"


def build_pair(
    docs: Sequence[Document],
    prepared: Sequence[_Prepared],
    src_lang: str,
    tgt_lang: str,
    out_dir: Path,
    *,
    params: BuildParams,
    n_jobs: int = 1,
    show_progress: bool = True,
) -> PairStats:
    """Align, filter and write one language pair; returns its statistics."""
    name = f"{src_lang}-{tgt_lang}"
    stats = PairStats(pair=name)
    keep = [k for k, p in enumerate(prepared) if p[src_lang][0] and p[tgt_lang][0]]
    stats.documents = len(keep)
    aligner = CorpusSentenceAligner(
        src_lang,
        tgt_lang,
        params=params.sentalign,
        bootstrap=params.bootstrap,
        n_jobs=n_jobs,
        show_progress=show_progress,
    )
    all_beads = aligner.align([(prepared[k][src_lang][0], prepared[k][tgt_lang][0]) for k in keep])
    logger.info(
        "%s: length ratio %.3f, variance %.2f, dictionary of %d words",
        name,
        aligner.ratio_ or 0.0,
        aligner.variance_ or 0.0,
        len(aligner.dictionary_),
    )
    pair_filter = PairFilter(params.filters)
    src_types: set[str] = set()
    tgt_types: set[str] = set()
    with (
        atomic_writer(out_dir / f"{name}.tsv") as out,
        atomic_writer(out_dir / f"{name}.meta.tsv") as meta,
    ):
        for k, beads in zip(keep, all_beads, strict=True):
            src_tokens = prepared[k][src_lang][1]
            tgt_tokens = prepared[k][tgt_lang][1]
            for bead in beads:
                shape = _shape_name(bead)
                stats.beads[shape] = stats.beads.get(shape, 0) + 1
                if not bead.src_idx or not bead.tgt_idx:
                    continue
                if bead.shape != (1, 1) and not params.merges:
                    continue
                if bead.score < params.min_score:
                    continue
                src = [t for i in bead.src_idx for t in src_tokens[i]]
                tgt = [t for j in bead.tgt_idx for t in tgt_tokens[j]]
                if not pair_filter.keep(src, tgt):
                    continue
                out.write(f"{' '.join(src)}\t{' '.join(tgt)}\n")
                meta.write(
                    f"{docs[k].id}\t{_positions(bead.src_idx)}\t{_positions(bead.tgt_idx)}"
                    f"\t{bead.score:.4f}\n"
                )
                stats.sentences += 1
                stats.tokens_src += len(src)
                stats.tokens_tgt += len(tgt)
                src_types.update(src)
                tgt_types.update(tgt)
    stats.types_src, stats.types_tgt = len(src_types), len(tgt_types)
    stats.filters = pair_filter.report
    stats.beads = dict(sorted(stats.beads.items()))
    return stats


def build_corpus(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    pairs: str | Sequence[str] = DEFAULT_PAIRS,
    years: Sequence[int] | None = None,
    params: BuildParams | None = None,
    n_jobs: int = 2,
    show_progress: bool = True,
) -> BuildResult:
    """Build the sentence-pair files of DERMIT (see the module docstring for the outputs).

    Args:
        data_dir: the DERMIT folder (see :func:`~wordalign.corpus.dermit.resolve_data_dir`).
        out_dir: where to write; created if missing; existing files of the same names are
            replaced (atomically).
        pairs: language pairs, source first (``"de-rm,de-it"`` or a list).
        years: only these years of the corpus (``None``: all).
        params: pipeline options.
        n_jobs: worker processes for segmentation, tokenization and alignment.
        show_progress: show progress bars.

    Returns:
        The statistics that are also written to ``stats.json`` and ``stats.md``.

    Raises:
        WordalignError: for a bad pair name or missing data.
    """
    started = time.perf_counter()
    params = params or BuildParams()
    pair_list = parse_pairs(pairs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = list(iter_documents(Path(data_dir), years))
    langs = tuple(lang for lang in LANGS if any(lang in p for p in pair_list))
    prepared = prepare_documents(
        docs, langs, gold_titles=params.gold_titles, n_jobs=n_jobs, show_progress=show_progress
    )
    result = BuildResult(out_dir=out, pairs=[])
    for src_lang, tgt_lang in pair_list:
        result.pairs.append(
            build_pair(
                docs,
                prepared,
                src_lang,
                tgt_lang,
                out,
                params=params,
                n_jobs=n_jobs,
                show_progress=show_progress,
            )
        )
    result.seconds = time.perf_counter() - started
    atomic_write_text(out / "stats.json", json.dumps(result.to_dict(), indent=2) + "\n")
    atomic_write_text(out / "stats.md", result.format_markdown())
    return result
