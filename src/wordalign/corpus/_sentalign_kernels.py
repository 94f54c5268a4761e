"""Numba kernel of the sentence aligner: the bead dynamic programme (Gale & Church 1993, sec. 3).

Imported lazily by :mod:`wordalign.corpus.sentalign`, so that importing wordalign does not load
numba. The kernel takes and returns numpy arrays only.
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
import math

import numpy as np
from numba import njit

# Bead types, in the order of the prior and of the tie-breaking (earlier wins on equal cost).
BEAD_SHAPES = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (2, 2))

_LOG_TINY = 700.0  # -log of the smallest probability we distinguish; keeps costs finite


@njit(cache=True)
def _length_cost(len_src: float, len_tgt: float, ratio: float, variance: float) -> float:
    # Gale & Church (1993), eq. for delta: the target length predicted from the source length is
    # ratio * len_src with variance proportional to the (mean, source-unit) length of the bead.
    mean = (len_src + len_tgt / ratio) / 2.0
    if mean <= 0.0:
        return 0.0
    delta = (len_tgt - ratio * len_src) / math.sqrt(mean * variance)
    # -log P(|delta|) with P = 2 (1 - Phi(|delta|)) = erfc(|delta| / sqrt 2).
    p = math.erfc(abs(delta) / math.sqrt(2.0))
    if p <= 0.0:
        return _LOG_TINY
    return min(-math.log(p), _LOG_TINY)


@njit(cache=True)
def _bead_sim(
    k: int, i: int, j: int, lex11: np.ndarray, lex12: np.ndarray, lex21: np.ndarray,
    lex22: np.ndarray,
) -> float:  # fmt: skip
    # i, j: index of the first source / target sentence of the bead.
    if k == 0:
        return float(lex11[i, j])
    if k == 3:
        return float(lex12[i, j])
    if k == 4:
        return float(lex21[i, j])
    if k == 5:
        return float(lex22[i, j])
    return 0.0


@njit(cache=True)
def align_dp(
    src_len: np.ndarray,
    tgt_len: np.ndarray,
    lex11: np.ndarray,
    lex12: np.ndarray,
    lex21: np.ndarray,
    lex22: np.ndarray,
    prior_cost: np.ndarray,
    ratio: float,
    variance: float,
    lex_weight: float,
    skip_cost: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Least-cost sequence of beads covering both documents.

    Args:
        src_len, tgt_len: character lengths of the sentences (float64).
        lex11, lex12, lex21, lex22: lexical similarity in [0, 1] of the 1-1, 1-2, 2-1 and 2-2 bead
            starting at source ``i``, target ``j`` (shapes n x m, n x m-1, n-1 x m, n-1 x m-1).
        prior_cost: -log prior of the six bead shapes of ``BEAD_SHAPES``; ``inf`` disables a shape.
        ratio: expected target/source length ratio; variance: Gale & Church's s^2.
        lex_weight: how many nats a bead of similarity 1 is worth.
        skip_cost: length cost of a 1-0 or 0-1 bead. Gale & Church apply their length model to
            these too, which makes a long untranslated sentence so expensive that it is merged into
            a neighbouring bead instead; like hunalign, we charge a constant.

    Returns:
        ``(src_start, tgt_start, kind, length_prob)`` per bead in document order, where ``kind``
        indexes ``BEAD_SHAPES`` and ``length_prob`` is P(|delta|) of the bead.
    """
    n = src_len.shape[0]
    m = tgt_len.shape[0]
    inf = np.inf
    cost = np.full((n + 1, m + 1), inf)
    back = np.full((n + 1, m + 1), -1, dtype=np.int8)
    cost[0, 0] = 0.0
    di = (1, 1, 0, 1, 2, 2)
    dj = (1, 0, 1, 2, 1, 2)
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best = inf
            best_k = -1
            for k in range(6):
                pi = i - di[k]
                pj = j - dj[k]
                if pi < 0 or pj < 0 or prior_cost[k] == inf:
                    continue
                prev = cost[pi, pj]
                if prev == inf:
                    continue
                ls = 0.0
                for a in range(pi, i):
                    ls += src_len[a]
                lt = 0.0
                for b in range(pj, j):
                    lt += tgt_len[b]
                if k == 1 or k == 2:
                    c = prev + prior_cost[k] + skip_cost
                else:
                    c = prev + prior_cost[k] + _length_cost(ls, lt, ratio, variance)
                c -= lex_weight * _bead_sim(k, pi, pj, lex11, lex12, lex21, lex22)
                if c < best:
                    best = c
                    best_k = k
            cost[i, j] = best
            back[i, j] = best_k
    # Backtrack from (n, m); count beads first so that the outputs are exact-size arrays.
    count = 0
    i = n
    j = m
    while i > 0 or j > 0:
        k = int(back[i, j])
        i -= di[k]
        j -= dj[k]
        count += 1
    src_start = np.empty(count, dtype=np.int64)
    tgt_start = np.empty(count, dtype=np.int64)
    kind = np.empty(count, dtype=np.int64)
    length_prob = np.empty(count, dtype=np.float64)
    i = n
    j = m
    pos = count - 1
    while i > 0 or j > 0:
        k = int(back[i, j])
        pi = i - di[k]
        pj = j - dj[k]
        ls = 0.0
        for a in range(pi, i):
            ls += src_len[a]
        lt = 0.0
        for b in range(pj, j):
            lt += tgt_len[b]
        src_start[pos] = pi
        tgt_start[pos] = pj
        kind[pos] = k
        if k == 1 or k == 2:
            length_prob[pos] = 0.0
        else:
            length_prob[pos] = math.exp(-_length_cost(ls, lt, ratio, variance))
        pos -= 1
        i = pi
        j = pj
    return src_start, tgt_start, kind, length_prob


