"""SimAlign's IterMax (Jalili Sabet et al. 2020, §2.2, Algorithm 1).

Argmax leaves many words unaligned. IterMax repeats it on a re-weighted matrix: a pair whose
words are both still unaligned keeps its similarity, a pair with exactly one unaligned word is
damped by ``alpha = 0.9``, and a pair of two aligned words is excluded; new mutual argmax links
that touch an unaligned word are added. As in the reference package, iteration stops when a round
adds nothing, when one side is fully aligned, or after ``max_count`` rounds in total (the
package's default, 2, means one round beyond Argmax), and pairs with a side of at most two
tokens get plain Argmax.
"""

from __future__ import annotations

import numpy as np

from wordalign.aligners.embedding.argmax import argmax_links


def itermax_links(sim: np.ndarray, max_count: int = 2, alpha: float = 0.9) -> np.ndarray:
    """Boolean ``(m, n)`` IterMax alignment of a similarity matrix.

    Args:
        sim: ``(m, n)`` similarities.
        max_count: Rounds in total, Argmax included (the reference's ``max_count``).
        alpha: Weight of pairs with exactly one word already aligned.

    Example:
        >>> sim = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.1], [0.1, 0.1, 0.9]])
        >>> itermax_links(sim).astype(int).tolist()
        [[1, 1, 0], [1, 0, 0], [0, 0, 1]]
    """
    links: np.ndarray = argmax_links(sim)
    m, n = sim.shape
    if min(m, n) <= 2:
        return links
    for _ in range(max_count - 1):
        src_free = ~np.asarray(links.any(axis=1))
        tgt_free = ~np.asarray(links.any(axis=0))
        if not src_free.any() or not tgt_free.any():
            break
        free_src = src_free[:, np.newaxis].astype(np.float64)
        free_tgt = tgt_free[np.newaxis, :].astype(np.float64)
        # 1 when both words are free, alpha when one is, 0 when neither is.
        weight = np.clip(alpha * free_src + alpha * free_tgt, 0.0, 1.0)
        eligible = src_free[:, np.newaxis] | tgt_free[np.newaxis, :]
        new: np.ndarray = argmax_links(sim * weight) & eligible
        if not (new & ~links).any():
            break
        links = links | new
    return links
