"""The local web app for looking at alignments and annotating gold standards.

The storage (:mod:`~wordalign.viewer.storage`), agreement maths
(:mod:`~wordalign.viewer.agreement`) and AlignMan exchange (:mod:`~wordalign.viewer.alignman`)
need only the standard library; the web app itself (:mod:`~wordalign.viewer.app`) needs Flask,
from the ``viewer`` extra: ``pip install 'wordalign[viewer]'``.
"""

from wordalign.viewer.agreement import (
    agreement_table,
    annotator_aer,
    cohen_kappa,
    merge_alignments,
    merge_corpus,
)
from wordalign.viewer.alignman import export_alignman, import_alignman
from wordalign.viewer.storage import AnnotationStore

__all__ = [
    "AnnotationStore",
    "agreement_table",
    "annotator_aer",
    "cohen_kappa",
    "export_alignman",
    "import_alignman",
    "merge_alignments",
    "merge_corpus",
]