@njit(cache=True)
def shared_key_counts(
    src_keys: np.ndarray,
    src_offsets: np.ndarray,
    tgt_keys: np.ndarray,
    tgt_offsets: np.ndarray,
    n_keys: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Number of distinct keys shared by the two sides of every 1-1, 1-2, 2-1 and 2-2 bead.

    Sentences are ragged arrays of key ids in ``[0, n_keys)`` (``keys[offsets[i]:offsets[i+1]]``).
    The side of a 2-sentence bead is the union of its sentences' keys, so a key present in both
    merged sentences counts once.

    Returns:
        Counts of shapes (n, m), (n, m-1), (n-1, m), (n-1, m-1) (a dimension below 0 becomes 0).
    """
    n = src_offsets.shape[0] - 1
    m = tgt_offsets.shape[0] - 1
    out11 = np.zeros((n, m), dtype=np.float64)
    out12 = np.zeros((n, max(m - 1, 0)), dtype=np.float64)
    out21 = np.zeros((max(n - 1, 0), m), dtype=np.float64)
    out22 = np.zeros((max(n - 1, 0), max(m - 1, 0)), dtype=np.float64)
    src_mark = np.full(n_keys, -1, dtype=np.int64)
    tgt_mark = np.full(n_keys, -1, dtype=np.int64)
    stamp = 0
    for i in range(n):
        for width_src in range(1, 3):
            if i + width_src > n:
                continue
            stamp += 1
            src_stamp = stamp
            for a in range(src_offsets[i], src_offsets[i + width_src]):
                src_mark[src_keys[a]] = src_stamp
            for j in range(m):
                for width_tgt in range(1, 3):
                    if j + width_tgt > m:
                        continue
                    stamp += 1
                    shared = 0
                    for b in range(tgt_offsets[j], tgt_offsets[j + width_tgt]):
                        key = tgt_keys[b]
                        if src_mark[key] == src_stamp and tgt_mark[key] != stamp:
                            tgt_mark[key] = stamp
                            shared += 1
                    if width_src == 1 and width_tgt == 1:
                        out11[i, j] = shared
                    elif width_src == 1:
                        out12[i, j] = shared
                    elif width_tgt == 1:
                        out21[i, j] = shared
                    else:
                        out22[i, j] = shared
    return out11, out12, out21, out22
