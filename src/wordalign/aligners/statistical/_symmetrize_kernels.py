"""Numba symmetrization of two directional Viterbi arrays over a whole corpus.

The same heuristics as :mod:`wordalign.symmetrization` (which stays the reference and the API for
alignments read from files), computed on a small grid per sentence instead of Python sets: on the
100k DERMIT pairs the set version took 7 s single-threaded at the end of every eflomal run, and its
per-sentence frozensets cost more memory than the sampler. Equality with the set version is tested
for every method and both orders of visits (tests/property/test_symmetrize_kernels.py).

Grid cells hold bit flags: ``_FWD`` (forward link), ``_REV`` (reverse link), ``_POINT`` (in the
result). Rows are source positions, columns target positions.
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
import numpy as np
from numba import njit

# Method codes (wordalign.symmetrization.METHODS order, then the two single directions).
INTERSECTION, UNION, GROW, GROW_DIAG, GROW_DIAG_FINAL, GROW_DIAG_FINAL_AND = 0, 1, 2, 3, 4, 5
FORWARD, REVERSE = 6, 7
METHOD_CODES = {
    "intersection": INTERSECTION,
    "union": UNION,
    "grow": GROW,
    "grow-diag": GROW_DIAG,
    "grow-diag-final": GROW_DIAG_FINAL,
    "grow-diag-final-and": GROW_DIAG_FINAL_AND,
    "forward": FORWARD,
    "reverse": REVERSE,
}

_FWD = np.uint8(1)
_REV = np.uint8(2)
_POINT = np.uint8(4)

# Neighbours as (Δtgt, Δsrc) in Koehn's order (SMT book, fig. 4.15; Moses symal): the first four
# are GROW's, all eight GROW-DIAG's.
_D_TGT = np.array([-1, 0, 1, 0, -1, -1, 1, 1], dtype=np.int64)
_D_SRC = np.array([0, -1, 0, 1, -1, 1, -1, 1], dtype=np.int64)


@njit(cache=True, nogil=True)
def _add(grid: np.ndarray, nt: int, i: int, j: int, src_al: np.ndarray, tgt_al: np.ndarray) -> None:
    grid[i * nt + j] |= _POINT
    src_al[i] = True
    tgt_al[j] = True


@njit(cache=True, nogil=True)
def _grow_moses(
    grid: np.ndarray, ns: int, nt: int, n_nb: int, src_al: np.ndarray, tgt_al: np.ndarray
) -> None:
    # Points are visited target-major; a point added during a pass is visited in that same pass
    # when it comes later in that order (std::set iteration in symal), so one in-order scan of the
    # grid per pass is the pseudocode exactly.
    while True:
        added = False
        for j in range(nt):
            for i in range(ns):
                if not grid[i * nt + j] & _POINT:
                    continue
                for d in range(n_nb):
                    ni = i + _D_SRC[d]
                    nj = j + _D_TGT[d]
                    if ni < 0 or nj < 0 or ni >= ns or nj >= nt:
                        continue
                    cell = grid[ni * nt + nj]
                    candidate = cell & (_FWD | _REV) and not cell & _POINT
                    if candidate and (not src_al[ni] or not tgt_al[nj]):
                        _add(grid, nt, ni, nj, src_al, tgt_al)
                        added = True
        if not added:
            return


@njit(cache=True, nogil=True)
def _grow_atools(
    grid: np.ndarray, ns: int, nt: int, n_nb: int, src_al: np.ndarray, tgt_al: np.ndarray
) -> None:
    # fast_align's atools: passes over the candidate union links, source-major, each added when it
    # connects an unaligned word and touches a point, until a pass adds nothing.
    while True:
        added = False
        for i in range(ns):
            for j in range(nt):
                cell = grid[i * nt + j]
                if not cell & (_FWD | _REV) or cell & _POINT:
                    continue
                if src_al[i] and tgt_al[j]:
                    continue
                for d in range(n_nb):
                    ni = i + _D_SRC[d]
                    nj = j + _D_TGT[d]
                    if 0 <= ni < ns and 0 <= nj < nt and grid[ni * nt + nj] & _POINT:
                        _add(grid, nt, i, j, src_al, tgt_al)
                        added = True
                        break
        if not added:
            return


@njit(cache=True, nogil=True)
def _final(
    grid: np.ndarray,
    ns: int,
    nt: int,
    flag: np.uint8,
    both: bool,
    atools: bool,
    src_al: np.ndarray,
    tgt_al: np.ndarray,
) -> None:
    # FINAL(-AND) over one direction's links, in the variant's order of visits.
    outer = ns if atools else nt
    inner = nt if atools else ns
    for a in range(outer):
        for b in range(inner):
            i, j = (a, b) if atools else (b, a)
            cell = grid[i * nt + j]
            if not cell & flag or cell & _POINT:
                continue
            src_free = not src_al[i]
            tgt_free = not tgt_al[j]
            if (src_free and tgt_free) if both else (src_free or tgt_free):
                _add(grid, nt, i, j, src_al, tgt_al)


@njit(cache=True, nogil=True)
def _symmetrize_sentence(
    grid: np.ndarray, ns: int, nt: int, method: int, atools: bool, src_al: np.ndarray,
    tgt_al: np.ndarray,
) -> None:  # fmt: skip
    # Marks the result's cells with _POINT; the caller has filled _FWD/_REV and cleared the rest.
    for k in range(ns * nt):
        cell = grid[k]
        keep = False
        if method == FORWARD:
            keep = bool(cell & _FWD)
        elif method == REVERSE:
            keep = bool(cell & _REV)
        elif method == UNION:
            keep = bool(cell & (_FWD | _REV))
        else:  # the intersection, where every other heuristic starts
            keep = (cell & (_FWD | _REV)) == (_FWD | _REV)
        if keep:
            grid[k] |= _POINT
            src_al[k // nt] = True
            tgt_al[k % nt] = True
    if method in (INTERSECTION, UNION, FORWARD, REVERSE):
        return
    n_nb = 4 if method == GROW else 8
    if atools:
        _grow_atools(grid, ns, nt, n_nb, src_al, tgt_al)
    else:
        _grow_moses(grid, ns, nt, n_nb, src_al, tgt_al)
    if method in (GROW_DIAG_FINAL, GROW_DIAG_FINAL_AND):
        both = method == GROW_DIAG_FINAL_AND
        _final(grid, ns, nt, _FWD, both, atools, src_al, tgt_al)
        _final(grid, ns, nt, _REV, both, atools, src_al, tgt_al)


@njit(cache=True, nogil=True)
def symmetrize_corpus(
    forward: np.ndarray,
    reverse: np.ndarray,
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    method: int,
    atools: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetrized links of every sentence, sorted by source then target index.

    Args:
        forward: for each target token, the source position that generated it, or -1.
        reverse: for each source token, the target position that generated it, or -1.
        src_offsets, tgt_offsets: sentence boundaries of the two sides.
        method: a code of :data:`METHOD_CODES`.
        atools: visit in fast_align's ``atools`` order instead of Moses'.

    Returns:
        ``(src, tgt, offsets)``: the links of sentence ``s`` are
        ``zip(src[offsets[s]:offsets[s+1]], tgt[offsets[s]:offsets[s+1]])``.
    """
    n = len(src_offsets) - 1
    # Every result link is a forward or a reverse link: that bounds the output.
    out_src = np.empty(len(forward) + len(reverse), dtype=np.int32)
    out_tgt = np.empty(len(forward) + len(reverse), dtype=np.int32)
    offsets = np.zeros(n + 1, dtype=np.int64)
    max_cells = 1
    max_src = 1
    max_tgt = 1
    for s in range(n):
        ns = src_offsets[s + 1] - src_offsets[s]
        nt = tgt_offsets[s + 1] - tgt_offsets[s]
        max_cells = max(max_cells, ns * nt)
        max_src = max(max_src, ns)
        max_tgt = max(max_tgt, nt)
    grid = np.zeros(max_cells, dtype=np.uint8)
    src_al = np.zeros(max_src, dtype=np.bool_)
    tgt_al = np.zeros(max_tgt, dtype=np.bool_)
    end = 0
    for s in range(n):
        s0 = src_offsets[s]
        t0 = tgt_offsets[s]
        ns = src_offsets[s + 1] - s0
        nt = tgt_offsets[s + 1] - t0
        grid[: ns * nt] = 0
        src_al[:ns] = False
        tgt_al[:nt] = False
        if method != REVERSE:
            for j in range(nt):
                i = forward[t0 + j]
                if 0 <= i < ns:
                    grid[i * nt + j] |= _FWD
        if method != FORWARD:
            for i in range(ns):
                j = reverse[s0 + i]
                if 0 <= j < nt:
                    grid[i * nt + j] |= _REV
        _symmetrize_sentence(grid, ns, nt, method, atools, src_al, tgt_al)
        for i in range(ns):
            if not src_al[i]:
                continue
            for j in range(nt):
                if grid[i * nt + j] & _POINT:
                    out_src[end] = i
                    out_tgt[end] = j
                    end += 1
        offsets[s + 1] = end
    return out_src[:end].copy(), out_tgt[:end].copy(), offsets
