"""Aligners: the shared contract (:mod:`.base`), statistical and embedding implementations."""

from wordalign.aligners.base import Aligner, as_pairs

__all__ = ["Aligner", "as_pairs"]
