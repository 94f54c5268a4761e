"""wordalign: word alignment of parallel text for low-resource and unseen languages.

Everything public is importable from here. The core (types, formats, evaluation,
symmetrization, the registry) loads at once; aligner classes and the corpus pipeline load on
first use, so that ``import wordalign`` never imports numba or torch.

Example:
    >>> from wordalign import Alignment, evaluate
    >>> gold = [Alignment([(0, 0), (1, 1)])]
    >>> evaluate(gold, [Alignment([(0, 0)])]).recall
    0.5
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wordalign._version import __version__
from wordalign.aligners.base import Aligner
from wordalign.combination import combine
from wordalign.errors import (
    InputFormatError,
    LengthMismatchError,
    MissingDependencyError,
    NotFittedError,
    UnknownNameError,
    WordalignError,
)
from wordalign.evaluation.metrics import AERResult, AERStats, evaluate, evaluate_sentences
from wordalign.io.alignments import read_alignments
from wordalign.io.bitext import load_bitext, read_bitext, read_parallel, write_bitext
from wordalign.io.naacl import read_naacl, write_naacl
from wordalign.io.pharaoh import read_pharaoh, write_pharaoh
from wordalign.registry import aligner_names, get_aligner
from wordalign.symmetrization import METHODS as SYMMETRIZATION_METHODS
from wordalign.symmetrization import symmetrize, symmetrize_all
from wordalign.types import Alignment, Link, PackedAlignments, SentencePair

# Public names that live in modules with heavy imports: name -> module, resolved on first access.
_LAZY: dict[str, str] = {
    "IBM1": "wordalign.aligners.statistical.ibm1",
    "FastAlign": "wordalign.aligners.statistical.fastalign",
    "Eflomal": "wordalign.aligners.statistical.eflomal",
    "pivot_prior": "wordalign.aligners.statistical.pivot",
    "LexicalPrior": "wordalign.aligners.statistical.pivot",
    "SimAlign": "wordalign.aligners.embedding.simalign",
    "AwesomeAlign": "wordalign.aligners.embedding.awesome",
    "Hybrid": "wordalign.aligners.hybrid.hybrid",
    "EmbeddingMap": "wordalign.embed.mapping",
    "fit_map": "wordalign.embed.mapping",
    "load_map": "wordalign.embed.mapping",
    "Document": "wordalign.corpus.dermit",
    "iter_documents": "wordalign.corpus.dermit",
    "download_dermit": "wordalign.corpus.dermit",
    "resolve_data_dir": "wordalign.corpus.dermit",
    "segment": "wordalign.corpus.segment",
    "segment_document": "wordalign.corpus.segment",
    "tokenize": "wordalign.corpus.tokenize",
    "normalize": "wordalign.corpus.tokenize",
    "align_sentences": "wordalign.corpus.sentalign",
    "Bead": "wordalign.corpus.sentalign",
    "CorpusSentenceAligner": "wordalign.corpus.sentalign",
    "build_corpus": "wordalign.corpus.build",
    "FilterReport": "wordalign.corpus.filters",
    "finetune": "wordalign.finetuning.trainer",
    "run_methods": "wordalign.experiments.methods",
    "MethodsRun": "wordalign.experiments.methods",
    "run_learning_curve": "wordalign.experiments.learning_curve",
    "FinetuneResult": "wordalign.finetuning.trainer",
}

if TYPE_CHECKING:
    from wordalign.aligners.embedding.awesome import AwesomeAlign
    from wordalign.aligners.embedding.simalign import SimAlign
    from wordalign.aligners.hybrid.hybrid import Hybrid
    from wordalign.aligners.statistical.eflomal import Eflomal
    from wordalign.aligners.statistical.fastalign import FastAlign
    from wordalign.aligners.statistical.ibm1 import IBM1
    from wordalign.aligners.statistical.pivot import LexicalPrior, pivot_prior
    from wordalign.corpus.build import build_corpus
    from wordalign.corpus.dermit import (
        Document,
        download_dermit,
        iter_documents,
        resolve_data_dir,
    )
    from wordalign.corpus.filters import FilterReport
    from wordalign.corpus.segment import segment, segment_document
    from wordalign.corpus.sentalign import Bead, CorpusSentenceAligner, align_sentences
    from wordalign.corpus.tokenize import normalize, tokenize
    from wordalign.embed.mapping import EmbeddingMap, fit_map, load_map
    from wordalign.experiments.learning_curve import run_learning_curve
    from wordalign.experiments.methods import MethodsRun, run_methods
    from wordalign.finetuning.trainer import FinetuneResult, finetune


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordalign' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "IBM1",
    "SYMMETRIZATION_METHODS",
    "AERResult",
    "AERStats",
    "Aligner",
    "Alignment",
    "AwesomeAlign",
    "Bead",
    "CorpusSentenceAligner",
    "Document",
    "Eflomal",
    "EmbeddingMap",
    "FastAlign",
    "FilterReport",
    "FinetuneResult",
    "Hybrid",
    "InputFormatError",
    "LengthMismatchError",
    "LexicalPrior",
    "Link",
    "MethodsRun",
    "MissingDependencyError",
    "NotFittedError",
    "PackedAlignments",
    "SentencePair",
    "SimAlign",
    "UnknownNameError",
    "WordalignError",
    "__version__",
    "align_sentences",
    "aligner_names",
    "build_corpus",
    "combine",
    "download_dermit",
    "evaluate",
    "evaluate_sentences",
    "finetune",
    "fit_map",
    "get_aligner",
    "iter_documents",
    "load_bitext",
    "load_map",
    "normalize",
    "pivot_prior",
    "read_alignments",
    "read_bitext",
    "read_naacl",
    "read_parallel",
    "read_pharaoh",
    "resolve_data_dir",
    "run_learning_curve",
    "run_methods",
    "segment",
    "segment_document",
    "symmetrize",
    "symmetrize_all",
    "tokenize",
    "write_bitext",
    "write_naacl",
    "write_pharaoh",
]
