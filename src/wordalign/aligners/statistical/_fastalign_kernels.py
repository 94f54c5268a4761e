"""Numba kernels of fast_align: IBM Model 2 with a diagonal prior (Dyer, Chahuneau & Smith 2013).

Notation of the paper (Section 2): a target sentence of length ``m`` is generated from a source
sentence of length ``n``; target position ``j`` (1-based) links to source position ``i``
(1-based) or to NULL (``i = 0``) with

    δ(i | j, m, n) = p0                                 if i = 0
                   = (1 - p0) · exp(λ h(i, j, m, n)) / Z_λ(j, m, n)   otherwise,

    h(i, j, m, n) = -| i/n - j/m |,

and the target word is drawn from the lexical table θ(f | e). Everything works on one
*direction*: the "conditioning" side plays the source, the "generated" side the target; the
reverse model (fast_align ``-r``) calls the same kernels with the sides swapped.

The lexical table is sparse: one CSR row per conditioning word (row 0 is NULL, row ``1 + e`` the
word with id ``e``), holding the sorted ids of every generated word that co-occurs with it in a
sentence pair, so memory is linear in the number of co-occurring pairs and no array is
``|V_src| × |V_tgt|``. Pairs absent from the table (new text aligned with a saved model) get the
probability 1e-9, the value fast_align's ``TTable::prob`` returns for them.

All kernels are ``nogil`` so that the two directions train in parallel threads, and sequential
inside a direction so that sums are accumulated in one fixed order (deterministic results).
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
import math

import numpy as np
from numba import njit

from wordalign.aligners.statistical._table_kernels import (
    find_entry,
    grown,
    sort_row,
    word_sentences,
)

SMOOTH = 1e-9
"""Probability of a pair missing from the table (and of every pair before the first M-step)."""


@njit(cache=True, nogil=True)
def digamma(x: float) -> float:
    """ψ(x) for x > 0, to about 1e-14.

    Shifts x to at least 10 with ψ(x) = ψ(x + 1) - 1/x, then sums the asymptotic expansion
    ψ(x) ~ ln x - 1/(2x) - Σ_k B_2k / (2k x^2k) (Abramowitz & Stegun 6.3.18) to k = 5.
    """
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (
        1.0 / 12.0
        - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0)))
    )
    return result + math.log(x) - 0.5 / x - series


@njit(cache=True, nogil=True)
def feature(i: float, j: float, m: int, n: int) -> float:
    """h(i, j, m, n) = -|i/n - j/m| (paper, Section 2)."""
    return -abs(i / n - j / m)


@njit(cache=True, nogil=True)
def diagonal_z(j: int, m: int, n: int, tension: float) -> float:
    """Z_λ(j, m, n) = Σ_{i=1..n} exp(λ h(i, j, m, n)) in O(1).

    The terms on each side of the point ``i* = j n / m`` where the diagonal crosses row ``j`` form
    a geometric series of ratio exp(-λ/n) (paper, Section 2.1), summed in closed form; this is
    fast_align's ``DiagonalAlignment::ComputeZ``.
    """
    split = j * 1.0 * n / m
    floor = int(split)
    ceil = floor + 1
    ratio = math.exp(-tension / n)
    num_top = n - floor
    z = 0.0
    if num_top > 0:
        z += math.exp(tension * feature(ceil, j, m, n)) * (1.0 - ratio**num_top) / (1.0 - ratio)
    if floor > 0:
        z += math.exp(tension * feature(floor, j, m, n)) * (1.0 - ratio**floor) / (1.0 - ratio)
    return z


@njit(cache=True, nogil=True)
def _arithmetico_geometric(a_1: float, g_1: float, r: float, d: float, count: int) -> float:
    """Σ_{k=0}^{count-1} (a_1 + k d) g_1 r^k in closed form."""
    g_np1 = g_1 * r**count
    a_n = d * (count - 1) + a_1
    rm1 = r - 1.0
    return (a_n * g_np1 - a_1 * g_1) / rm1 - d * (g_np1 - g_1 * r) / (rm1 * rm1)


@njit(cache=True, nogil=True)
def expected_feature(j: int, m: int, n: int, tension: float) -> float:
    """E[h] under the diagonal distribution of row ``j`` = ∂ log Z_λ / ∂λ (paper, Section 2.2).

    Both sides of the diagonal are arithmetico-geometric series (feature steps of -1/n, weights
    of ratio exp(-λ/n)); this is fast_align's ``DiagonalAlignment::ComputeDLogZ``.
    """
    z = diagonal_z(j, m, n, tension)
    split = j * 1.0 * n / m
    floor = int(split)
    ceil = floor + 1
    ratio = math.exp(-tension / n)
    d = -1.0 / n
    num_top = n - floor
    total = 0.0
    if num_top > 0:
        h = feature(ceil, j, m, n)
        total += _arithmetico_geometric(h, math.exp(tension * h), ratio, d, num_top)
    if floor > 0:
        h = feature(floor, j, m, n)
        total += _arithmetico_geometric(h, math.exp(tension * h), ratio, d, floor)
    return total / z


@njit(cache=True, nogil=True)
def model_feature(
    size_m: np.ndarray, size_n: np.ndarray, size_count: np.ndarray, tension: float
) -> float:
    """Σ over sentence shapes (m, n) × count of Σ_{j=1..m} E[h | j, m, n] (not yet divided)."""
    total = 0.0
    for s in range(size_m.shape[0]):
        m = size_m[s]
        n = size_n[s]
        acc = 0.0
        for j in range(1, m + 1):
            acc += expected_feature(j, m, n, tension)
        total += size_count[s] * acc
    return total


@njit(cache=True, nogil=True)
def build_training_table(
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    n_src_words: int,
    n_tgt_words: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The table of co-occurring pairs and the table index of every token pair of the corpus.

    Rows are NULL (row 0) then every source word; row ``1 + e`` holds each target word that
    shares a trained sentence pair with ``e``, in order of first co-occurrence (call
    :func:`sort_rows` before :func:`find_entry` may search it). Pairs with an empty side are
    left out. Work is linear in Σ m·n over the corpus: an inverted index (source word →
    sentences) plus a marker array replaces a global sort of all co-occurring pairs, and the
    index of each token pair is written as its table cell is found, so training never searches.

    Returns:
        ``row_ptr`` (int64), ``cols`` (int32), and ``entries``/``entry_offsets`` as
        :func:`pair_entries` lays them out.
    """
    n_sent = src_offsets.shape[0] - 1
    entry_offsets = np.zeros(n_sent + 1, dtype=np.int64)
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        m = tgt_offsets[k + 1] - tgt_offsets[k]
        entry_offsets[k + 1] = entry_offsets[k] + (m * (n + 1) if n > 0 else 0)
    entries = np.empty(entry_offsets[n_sent], dtype=np.int32)

    # Inverted index: the distinct sentences each source word occurs in.
    occ, sents = word_sentences(src_ids, src_offsets, np.diff(tgt_offsets) > 0, n_src_words)

    # Pass 1: row sizes. Row 0 (NULL) holds every target word of a trained pair.
    row_ptr = np.zeros(n_src_words + 2, dtype=np.int64)
    mark = np.full(n_tgt_words, -1, dtype=np.int64)
    for k in range(n_sent):
        if src_offsets[k + 1] == src_offsets[k]:
            continue
        for q in range(tgt_offsets[k], tgt_offsets[k + 1]):
            f = tgt_ids[q]
            if mark[f] != 0:
                mark[f] = 0
                row_ptr[1] += 1
    for e in range(n_src_words):
        row = e + 1
        for s in range(occ[e], occ[e + 1]):
            k = sents[s]
            for q in range(tgt_offsets[k], tgt_offsets[k + 1]):
                f = tgt_ids[q]
                if mark[f] != row:
                    mark[f] = row
                    row_ptr[row + 1] += 1
    for r in range(n_src_words + 1):
        row_ptr[r + 1] += row_ptr[r]
    cols = np.empty(row_ptr[n_src_words + 1], dtype=np.int32)

    # Pass 2: fill the rows and, on the way, the index of every token pair.
    slot = np.zeros(n_tgt_words, dtype=np.int64)
    mark[:] = -1
    pos = row_ptr[0]
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        if n == 0:
            continue
        t0 = tgt_offsets[k]
        for j in range(tgt_offsets[k + 1] - t0):
            f = tgt_ids[t0 + j]
            if mark[f] != 0:
                mark[f] = 0
                slot[f] = pos
                cols[pos] = f
                pos += 1
            entries[entry_offsets[k] + j * (n + 1)] = slot[f]
    max_n = 0
    for k in range(n_sent):
        max_n = max(max_n, src_offsets[k + 1] - src_offsets[k])
    where = np.empty(max_n, dtype=np.int64)
    for e in range(n_src_words):
        row = e + 1
        pos = row_ptr[row]
        for s in range(occ[e], occ[e + 1]):
            k = sents[s]
            s0 = src_offsets[k]
            n = src_offsets[k + 1] - s0
            n_where = 0
            for i in range(n):
                if src_ids[s0 + i] == e:
                    where[n_where] = i
                    n_where += 1
            t0 = tgt_offsets[k]
            base = entry_offsets[k]
            for j in range(tgt_offsets[k + 1] - t0):
                f = tgt_ids[t0 + j]
                if mark[f] != row:
                    mark[f] = row
                    slot[f] = pos
                    cols[pos] = f
                    pos += 1
                for w in range(n_where):
                    entries[base + j * (n + 1) + 1 + where[w]] = slot[f]
    return row_ptr, cols, entries, entry_offsets


