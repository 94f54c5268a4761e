"""Suggested links for a new annotation project, from any registered aligner."""

from __future__ import annotations

from collections.abc import Sequence

from wordalign.errors import MissingDependencyError
from wordalign.types import Alignment, SentencePair

__all__ = ["suggest"]


def suggest(method: str, pairs: Sequence[SentencePair]) -> list[Alignment]:
    """Links of the registered aligner ``method`` on ``pairs``, fitted on the pairs themselves.

    Raises:
        UnknownNameError: for a name the registry does not know.
        MissingDependencyError: when the aligner cannot be loaded.
    """
    from wordalign.registry import get_aligner

    try:
        aligner = get_aligner(method)
    except ImportError as exc:
        raise MissingDependencyError(f"the aligner {method!r} cannot be loaded: {exc}") from None
    return list(aligner.fit_align(list(pairs)))
