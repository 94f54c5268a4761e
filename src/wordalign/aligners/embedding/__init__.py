"""Embedding aligners: SimAlign and awesome-align on any Hugging Face encoder.

The extraction functions are pure numpy and import nothing heavy; the aligner classes load torch
and transformers only when they first align.
"""

from __future__ import annotations

from wordalign.aligners.embedding.argmax import argmax_links, backward_argmax, forward_argmax
from wordalign.aligners.embedding.awesome import AwesomeAlign
from wordalign.aligners.embedding.itermax import itermax_links
from wordalign.aligners.embedding.match import match_links
from wordalign.aligners.embedding.simalign import (
    SimAlign,
    SimAlignArgmax,
    SimAlignItermax,
    SimAlignMatch,
)
from wordalign.aligners.embedding.similarity import (
    apply_distortion,
    cosine_similarity,
    null_align_filter,
    word_links,
)
from wordalign.aligners.embedding.softmax import (
    awesome_links,
    awesome_probabilities,
    entmax15,
    link_strength,
    pair_scores,
    softmax,
)

__all__ = [
    "AwesomeAlign",
    "SimAlign",
    "SimAlignArgmax",
    "SimAlignItermax",
    "SimAlignMatch",
    "apply_distortion",
    "argmax_links",
    "awesome_links",
    "awesome_probabilities",
    "backward_argmax",
    "cosine_similarity",
    "entmax15",
    "forward_argmax",
    "itermax_links",
    "link_strength",
    "match_links",
    "null_align_filter",
    "pair_scores",
    "softmax",
    "word_links",
]
