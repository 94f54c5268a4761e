"""SimAlign's Match: a maximum-weight maximum-cardinality bipartite matching (§2.2).

The reference package runs networkx's general-graph blossom algorithm
(``max_weight_matching(maxcardinality=True)``) on the bipartite graph of the similarity matrix.
On a complete bipartite graph with positive weights every maximum-cardinality matching has
``min(m, n)`` edges, so the problem is a rectangular linear assignment, which scipy's
``linear_sum_assignment`` solves exactly and orders of magnitude faster. With a unique optimum
(the generic case of real-valued similarities) both return the same links; among exactly tied
optima the two solvers may pick different ones.
"""

from __future__ import annotations

import numpy as np


def match_links(sim: np.ndarray) -> np.ndarray:
    """Boolean ``(m, n)``: the maximum-weight matching of ``min(m, n)`` links.

    Entries equal to 0 are not edges (as in the reference, which builds a sparse graph), so a
    pair with zero similarity is never linked.

    Example:
        >>> sim = np.array([[0.9, 0.8], [0.85, 0.1]])
        >>> match_links(sim).astype(int).tolist()
        [[0, 1], [1, 0]]
    """
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    out = np.zeros(sim.shape, dtype=bool)
    if sim.size == 0:
        return out
    rows, cols = linear_sum_assignment(sim, maximize=True)
    keep = sim[rows, cols] != 0
    out[rows[keep], cols[keep]] = True
    return out
