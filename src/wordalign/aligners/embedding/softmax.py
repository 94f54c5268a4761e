"""awesome-align's extraction (Dou & Neubig 2021, §2.1), and what makes it work on any encoder.

The dot products of source and target subword vectors are normalised with softmax over the
target side and, separately, over the source side; a pair is linked when both probabilities
exceed a threshold (1e-3), i.e. the intersection of the two directions. With ``entmax15``
(α-entmax, α = 1.5, Peters et al. 2019) the normalisation is sparse and the threshold is 0.

The threshold of 1e-3 suits mBERT's dot products, whose scale makes each softmax peaked; other
encoders give other scales (multilingual-e5-small's are flatter, and AER suffers). Three options
make the probabilities comparable across encoders: :func:`pair_scores` compares
L2-normalised vectors (cosine, scale-free) and can first subtract the pair's mean vector (the
direction every vector shares), and a softmax temperature sets how peaked the distributions
are. :func:`link_strength` is the number a pair must exceed the threshold by, so one pass gives
the links at every threshold (:meth:`AwesomeAlign.sweep`).
"""

from __future__ import annotations

import numpy as np

from wordalign.aligners.embedding.similarity import _unit_rows


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


def pair_scores(
    src: np.ndarray, tgt: np.ndarray, cosine: bool = False, center: bool = False
) -> np.ndarray:
    """``(m, n)`` dot products of the source and target vectors, optionally made scale-free.

    Args:
        src: ``(m, d)`` source subword vectors.
        tgt: ``(n, d)`` target subword vectors.
        cosine: Scale every (centred) vector to unit length first, so the scores are cosines in
            [-1, 1] whatever the encoder's scale (a zero vector stays zero).
        center: Subtract the mean of all ``m + n`` vectors of the pair first: the direction
            every vector of an anisotropic encoder shares then no longer dominates the scores.
            One mean for both sides, so a one-subword side keeps its vector.

    Returns:
        The scores in float64 when ``cosine`` or ``center`` is set; without either exactly
        ``src @ tgt.T`` (the reference's numbers, in the input dtype).

    Example:
        >>> pair_scores(np.array([[2.0, 0.0]]), np.array([[3.0, 0.0], [0.0, 1.0]]), cosine=True)
        array([[1., 0.]])
    """
    if not (cosine or center):
        dots: np.ndarray = src @ tgt.T
        return dots
    a, b = src.astype(np.float64), tgt.astype(np.float64)
    if center and len(a) + len(b) > 0:
        mean = (a.sum(axis=0) + b.sum(axis=0)) / (len(a) + len(b))
        a, b = a - mean, b - mean
    if cosine:
        a, b = _unit_rows(a), _unit_rows(b)
    result: np.ndarray = a @ b.T
    return result


def link_strength(
    scores: np.ndarray, extraction: str = "softmax", temperature: float = 1.0
) -> np.ndarray:
    """``(m, n)``: the smaller of a pair's two directional probabilities.

    A pair is linked at threshold ``t`` exactly when its strength exceeds ``t``
    (:func:`awesome_links`), so the strengths give the links at every threshold at once.

    Args:
        scores: ``(m, n)`` scores of source and target subwords (:func:`pair_scores`).
        extraction: ``softmax`` or ``entmax15``.
        temperature: The scores are divided by it before normalising (1 = the reference);
            lower is more peaked.

    Example:
        >>> link_strength(np.array([[1.0, 0.0], [0.0, 0.0]]), temperature=0.5).round(3).tolist()
        [[0.881, 0.119], [0.119, 0.5]]
    """
    if not (temperature > 0.0 and np.isfinite(temperature)):
        raise ValueError(f"the temperature must be positive and finite, not {temperature}")
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=np.float64)
    if temperature != 1.0:
        scores = scores / temperature
    if extraction == "softmax":
        src_to_tgt, tgt_to_src = softmax(scores, 1), softmax(scores, 0)
    elif extraction == "entmax15":
        src_to_tgt, tgt_to_src = entmax15(scores, 1), entmax15(scores, 0)
    else:
        raise ValueError(f"unknown extraction {extraction!r}; use softmax or entmax15")
    result: np.ndarray = np.minimum(src_to_tgt, tgt_to_src)
    return result


def awesome_links(
    scores: np.ndarray,
    threshold: float = 1e-3,
    extraction: str = "softmax",
    temperature: float = 1.0,
) -> np.ndarray:
    """Boolean ``(m, n)``: pairs probable in both directions.

    Args:
        scores: ``(m, n)`` dot products of source and target subword vectors (or another
            :func:`pair_scores`).
        threshold: Probability both directions must exceed (``softmax``; 0 for ``entmax15``,
            as in the reference).
        extraction: ``softmax`` or ``entmax15``.
        temperature: The scores are divided by it before normalising (1 = the reference).

    Example:
        >>> awesome_links(np.array([[5.0, 0.0], [0.0, 5.0]]), threshold=0.1).astype(int).tolist()
        [[1, 0], [0, 1]]
    """
    cut = 0.0 if extraction == "entmax15" else threshold
    # min(p, q) > cut is exactly (p > cut) & (q > cut): the reference's rule.
    result: np.ndarray = link_strength(scores, extraction, temperature) > cut
    return result


def awesome_probabilities(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """awesome-align's per-link probability: harmonic mean of the two directions' softmaxes.

    Each direction's scores are divided by the square root of the length of the side normalised
    over, which flattens the distributions of long sentences (the reference's heuristic behind
    ``--output_prob_file``), and by ``temperature`` (1 = the reference).
    """
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=np.float64)
    if temperature != 1.0:
        scores = scores / temperature
    m, n = scores.shape
    src_to_tgt = softmax(scores / np.sqrt(n), 1)
    tgt_to_src = softmax(scores / np.sqrt(m), 0)
    result: np.ndarray = 2 * src_to_tgt * tgt_to_src / (src_to_tgt + tgt_to_src + 1e-9)
    return result
