"""Similarity matrices and the matrix-to-links steps shared by the embedding aligners.

SimAlign (Jalili Sabet et al. 2020, §2) scores a subword or word pair by its cosine similarity
mapped to [0, 1], ``(cos + 1) / 2``, optionally damped by a distortion penalty; an extraction
method (argmax, itermax, match) then turns the matrix into a 0/1 alignment matrix, and subword
links become word links when any subwords of the two words are linked.
"""

from __future__ import annotations

import numpy as np

from wordalign.types import Link


def cosine_similarity(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """``(cos + 1) / 2`` of every source row against every target row, in the input dtype.

    Rows are scaled to unit length first (a zero row stays zero), as scikit-learn's
    ``cosine_similarity``, which SimAlign uses, does; this keeps float32 results bit-close to it.

    Args:
        src: ``(m, d)`` source vectors.
        tgt: ``(n, d)`` target vectors.

    Returns:
        ``(m, n)`` similarities in [0, 1].

    Example:
        >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
        array([[1., 0.]])
    """
    sim: np.ndarray = (_unit_rows(src) @ _unit_rows(tgt).T + 1.0) / 2.0
    return sim


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms == 0.0] = 1.0
    unit: np.ndarray = x / norms[:, np.newaxis]
    return unit


def apply_distortion(sim: np.ndarray, kappa: float) -> np.ndarray:
    """Damp similarities of pairs far from the diagonal (SimAlign §2.3).

    Each entry is multiplied by ``1 - kappa * (j / (n - 1) - i / (m - 1))**2``, the squared
    distance of the two relative positions. ``kappa = 0`` (SimAlign's default) or a side with
    fewer than two tokens returns ``sim`` unchanged.
    """
    m, n = sim.shape
    if kappa == 0.0 or m < 2 or n < 2:
        return sim
    rel_src = np.arange(m, dtype=np.float64) / float(m - 1)
    rel_tgt = np.arange(n, dtype=np.float64) / float(n - 1)
    penalty = 1.0 - (rel_tgt[np.newaxis, :] - rel_src[:, np.newaxis]) ** 2 * kappa
    damped: np.ndarray = np.multiply(sim, penalty)
    return damped


def null_align_filter(sim: np.ndarray, links: np.ndarray, percentile: float) -> np.ndarray:
    """Unlink words whose similarity distribution is too flat to trust (SimAlign §2.3, null).

    Each source row and target column of ``sim`` is normalised to a distribution and its entropy
    measured; a word whose entropy lies above the ``percentile``-th percentile of its side's
    entropies in this sentence pair loses all its links (it is aligned to null). Matches the idea
    of the SimAlign paper; the reference package ships no implementation to compare with.

    Args:
        sim: ``(m, n)`` non-negative similarities.
        links: ``(m, n)`` boolean alignment matrix.
        percentile: In [0, 100]; 100 keeps every link.

    Returns:
        A copy of ``links`` with the rows and columns of null-aligned words cleared.
    """
    if not 0.0 <= percentile <= 100.0:
        raise ValueError(f"null-alignment percentile must be in [0, 100], not {percentile}")
    out = links.copy()
    if sim.size == 0 or percentile >= 100.0:
        return out
    row_entropy = _entropy(sim, axis=1)
    col_entropy = _entropy(sim, axis=0)
    out[row_entropy > np.percentile(row_entropy, percentile), :] = False
    out[:, col_entropy > np.percentile(col_entropy, percentile)] = False
    return out


def _entropy(weights: np.ndarray, axis: int) -> np.ndarray:
    w = np.clip(weights.astype(np.float64), 0.0, None)
    total = w.sum(axis=axis, keepdims=True)
    total[total == 0.0] = 1.0
    p = w / total
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0.0, -p * np.log(p), 0.0)
    result: np.ndarray = terms.sum(axis=axis)
    return result


def word_links(
    links: np.ndarray,
    src_word_ids: np.ndarray | None = None,
    tgt_word_ids: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> tuple[list[Link], dict[Link, float] | None]:
    """Word links from a boolean subword (or word) alignment matrix.

    A word pair is linked when any of their subwords are (SimAlign's and awesome-align's rule).

    Args:
        links: ``(m, n)`` boolean matrix.
        src_word_ids: Word index of each row; ``None`` when rows already are words.
        tgt_word_ids: Word index of each column; ``None`` when columns already are words.
        scores: Optional ``(m, n)`` scores; a word link gets the largest of its subword links'.

    Returns:
        The sorted links and, when ``scores`` is given, their scores.
    """
    rows, cols = np.nonzero(links)
    src = rows if src_word_ids is None else src_word_ids[rows]
    tgt = cols if tgt_word_ids is None else tgt_word_ids[cols]
    if scores is None:
        return sorted({(int(i), int(j)) for i, j in zip(src, tgt, strict=True)}), None
    best: dict[Link, float] = {}
    for i, j, value in zip(src, tgt, scores[rows, cols], strict=True):
        key = (int(i), int(j))
        best[key] = max(best.get(key, -np.inf), float(value))
    return sorted(best), best
