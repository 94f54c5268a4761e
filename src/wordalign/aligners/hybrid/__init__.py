"""Aligners that combine an encoder's evidence with a statistical model's."""

from __future__ import annotations

from wordalign.aligners.hybrid.encoder_posteriors import similarity_posteriors
from wordalign.aligners.hybrid.hybrid import Evidence, Hybrid

__all__ = ["Evidence", "Hybrid", "similarity_posteriors"]
