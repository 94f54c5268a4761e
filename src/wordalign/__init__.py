"""wordalign: word alignment of parallel text for low-resource and unseen languages.

Example:
    >>> from wordalign import get_aligner, evaluate
    >>> aligner = get_aligner("ibm1")  # doctest: +SKIP
"""

from wordalign._version import __version__
from wordalign.aligners.base import Aligner
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
from wordalign.symmetrize import METHODS as SYMMETRIZATION_METHODS
from wordalign.symmetrize import symmetrize, symmetrize_all
from wordalign.types import Alignment, Link, SentencePair

__all__ = [
    "SYMMETRIZATION_METHODS",
    "AERResult",
    "AERStats",
    "Aligner",
    "Alignment",
    "InputFormatError",
    "LengthMismatchError",
    "Link",
    "MissingDependencyError",
    "NotFittedError",
    "SentencePair",
    "UnknownNameError",
    "WordalignError",
    "__version__",
    "aligner_names",
    "evaluate",
    "evaluate_sentences",
    "get_aligner",
    "load_bitext",
    "read_alignments",
    "read_bitext",
    "read_naacl",
    "read_parallel",
    "read_pharaoh",
    "symmetrize",
    "symmetrize_all",
    "write_bitext",
    "write_naacl",
    "write_pharaoh",
]
