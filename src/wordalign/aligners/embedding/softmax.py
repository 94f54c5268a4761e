"""awesome-align's extraction (Dou & Neubig 2021, §2.1).

The dot products of source and target subword vectors are normalised with softmax over the
target side and, separately, over the source side; a pair is linked when both probabilities
exceed a threshold (1e-3), i.e. the intersection of the two directions. With ``entmax15``
(α-entmax, α = 1.5, Peters et al. 2019) the normalisation is sparse and the threshold is 0.
"""

from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    """Numerically stable softmax along ``axis``."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    result: np.ndarray = e / e.sum(axis=axis, keepdims=True)
    return result


def entmax15(scores: np.ndarray, axis: int) -> np.ndarray:
    """1.5-entmax along ``axis`` (exact, by sorting; Peters et al. 2019, Algorithm 2).

    Like softmax it returns a distribution, but low scores get exactly zero probability.
    """
    z = np.moveaxis(scores, axis, -1).astype(np.float64) / 2.0
    z = z - z.max(axis=-1, keepdims=True)
    srt = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=np.float64)
    mean = np.cumsum(srt, axis=-1) / k
    mean_sq = np.cumsum(srt**2, axis=-1) / k
    delta = (1.0 - k * (mean_sq - mean**2)) / k
    tau = mean - np.sqrt(np.clip(delta, 0.0, None))
    support = (tau <= srt).sum(axis=-1, keepdims=True)
    tau_star = np.take_along_axis(tau, support - 1, axis=-1)
    p = np.clip(z - tau_star, 0.0, None) ** 2
    result: np.ndarray = np.moveaxis(p, -1, axis).astype(scores.dtype)
    return result


def awesome_links(
    scores: np.ndarray, threshold: float = 1e-3, extraction: str = "softmax"
) -> np.ndarray:
    """Boolean ``(m, n)``: pairs probable in both directions.

    Args:
        scores: ``(m, n)`` dot products of source and target subword vectors.
        threshold: Probability both directions must exceed (``softmax``; 0 for ``entmax15``,
            as in the reference).
        extraction: ``softmax`` or ``entmax15``.

    Example:
        >>> awesome_links(np.array([[5.0, 0.0], [0.0, 5.0]]), threshold=0.1).astype(int).tolist()
        [[1, 0], [0, 1]]
    """
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=bool)
    if extraction == "softmax":
        src_to_tgt, tgt_to_src, cut = softmax(scores, 1), softmax(scores, 0), threshold
    elif extraction == "entmax15":
        src_to_tgt, tgt_to_src, cut = entmax15(scores, 1), entmax15(scores, 0), 0.0
    else:
        raise ValueError(f"unknown extraction {extraction!r}; use softmax or entmax15")
    result: np.ndarray = (src_to_tgt > cut) & (tgt_to_src > cut)
    return result


def awesome_probabilities(scores: np.ndarray) -> np.ndarray:
    """awesome-align's per-link probability: harmonic mean of the two directions' softmaxes.

    Each direction's scores are divided by the square root of the length of the side normalised
    over, which flattens the distributions of long sentences (the reference's heuristic behind
    ``--output_prob_file``).
    """
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=np.float64)
    m, n = scores.shape
    src_to_tgt = softmax(scores / np.sqrt(n), 1)
    tgt_to_src = softmax(scores / np.sqrt(m), 0)
    result: np.ndarray = 2 * src_to_tgt * tgt_to_src / (src_to_tgt + tgt_to_src + 1e-9)
    return result
