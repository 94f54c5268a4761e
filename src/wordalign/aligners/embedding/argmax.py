"""SimAlign's Argmax: links that are each other's best match (Jalili Sabet et al. 2020, §2.2).

``(i, j)`` is linked when ``j`` is the most similar target of ``i`` *and* ``i`` the most similar
source of ``j`` — the intersection of the forward and backward argmax alignments.
"""

from __future__ import annotations

import numpy as np


def forward_argmax(sim: np.ndarray) -> np.ndarray:
    """Boolean ``(m, n)``: each source row linked to its most similar column (first on ties)."""
    out = np.zeros(sim.shape, dtype=bool)
    if sim.size:
        out[np.arange(sim.shape[0]), sim.argmax(axis=1)] = True
    return out


def backward_argmax(sim: np.ndarray) -> np.ndarray:
    """Boolean ``(m, n)``: each target column linked to its most similar row (first on ties)."""
    out = np.zeros(sim.shape, dtype=bool)
    if sim.size:
        out[sim.argmax(axis=0), np.arange(sim.shape[1])] = True
    return out


def argmax_links(sim: np.ndarray) -> np.ndarray:
    """SimAlign Argmax: the intersection of :func:`forward_argmax` and :func:`backward_argmax`.

    Example:
        >>> sim = np.array([[0.9, 0.2], [0.8, 0.3]])
        >>> argmax_links(sim).astype(int).tolist()
        [[1, 0], [0, 0]]
    """
    links: np.ndarray = forward_argmax(sim) & backward_argmax(sim)
    return links