@njit(cache=True, nogil=True)
def sort_rows(row_ptr: np.ndarray, cols: np.ndarray, probs: np.ndarray) -> None:
    """Sort every row by target id, carrying ``probs`` along, so that lookups can bisect."""
    for r in range(row_ptr.shape[0] - 1):
        a = row_ptr[r]
        b = row_ptr[r + 1]
        sort_row(cols[a:b], probs[a:b])


@njit(cache=True, nogil=True)
def _joint(
    entries: np.ndarray,
    pos: int,
    n: int,
    j: int,
    m: int,
    probs: np.ndarray,
    uniform: bool,
    favor_diagonal: bool,
    tension: float,
    p_null: float,
    out: np.ndarray,
) -> float:
    """Fill ``out[0..n]`` with P(a_j = i, f_j) (i = 0 is NULL) and return their sum.

    ``entries[pos:pos + n + 1]`` are the table indices of the pairs (-1: absent, probability
    1e-9); ``j`` is the 0-based target position.
    """
    if favor_diagonal:
        prior_null = p_null
        scale = (1.0 - p_null) / diagonal_z(j + 1, m, n, tension)
        # The weights exp(λ h) fall by the ratio exp(-λ/n) per step away from the diagonal on
        # either side (the series of Z_λ), so two exp() calls give the whole row.
        ratio = math.exp(-tension / n)
        floor = int((j + 1) * 1.0 * n / m)
        if floor > 0:
            w = math.exp(tension * feature(floor, j + 1, m, n)) * scale
            for i in range(floor, 0, -1):
                out[i] = w
                w *= ratio
        if floor < n:
            w = math.exp(tension * feature(floor + 1, j + 1, m, n)) * scale
            for i in range(floor + 1, n + 1):
                out[i] = w
                w *= ratio
    else:
        # Without the diagonal prior fast_align is IBM Model 1 with NULL as one more position.
        prior_null = 1.0 / (n + 1)
        for i in range(1, n + 1):
            out[i] = prior_null
    idx = entries[pos]
    t = SMOOTH if (uniform or idx < 0) else probs[idx]
    out[0] = t * prior_null
    total = out[0]
    for i in range(1, n + 1):
        idx = entries[pos + i]
        t = SMOOTH if (uniform or idx < 0) else probs[idx]
        out[i] *= t
        total += out[i]
    return float(total)


