"""Link posteriors from an encoder: a softmax over cosine similarities of contextual word vectors.

A directional model's link posterior ``P(a_j = i)`` says how probable it is that source word
``i`` generated target word ``j`` (:mod:`~wordalign.aligners.statistical.posteriors`). An
encoder offers the same kind of evidence without training: the closer two words' contextual
vectors, the likelier they translate each other. Turning each word's row of cosine
similarities into a distribution by a softmax with temperature ``T`` (awesome-align's
extraction, Dou & Neubig 2021 §2.1, on cosines instead of raw dot products so that one
temperature fits any encoder) gives posteriors in the directional models' format, which can
then be mixed with theirs (:meth:`LinkPosteriors.mix`) and symmetrized by the same kernels.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from wordalign.aligners.embedding.similarity import _unit_rows
from wordalign.aligners.embedding.softmax import softmax
from wordalign.aligners.statistical.posteriors import LinkPosteriors

__all__ = ["similarity_posteriors"]


def similarity_posteriors(
    word_vectors: Iterable[tuple[np.ndarray, np.ndarray]],
    temperature: float,
    floor: float = 0.0,
) -> tuple[LinkPosteriors, LinkPosteriors]:
    """Forward and reverse link posteriors of a corpus from its word vectors.

    Args:
        word_vectors: per sentence pair, ``(m, d)`` source and ``(n, d)`` target word vectors
            (a side may be empty).
        temperature: of the softmax over cosine similarities (in [-1, 1]); small values make
            each word's distribution peak on its most similar word.
        floor: entries below it are not stored (as in the directional models).

    Returns:
        ``(forward, reverse)``: for every target token (numbered across the corpus) a
        distribution over the source positions of its sentence, and for every source token one
        over the target positions. No NULL entries: every word is taken to have a translation.

    Example:
        >>> src = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> fwd, rev = similarity_posteriors([(src, src[::-1])], temperature=0.1, floor=0.01)
        >>> fwd.token(0)
        {1: 0.9999...}
    """
    parts: dict[str, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = {
        "forward": ([], [], []),
        "reverse": ([], [], []),
    }
    for src, tgt in word_vectors:
        m, n = len(src), len(tgt)
        if m == 0 or n == 0:
            # Tokens of a pair with an empty side have nothing to link to: no entries.
            parts["forward"][0].append(np.zeros(n, dtype=np.int64))
            parts["reverse"][0].append(np.zeros(m, dtype=np.int64))
            continue
        cos = _unit_rows(np.asarray(src, np.float64)) @ _unit_rows(np.asarray(tgt, np.float64)).T
        for label, grid in (("forward", cos.T), ("reverse", cos)):
            probs = softmax(grid / temperature, axis=1)
            keep = probs >= floor
            counts, positions, values = parts[label]
            counts.append(keep.sum(axis=1))
            positions.append(np.nonzero(keep)[1])
            values.append(probs[keep])
    return (
        _assemble(*parts["forward"]),
        _assemble(*parts["reverse"]),
    )


def _assemble(
    counts: list[np.ndarray], positions: list[np.ndarray], values: list[np.ndarray]
) -> LinkPosteriors:
    if not counts:
        return LinkPosteriors.empty(0)
    return LinkPosteriors.from_counts(
        np.concatenate(counts),
        np.concatenate(positions) if positions else np.zeros(0, np.int32),
        np.concatenate(values) if values else np.zeros(0, np.float32),
    )
