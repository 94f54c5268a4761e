"""Building and searching the sparse lexical tables of the statistical aligners (numba).

IBM Model 1 and fastalign store t(f|e) only for co-occurring pairs: one row per source word
(row 0 = NULL), each row's target ids sorted (CSR), so that memory stays linear in the corpus.
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
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


@njit(cache=True, nogil=True)
def word_sentences(
    src_ids: np.ndarray, src_offsets: np.ndarray, trained: np.ndarray, n_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted index: the distinct ``trained`` sentences each source word occurs in.

    The sentences of word ``e`` are ``sents[occ[e]:occ[e + 1]]``, ascending. Building the
    tables' rows from it (with a marker array over target words) keeps the work linear in the
    corpus, instead of a global sort of every co-occurring pair.
    """
    # One scan lists every (word, sentence) pair once, in sentence order; a counting sort by
    # word then groups them, each word's sentences staying ascending.
    last = np.full(n_words, -1, dtype=np.int64)
    pair_word = np.empty(len(src_ids), dtype=np.int32)
    pair_sent = np.empty(len(src_ids), dtype=np.int32)
    n = 0
    for k in range(src_offsets.shape[0] - 1):
        if not trained[k]:
            continue
        for p in range(src_offsets[k], src_offsets[k + 1]):
            e = src_ids[p]
            if last[e] != k:
                last[e] = k
                pair_word[n] = e
                pair_sent[n] = k
                n += 1
    occ = np.zeros(n_words + 1, dtype=np.int64)
    occ[1:] = np.cumsum(np.bincount(pair_word[:n], minlength=n_words))
    sents = np.empty(n, dtype=np.int64)
    fill = occ[:-1].copy()
    for i in range(n):
        sents[fill[pair_word[i]]] = pair_sent[i]
        fill[pair_word[i]] += 1
    return occ, sents


@njit(cache=True, nogil=True)
def grown(a: np.ndarray, size: int) -> np.ndarray:
    """A copy of ``a`` with room for ``size`` entries (the rest uninitialised): the output
    buffers of kernels whose result size is known only at the end."""
    out = np.empty(size, dtype=a.dtype)
    # A loop, not a slice assignment: numba compiles the slice's shape-mismatch error message,
    # some 2 s of a cold start.
    for k in range(len(a)):
        out[k] = a[k]
    return out


@njit(cache=True, nogil=True)
def _sift_down(keys: np.ndarray, carry: np.ndarray, root: int, end: int) -> None:
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and keys[child] < keys[child + 1]:
            child += 1
        if keys[root] >= keys[child]:
            return
        keys[root], keys[child] = keys[child], keys[root]
        if len(carry):
            carry[root], carry[child] = carry[child], carry[root]
        root = child


@njit(cache=True, nogil=True)
def sort_row(keys: np.ndarray, carry: np.ndarray) -> None:
    """Sort ``keys`` ascending in place (heapsort; a table row's keys are distinct, so stability
    does not matter), making the same swaps in ``carry`` (as long as ``keys``, or empty).

    Not ``np.sort``/``np.argsort``: with both loaded from numba's on-disk cache, IBM1's table
    build (``np.sort``) followed by fastalign's row sort (``np.argsort``) in one process crashed
    it (segmentation fault in fastalign's ``sort_rows``, numba 0.68.1: the second ``make test``
    on a warm cache, in tests/cli/test_align_cli.py); freshly compiled, the same run passes.
    A sort of our own is compiled into each kernel like any other code."""
    n = len(keys)
    for start in range(n // 2 - 1, -1, -1):
        _sift_down(keys, carry, start, n)
    for end in range(n - 1, 0, -1):
        keys[0], keys[end] = keys[end], keys[0]
        if len(carry):
            carry[0], carry[end] = carry[end], carry[0]
        _sift_down(keys, carry, 0, end)