@njit(cache=True, nogil=True)
def pair_entries(
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    row_ptr: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Table index of every (generator, target token) pair of new text, by bisection.

    Sentence ``k`` owns ``entries[offsets[k]:offsets[k + 1]]``: for each target token ``j`` a
    block of ``n + 1`` indices, NULL first then source positions 1..n; -1 marks a pair the table
    lacks (an unseen word, for one). The rows must be sorted (:func:`sort_rows`). The cost is
    one int32 per token pair, linear in the corpus; pairs with an empty source own an empty
    block. (Training gets the same layout from :func:`build_training_table` without searching.)
    """
    n_sent = src_offsets.shape[0] - 1
    offsets = np.zeros(n_sent + 1, dtype=np.int64)
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        m = tgt_offsets[k + 1] - tgt_offsets[k]
        offsets[k + 1] = offsets[k] + (m * (n + 1) if n > 0 else 0)
    entries = np.empty(offsets[n_sent], dtype=np.int32)
    for k in range(n_sent):
        s0 = src_offsets[k]
        n = src_offsets[k + 1] - s0
        if n == 0:
            continue
        t0 = tgt_offsets[k]
        pos = offsets[k]
        for j in range(tgt_offsets[k + 1] - t0):
            f = tgt_ids[t0 + j]
            entries[pos] = find_entry(row_ptr, cols, 0, f)
            for i in range(n):
                e = src_ids[s0 + i]
                entries[pos + 1 + i] = find_entry(row_ptr, cols, e + 1, f) if e >= 0 else -1
            pos += n + 1
    return entries, offsets


@njit(cache=True, nogil=True)
def em_step(
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    entries: np.ndarray,
    entry_offsets: np.ndarray,
    probs: np.ndarray,
    counts: np.ndarray,
    uniform: bool,
    favor_diagonal: bool,
    tension: float,
    p_null: float,
) -> tuple[float, float, float]:
    """E-step: add the posterior link counts of every target token to ``counts``.

    ``entries``/``entry_offsets`` come from :func:`pair_entries`. ``uniform`` stands for the
    table before the first M-step (every pair 1e-9, as fast_align's frozen-but-uninitialised
    table). Pairs with an empty side are skipped.

    Returns:
        ``(log_likelihood, null_count, empirical_feature_sum)``; the last is fast_align's
        "posterior al-feat" before division by the number of target tokens.
    """
    n_sent = src_offsets.shape[0] - 1
    max_n = 0
    for k in range(n_sent):
        max_n = max(max_n, src_offsets[k + 1] - src_offsets[k])
    joint = np.empty(max_n + 1, dtype=np.float64)
    likelihood = 0.0
    c0 = 0.0
    emp_feat = 0.0
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        m = tgt_offsets[k + 1] - tgt_offsets[k]
        if n == 0 or m == 0:
            continue
        pos = entry_offsets[k]
        for j in range(m):
            total = _joint(
                entries, pos, n, j, m, probs, uniform, favor_diagonal, tension, p_null, joint
            )
            c = joint[0] / total
            c0 += c
            counts[entries[pos]] += c
            for i in range(1, n + 1):
                c = joint[i] / total
                counts[entries[pos + i]] += c
                # fast_align's empirical feature uses the 0-based target position here (while
                # the model uses j + 1); kept so that the tension follows the reference.
                emp_feat += feature(i, j, m, n) * c
            likelihood += math.log(total)
            pos += n + 1
    return likelihood, c0, emp_feat


@njit(cache=True, nogil=True)
def normalize(row_ptr: np.ndarray, counts: np.ndarray, probs: np.ndarray) -> None:
    """M-step, maximum likelihood: θ(f|e) = c(e, f) / Σ_f' c(e, f'); clears ``counts``."""
    for r in range(row_ptr.shape[0] - 1):
        total = 0.0
        for p in range(row_ptr[r], row_ptr[r + 1]):
            total += counts[p]
        if total == 0.0:
            total = 1.0
        for p in range(row_ptr[r], row_ptr[r + 1]):
            probs[p] = counts[p] / total
            counts[p] = 0.0


@njit(cache=True, nogil=True)
def normalize_vb(row_ptr: np.ndarray, counts: np.ndarray, probs: np.ndarray, alpha: float) -> None:
    """M-step, mean-field VB with a symmetric Dirichlet(α) prior (paper, Section 2.3).

    θ(f|e) = exp(ψ(c(e, f) + α) - ψ(Σ_f' (c(e, f') + α))), the sum over the pairs in the row
    (as in fast_align); clears ``counts``.
    """
    for r in range(row_ptr.shape[0] - 1):
        total = 0.0
        for p in range(row_ptr[r], row_ptr[r + 1]):
            total += counts[p] + alpha
        if total == 0.0:
            total = 1.0
        psi_total = digamma(total)
        for p in range(row_ptr[r], row_ptr[r + 1]):
            probs[p] = math.exp(digamma(counts[p] + alpha) - psi_total)
            counts[p] = 0.0


@njit(cache=True, nogil=True)
def viterbi(
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    entries: np.ndarray,
    entry_offsets: np.ndarray,
    probs: np.ndarray,
    uniform: bool,
    favor_diagonal: bool,
    tension: float,
    p_null: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Most probable generator of every target token (0-based source index, or -1 for NULL).

    ``entries``/``entry_offsets`` come from :func:`pair_entries`; pairs absent from the table
    (words unseen in training) get 1e-9. Ties go to NULL, then to the leftmost source token,
    as in fast_align.

    Returns:
        ``(generators, posteriors)``: int32 and float64 arrays parallel to the target tokens;
        the posterior is that of the chosen link (of NULL for -1).
    """
    n_sent = src_offsets.shape[0] - 1
    max_n = 0
    for k in range(n_sent):
        max_n = max(max_n, src_offsets[k + 1] - src_offsets[k])
    joint = np.empty(max_n + 1, dtype=np.float64)
    out = np.full(tgt_offsets[n_sent], -1, dtype=np.int32)
    post = np.zeros(out.shape[0], dtype=np.float64)
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        t0 = tgt_offsets[k]
        m = tgt_offsets[k + 1] - t0
        if n == 0:
            continue
        pos = entry_offsets[k]
        for j in range(m):
            total = _joint(
                entries, pos, n, j, m, probs, uniform, favor_diagonal, tension, p_null, joint
            )
            best = 0
            best_p = joint[0]
            for i in range(1, n + 1):
                if joint[i] > best_p:
                    best = i
                    best_p = joint[i]
            out[t0 + j] = best - 1
            post[t0 + j] = best_p / total if total > 0.0 else 0.0
            pos += n + 1
    return out, post


