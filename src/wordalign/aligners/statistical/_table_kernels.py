"""Lookups in the sparse lexical tables of the statistical aligners (numba).

IBM Model 1 and fastalign store t(f|e) only for co-occurring pairs: one row per source word
(row 0 = NULL), each row's target ids sorted (CSR), so that memory stays linear in the corpus.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def find_entry(row_ptr: np.ndarray, cols: np.ndarray, row: int, f: int) -> int:
    """Index of pair (row, f) in the table, or -1 when absent (binary search in the row)."""
    if row < 0 or row + 1 >= row_ptr.shape[0] or f < 0:
        return -1
    lo = row_ptr[row]
    hi = row_ptr[row + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        c = cols[mid]
        if c < f:
            lo = mid + 1
        elif c > f:
            hi = mid
        else:
            return int(mid)
    return -1
