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
from wordalign.io.bitext import load_bitext, read_bitext, read_parallel, write_bitext
from wordalign.io.pharaoh import read_pharaoh, write_pharaoh
from wordalign.registry import aligner_names, get_aligner
from wordalign.types import Alignment, Link, SentencePair

__all__ = [
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
    "get_aligner",
    "load_bitext",
    "read_bitext",
    "read_parallel",
    "read_pharaoh",
    "write_bitext",
    "write_pharaoh",
]