@njit(cache=True, nogil=True)
def link_posteriors(
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    entries: np.ndarray,
    entry_offsets: np.ndarray,
    probs: np.ndarray,
    uniform: bool,
    favor_diagonal: bool,
    tension: float,
    p_null: float,
    floor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(a_j = i | e, f) of every target token, the E-step's posterior (paper, eq. 3).

    The normalised :func:`_joint` row, the same products δ(i | j, m, n) · θ(f_j | e_i) that
    :func:`viterbi` maximises, so its argmax is the Viterbi link. Entries below ``floor`` are
    dropped; a target token with an empty source (or whose candidates all have probability 0)
    has NULL alone, with probability 1, as Viterbi leaves it unaligned.

    Returns:
        ``(offsets, positions, probs)`` as
        :class:`~wordalign.aligners.statistical.posteriors.LinkPosteriors` takes them.
    """
    n_sent = src_offsets.shape[0] - 1
    n_tokens = tgt_offsets[n_sent]
    max_n = 0
    for k in range(n_sent):
        max_n = max(max_n, src_offsets[k + 1] - src_offsets[k])
    joint = np.empty(max_n + 1, dtype=np.float64)
    offsets = np.zeros(n_tokens + 1, dtype=np.int64)
    out_pos = np.empty(max(16, 4 * n_tokens), dtype=np.int32)
    out_prob = np.empty(out_pos.shape[0], dtype=np.float32)
    end = 0
    for k in range(n_sent):
        n = src_offsets[k + 1] - src_offsets[k]
        t0 = tgt_offsets[k]
        m = tgt_offsets[k + 1] - t0
        pos = entry_offsets[k]
        for j in range(m):
            total = 0.0
            if n > 0:
                total = _joint(
                    entries, pos, n, j, m, probs, uniform, favor_diagonal, tension, p_null, joint
                )
                pos += n + 1
            if end + n + 1 > out_pos.shape[0]:
                size = max(end + n + 1, 2 * out_pos.shape[0])
                out_pos = grown(out_pos, size)
                out_prob = grown(out_prob, size)
            if total > 0.0:
                for i in range(n + 1):
                    p = joint[i] / total
                    if p >= floor:
                        out_pos[end] = i - 1
                        out_prob[end] = p
                        end += 1
            else:
                out_pos[end] = -1
                out_prob[end] = 1.0
                end += 1
            offsets[t0 + j + 1] = end
    return offsets, out_pos[:end].copy(), out_prob[:end].copy()
