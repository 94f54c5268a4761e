"""Numba kernels of the eflomal model: collapsed Gibbs sampling for IBM1, HMM and HMM+fertility.

The model is that of Östling & Tiedemann (2016), "Efficient word alignment with Markov Chain
Monte Carlo", PBML 106; the constants, the jump/fertility parameterisation and the final argmax
over pooled samplers follow the reference implementation (github.com/robertostling/eflomal,
``src/eflomal.c``), re-implemented here for ragged numpy arrays.

One *direction* generates every token ``f`` of the generated side (``tgt`` below) from a token
``e`` of the generating side (``src``) or from NULL. Generating-side ids are shifted by one so that
id 0 is NULL. A *sampler* is the state of one Markov chain: the link of every generated token
(``links``, -1 for NULL) and the sufficient statistics of the collapsed model:

* lexical counts ``n(e, f)`` in per-``e`` open-addressing hash tables that share one ``pool``
  (only pairs that are linked somewhere are stored: memory is linear in the corpus, never
  ``|V_src| x |V_tgt|``), with ``count_sum[e] = LEX_ALPHA * |V_tgt| + prior_sum[e] + n(e)``;
* jump counts ``jump[JUMP_LEN]`` of the HMM, whose slot ``JUMP_SUM`` holds their normaliser;
* per-type fertility ratios ``P(phi + 1) / P(phi)``, sampled explicitly once per sweep.

The pool of a hash table may be reallocated when tables grow, so every kernel that inserts
returns the (possibly new) ``pool``; callers must keep the returned array.
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
import numpy as np
from numba import njit

# Dirichlet hyper-parameters of the reference implementation (eflomal.c): the defaults of the
# aligner's lex_alpha, null_alpha, jump_alpha and fert_alpha, which the kernels take as arguments.
LEX_ALPHA = 0.001
NULL_ALPHA = 0.001
JUMP_ALPHA = 0.5
FERT_ALPHA = 0.5
# The jump normaliser starts from JUMP_MAX_EST * JUMP_ALPHA rather than the sum over all slots: the
# reference's estimate of how many jump lengths carry mass (eflomal.c, text_alignment_make_counts).
JUMP_MAX_EST = 100.0

JUMP_LEN = 2048
JUMP_CENTER = JUMP_LEN // 2
JUMP_SUM = JUMP_LEN  # slot of the jump array that holds the normaliser
FERT_LEN = 8
# P(phi >= FERT_LEN - 1) is effectively zero in the reference: the ratio in the last slot.
FERT_CAP_RATIO = 1e-10

_EMPTY = -1
_MIN_BITS = 2
# In *windowed* tables every pair lies fewer than _WINDOW slots past its home slot (a table grows
# rather than place one further), so that the sampler's lookups read those slots unconditionally:
# a probe loop branches on the key it loads, and its mispredictions cost more than the loads
# (measured: a quarter of a sweep). A table has at least 2**_MIN_BITS = _WINDOW slots, so a
# window never wraps onto itself.
_WINDOW = 1 << _MIN_BITS

# Reference counting. numba's runtime (NRT) counts the references to every array an njit function
# holds: each call of a helper inlined at numba's level takes and drops one per array argument,
# with atomic instructions that numba's pruning pass leaves in once the helper has a loop or several
# exits (perf put half of a sweep's samples on them). Every helper of the per-token path therefore
# allocates nothing and is compiled without the runtime (``_leaf``): its calls count nothing, and
# LLVM still inlines the small ones. Only what allocates (the rare growth of a pool, scratch
# buffers) is compiled with it (``_kernel``). Same links, about 20% less time per sweep.
_kernel = njit(cache=True, nogil=True, error_model="numpy")
# ``_nrt`` is numba's own switch for this (used by its test suite), not part of its typed stubs.
_leaf = njit(cache=True, nogil=True, error_model="numpy", _nrt=False)  # type: ignore[call-overload]
# Helpers on scalars only: no array, nothing to count.
_inline = njit(cache=True, nogil=True, error_model="numpy", inline="always")

# ---------------------------------------------------------------------------------------------
# Random numbers: splitmix64 (Steele et al. 2014), one uint64 of state per sampler, so that results
# depend only on the seed and never on threads.


@_inline
def _mix64(z: np.uint64) -> np.uint64:
    # The splitmix64 finaliser: every input bit reaches every output bit.
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.uint64 = z ^ (z >> np.uint64(31))
    return out


@_leaf
def _next_u64(rng: np.ndarray) -> np.uint64:
    s = rng[0] + np.uint64(0x9E3779B97F4A7C15)
    rng[0] = s
    return _mix64(s)


@_leaf
def uniform(rng: np.ndarray) -> float:
    """A uniform double in [0, 1)."""
    return float(_next_u64(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@_leaf
def _normal(rng: np.ndarray) -> float:
    u1 = uniform(rng)
    while u1 <= 0.0:
        u1 = uniform(rng)
    u2 = uniform(rng)
    return float(np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2))


@_leaf
def gamma(rng: np.ndarray, shape: float) -> float:
    """A Gamma(shape, 1) variate (Marsaglia & Tsang 2000; boosted for shape < 1)."""
    boost = 1.0
    if shape < 1.0:
        u = uniform(rng)
        while u <= 0.0:
            u = uniform(rng)
        boost = u ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        x = _normal(rng)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(rng)
        if u < 1.0 - 0.0331 * x * x * x * x:
            return float(d * v * boost)
        if np.log(u) < 0.5 * x * x + d * (1.0 - v + np.log(v)):
            return float(d * v * boost)


# ---------------------------------------------------------------------------------------------
# Lexical count tables: for every generating type e, an open-addressing table (linear probing,
# Fibonacci hashing, backward-shift deletion) of cap = 2**bits[e] slots in the shared pool: slot h
# holds its key at pool[2*start[e] + 2*h] and its count right after it, so that a hit reads one
# cache line, not two. Only pairs with a non-zero count
# are stored (as the reference's natmap does), at load <= 1/2. meta[0] is the first free slot,
# meta[1] the slots of the live tables, meta[2] counts the moves of tables (for callers' caches),
# meta[3] is 1 when the tables are windowed (see _WINDOW). Random initial links fill tables with
# many pairs of count one, which windows would spread over twice the memory: a sampler's tables
# are windowed from its first rebuild after a sweep on (make_counts).


@_inline
def _u(i: int) -> np.uint64:
    return np.uint64(i)


@_inline
def _slot(f: int, bits: int) -> int:
    return ((f * 2654435769) & 0xFFFFFFFF) >> (32 - bits)


@_leaf
def lex_count(pool: np.ndarray, start: np.ndarray, bits: np.ndarray, e: int, f: int) -> int:
    """The count n(e, f) (0 when the pair is not linked anywhere)."""
    b = bits[e]
    if b == 0:
        return 0
    mask = (1 << b) - 1
    base = 2 * start[e]
    h = _slot(f, b)
    k = pool[base + 2 * h]
    while k != f and k != _EMPTY:
        h = (h + 1) & mask
        k = pool[base + 2 * h]
    if k == f:
        return int(pool[base + 2 * h + 1])
    return 0


@_kernel
def new_lex_table(
    n_types: int, capacity: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Empty tables for ``n_types`` generating types: (pool, start, bits, used, meta)."""
    pool = np.full(2 * max(capacity, 1024), _EMPTY, dtype=np.int32)
    start = np.zeros(n_types, dtype=np.int64)
    bits = np.zeros(n_types, dtype=np.int64)
    used = np.zeros(n_types, dtype=np.int64)
    meta = np.zeros(4, dtype=np.int64)
    return pool, start, bits, used, meta


@_kernel
def _compact(
    pool: np.ndarray, start: np.ndarray, bits: np.ndarray, meta: np.ndarray, extra: int
) -> np.ndarray:
    # Tables moved by _resize leave dead regions behind; copying the live ones into a fresh pool
    # keeps them dense (cache-friendly) and the size within a constant factor of the stored pairs.
    total = extra
    for e in range(len(bits)):
        if bits[e] > 0:
            total += 1 << bits[e]
    # A quarter as much room again for tables that grow before the next compaction.
    new_pool = np.full(2 * max(total + total // 4, 1024), _EMPTY, dtype=np.int32)
    end = 0
    for e in range(len(bits)):
        if bits[e] > 0:
            cap = 1 << bits[e]
            src = 2 * start[e]
            new_pool[2 * end : 2 * (end + cap)] = pool[src : src + 2 * cap]
            start[e] = end
            end += cap
    meta[0] = end
    meta[1] = end
    return new_pool


@_kernel
def shrink_pool(
    pool: np.ndarray, start: np.ndarray, bits: np.ndarray, meta: np.ndarray
) -> np.ndarray:
    """The pool compacted to its live tables when it is more than twice their size (else itself)."""
    if len(pool) <= 4 * max(meta[1], 1024):
        return pool
    return _compact(pool, start, bits, meta, 0)


@_leaf
def _retable(
    pool: np.ndarray, start: np.ndarray, bits: np.ndarray, meta: np.ndarray, e: int, new_bits: int
) -> bool:
    """Rehash e's table into a fresh region of 2**new_bits slots at the end of the pool; False,
    changing nothing, when the pool must be compacted first (see _resize)."""
    old_bits = bits[e]
    while True:
        cap = 1 << new_bits
        # Compact once dead regions exceed half the live tables: memory stays within ~2x of them.
        if 2 * (meta[0] + cap) > len(pool) or meta[0] > meta[1] + meta[1] // 2 + 65536:
            return False
        region = 2 * meta[0]
        if _rehash(pool, 2 * start[e], old_bits, region, new_bits, meta[3] != 0):
            break
        new_bits += 1  # a pair would land outside its window: the next size up
    meta[0] += cap
    meta[1] += cap - ((1 << old_bits) if old_bits > 0 else 0)
    meta[2] += 1
    start[e] = region // 2
    bits[e] = new_bits
    return True


@_leaf
def _rehash(
    pool: np.ndarray, base: int, old_bits: int, region: int, new_bits: int, windowed: bool
) -> bool:
    # The pairs of the table at base (none when old_bits is 0) into the free region of
    # 2**new_bits slots; False when a windowed pair would land outside its window.
    cap = 1 << new_bits
    mask = cap - 1
    pool[region : region + 2 * cap] = _EMPTY
    for s in range((1 << old_bits) if old_bits > 0 else 0):
        k = pool[base + 2 * s]
        if k != _EMPTY:
            home = _slot(k, new_bits)
            h = home
            while pool[region + 2 * h] != _EMPTY:
                h = (h + 1) & mask
            if windowed and ((h - home) & mask) >= _WINDOW:
                return False
            pool[region + 2 * h] = k
            pool[region + 2 * h + 1] = pool[base + 2 * s + 1]
    return True


@_kernel
def _resize(
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    meta: np.ndarray,
    e: int,
    new_bits: int,
) -> np.ndarray:
    # _retable, compacting the pool first when it has to (a compaction leaves room for the table).
    extra = 1 << new_bits
    while not _retable(pool, start, bits, meta, e, new_bits):
        # Room for the table at the size asked or, when a windowed table's pairs do not fit
        # their windows there, at the next ones.
        pool = _compact(pool, start, bits, meta, extra)
        extra *= 2
    return pool


@_leaf
def _delete_slot(pool: np.ndarray, base: int, b: int, h: int) -> None:
    # Backward-shift deletion keeps every probe sequence unbroken without tombstones.
    cap = 1 << b
    mask = cap - 1
    i = h
    j = h
    while True:
        pool[base + 2 * i] = _EMPTY
        while True:
            j = (j + 1) & mask
            k = pool[base + 2 * j]
            if k == _EMPTY:
                return
            home = _slot(k, b)
            if not ((i < home <= j) if i <= j else (i < home or home <= j)):
                break
        pool[base + 2 * i] = pool[base + 2 * j]
        pool[base + 2 * i + 1] = pool[base + 2 * j + 1]
        i = j


@_leaf
def _drop_slot(
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    e: int,
    h: int,
) -> None:
    # Remove slot h of e's table.
    b = bits[e]
    _delete_slot(pool, 2 * start[e], b, h)
    used[e] -= 1
    # Shrink tables that fell below load 1/8 back to load <= 1/4: a sparse table spreads its few
    # pairs over more cache lines (the random initial alignment makes every table big at first).
    # Shrinking only saves room, so a pool that has none left keeps the table as it is until a
    # later deletion finds room.
    if b > _MIN_BITS and 8 * used[e] < (1 << b):
        new_bits = _MIN_BITS
        while (1 << new_bits) < 4 * used[e]:
            new_bits += 1
        _retable(pool, start, bits, meta, e, new_bits)


@_leaf
def _lex_decrement(pool: np.ndarray, start: np.ndarray, bits: np.ndarray, e: int, f: int) -> int:
    # Subtract one from n(e, f) >= 1 but keep the pair in its table, also at zero: returns the
    # index of its count in the pool, valid until the next insertion or deletion.
    b = bits[e]
    mask = (1 << b) - 1
    base = 2 * start[e]
    h = _slot(f, b)
    while pool[_u(base + 2 * h)] != f:
        h = (h + 1) & mask
    cell = base + 2 * h + 1
    pool[cell] -= 1
    return int(cell)


@_leaf
def lex_add_in_place(
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    e: int,
    f: int,
    delta: int,
) -> bool:
    """Add ``delta`` to n(e, f) in the pool as it is; False, leaving every count as it was,
    when e's table must grow and the pool has no room for it (then call :func:`lex_add`). A
    windowed table may have grown within the pool before the room ran out."""
    b = bits[e]
    if b > 0:
        mask = (1 << b) - 1
        base = 2 * start[e]
        h = _slot(f, b)
        k = pool[_u(base + 2 * h)]
        while k != f and k != _EMPTY:
            h = (h + 1) & mask
            k = pool[_u(base + 2 * h)]
        if k == f:
            c = pool[base + 2 * h + 1] + delta
            if c == 0:
                _drop_slot(pool, start, bits, used, meta, e, h)
            else:
                pool[base + 2 * h + 1] = c
            return True
    while True:
        if b > 0 and 2 * (used[e] + 1) <= (1 << b):
            mask = (1 << b) - 1
            base = 2 * start[e]
            home = _slot(f, b)
            h = home
            while pool[base + 2 * h] != _EMPTY:
                h = (h + 1) & mask
            if meta[3] == 0 or ((h - home) & mask) < _WINDOW:
                pool[base + 2 * h] = f
                pool[base + 2 * h + 1] = delta
                used[e] += 1
                return True
        if not _retable(pool, start, bits, meta, e, b + 1 if b > 0 else _MIN_BITS):
            return False
        b = bits[e]


@_kernel
def lex_add(
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    e: int,
    f: int,
    delta: int,
) -> np.ndarray:
    """Add ``delta`` to n(e, f); returns the pool (reallocated when it had to grow)."""
    # A windowed table may need more than one doubling before f fits its window, and room for
    # one does not make room for the next: grow until the pair is in.
    while not lex_add_in_place(pool, start, bits, used, meta, e, f, delta):
        b = bits[e]
        pool = _resize(pool, start, bits, meta, e, b + 1 if b > 0 else _MIN_BITS)
    return pool


# ---------------------------------------------------------------------------------------------
# Static prior tables (float values), built once from sorted (e, f, alpha) triples.


@_kernel
def build_prior_table(
    n_types: int, prior_e: np.ndarray, prior_f: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hash tables of the lexical priors: (keys, slot_of_entry, start, bits).

    ``slot_of_entry[k]`` is the slot that holds entry ``k``, so that the caller can place the
    prior values (``values[slot_of_entry] = alpha``).
    """
    counts = np.zeros(n_types, dtype=np.int64)
    for k in range(len(prior_e)):
        counts[prior_e[k]] += 1
    start = np.zeros(n_types, dtype=np.int64)
    bits = np.zeros(n_types, dtype=np.int64)
    total = 0
    for e in range(n_types):
        if counts[e] > 0:
            b = _MIN_BITS
            while (1 << b) < 2 * counts[e]:
                b += 1
            bits[e] = b
            start[e] = total
            total += 1 << b
    keys = np.full(max(total, 1), _EMPTY, dtype=np.int32)
    slot_of = np.zeros(len(prior_e), dtype=np.int64)
    for k in range(len(prior_e)):
        e = prior_e[k]
        b = bits[e]
        mask = (1 << b) - 1
        h = _slot(prior_f[k], b)
        while keys[start[e] + h] != _EMPTY:
            h = (h + 1) & mask
        keys[start[e] + h] = prior_f[k]
        slot_of[k] = start[e] + h
    return keys, slot_of, start, bits


@_leaf
def prior_value(
    keys: np.ndarray, values: np.ndarray, start: np.ndarray, bits: np.ndarray, e: int, f: int
) -> float:
    """The prior pseudo-count of (e, f), 0 when none (or ``e`` unknown to the prior)."""
    if e >= len(bits):
        return 0.0
    b = bits[e]
    if b == 0:
        return 0.0
    mask = (1 << b) - 1
    h = _slot(f, b)
    while True:
        k = keys[start[e] + h]
        if k == f:
            return float(values[start[e] + h])
        if k == _EMPTY:
            return 0.0
        h = (h + 1) & mask


# ---------------------------------------------------------------------------------------------
# The model.


@_inline
def jump_index(i_from: int, i_to: int) -> int:
    """Slot of the jump ``i_to - i_from`` in the jump array (clamped, as in the reference)."""
    k = i_to - i_from + JUMP_CENTER
    if k < 0:
        return 0
    if k > JUMP_LEN - 1:
        return JUMP_LEN - 1
    return k


@_leaf
def position_distribution(
    model: int,
    src_sent: np.ndarray,
    f: int,
    prev_i: int,
    next_i: int,
    fert: np.ndarray,
    sent_base: np.ndarray,
    sent_bits: np.ndarray,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
    fert_ratio: np.ndarray,
    prior_keys: np.ndarray,
    prior_values: np.ndarray,
    prior_start: np.ndarray,
    prior_bits: np.ndarray,
    null_prior: float,
    lex_alpha: float,
    null_alpha: float,
    out: np.ndarray,
    windowed: bool,
    cumulative: bool,
) -> float:
    """Unnormalised conditional distribution of one link given all others (Östling & Tiedemann
    2016, eqs. 8-10 in the collapsed form of the reference sampler).

    The counts passed in must already exclude the link being resampled. ``out[i]`` receives the
    weight of source position ``i`` and ``out[len(src_sent)]`` that of NULL.

    Args:
        model: 1 (IBM1), 2 (HMM) or 3 (HMM with fertility).
        src_sent: generating-side ids of the sentence (NULL-shifted: all >= 1).
        f: the generated token's id.
        prev_i: source position linked to the nearest non-NULL token on the left, or -1.
        next_i: the same on the right, or ``len(src_sent)``.
        fert: current fertility of every source position (excluding this token).
        sent_base, sent_bits: ``2 * start[e]`` and ``bits[e]`` of every source position's type
            (looked up once per sentence rather than once per link).
        pool, start, bits: lexical count tables.
        windowed: whether the tables are windowed (``meta[3]``; see ``_WINDOW``).
        inv_sum: ``1 / count_sum[e]`` for every generating type.
        jump: jump pseudo-counts (slot ``JUMP_SUM`` is their normaliser Z).
        fert_ratio: ``P(phi+1)/P(phi)`` at ``e * FERT_LEN + phi + 1``.
        prior_keys, prior_values, prior_start, prior_bits: lexical priors (may be empty).
        null_prior: the prior weight of NULL links.
        lex_alpha, null_alpha: Dirichlet parameters of the lexical and the NULL distributions.
        out: buffer of at least ``len(src_sent) + 1`` entries.
        cumulative: write the running sums of the weights instead (``out[i]`` = the weights of
            positions ``0..i``, NULL last), added in the same order as the total: a sampler
            then finds its draw by counting the sums below it, without a chain of additions of
            its own, and draws exactly what a running sum would.

    Returns:
        The sum of the weights.
    """
    # Indexes are cast to unsigned in the hot loops: numba then skips its negative-index
    # wrap-around test.
    n_src = len(src_sent)
    has_prior = len(prior_bits) > 0
    hf = (f * 2654435769) & 0xFFFFFFFF
    # Each weight is inv_sum * (alpha + n): lexical lookups first, in a tight loop of their own
    # (measured faster than one fused pass).
    for i in range(n_src):
        e = src_sent[_u(i)]
        b = sent_bits[_u(i)]
        n = 0
        if b > 0:
            mask = (1 << b) - 1
            base = sent_base[_u(i)]
            h = hf >> (32 - b)
            if windowed:
                for q in range(_WINDOW):
                    s = _u(base + 2 * ((h + q) & mask))
                    n |= pool[s + _u(1)] if pool[s] == f else 0
            else:
                k = pool[_u(base + 2 * h)]
                while k != f and k != _EMPTY:
                    h = (h + 1) & mask
                    k = pool[_u(base + 2 * h)]
                if k == f:
                    n = pool[_u(base + 2 * h + 1)]
        out[_u(i)] = inv_sum[_u(e)] * (lex_alpha + n)
    if has_prior:
        for i in range(n_src):
            e = src_sent[i]
            out[i] += inv_sum[e] * prior_value(
                prior_keys, prior_values, prior_start, prior_bits, e, f
            )
    if model >= 2:
        # Jumps from the left neighbour into i and from i to the right neighbour. In sentences
        # shorter than JUMP_CENTER no jump is clamped, so the two slots are plain offsets from
        # i (branch-free loop); longer ones take jump_index's clamping.
        into = JUMP_CENTER - prev_i
        out_of = JUMP_CENTER + next_i
        short = n_src < JUMP_CENTER
        # The total is summed in the same pass (same order of additions as a pass of its own).
        total = 0.0
        if model >= 3:
            for i in range(n_src):
                phi = min(fert[_u(i)] + 1, FERT_LEN - 1)
                if short:
                    j_in = jump[_u(into + i)]
                    j_out = jump[_u(out_of - i)]
                else:
                    j_in = jump[_u(jump_index(prev_i, i))]
                    j_out = jump[_u(jump_index(i, next_i))]
                w = out[_u(i)] * (j_in * j_out * fert_ratio[_u(src_sent[_u(i)] * FERT_LEN + phi)])
                total += w
                out[_u(i)] = total if cumulative else w
        elif short:
            for i in range(n_src):
                w = out[_u(i)] * (jump[_u(into + i)] * jump[_u(out_of - i)])
                total += w
                out[_u(i)] = total if cumulative else w
        else:
            for i in range(n_src):
                w = out[_u(i)] * (jump[_u(jump_index(prev_i, i))] * jump[_u(jump_index(i, next_i))])
                total += w
                out[_u(i)] = total if cumulative else w
    else:
        total = 0.0
        for i in range(n_src):
            total += out[i]
            if cumulative:
                out[i] = total
    alpha = null_alpha
    if has_prior:
        alpha += prior_value(prior_keys, prior_values, prior_start, prior_bits, 0, f)
    p = null_prior * inv_sum[0] * (alpha + lex_count(pool, start, bits, 0, f))
    if model >= 2:
        # A non-NULL link adds two jumps (normalised by Z**2), a NULL link replaces them by one
        # (Z**1): scaling NULL by Z instead of the others by 1/Z**2 leaves the ratio unchanged.
        p *= jump[JUMP_SUM] * jump[jump_index(prev_i, next_i)]
    out[n_src] = total + p if cumulative else p
    return float(total + p)


@_kernel
def randomize_links(
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    null_prior: float,
    rng: np.ndarray,
    links: np.ndarray,
) -> np.ndarray:
    """Initial links, written into ``links`` (one entry per generated token, any signed integer
    type wide enough for the longest sentence): NULL (-1) with probability ``null_prior``, else a
    uniform source position."""
    links[:] = -1
    for s in range(len(tgt_offsets) - 1):
        n_src = src_offsets[s + 1] - src_offsets[s]
        if n_src == 0:
            continue
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            if uniform(rng) >= null_prior:
                links[t] = min(int(uniform(rng) * n_src), n_src - 1)
    return links


@_kernel
def make_counts(
    model: int,
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    n_tgt_types: int,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
    prior_sum: np.ndarray,
    jump_prior: np.ndarray,
    windowed: bool,
    lex_alpha: float = LEX_ALPHA,
    jump_alpha: float = JUMP_ALPHA,
) -> np.ndarray:
    """Rebuild every count of a sampler from its links, in windowed tables or not; returns the
    pool."""
    bits[:] = 0
    used[:] = 0
    meta[0] = 0
    meta[1] = 0
    meta[2] += 1
    meta[3] = windowed
    for e in range(len(count_sum)):
        count_sum[e] = lex_alpha * n_tgt_types
        if e < len(prior_sum):
            count_sum[e] += prior_sum[e]
    jump[JUMP_SUM] = JUMP_MAX_EST * jump_alpha
    for k in range(JUMP_LEN):
        jump[k] = jump_alpha
        if len(jump_prior) > 0:
            jump[k] += jump_prior[k]
            jump[JUMP_SUM] += jump_prior[k]
    for s in range(len(tgt_offsets) - 1):
        s0 = src_offsets[s]
        n_src = src_offsets[s + 1] - s0
        if n_src == 0 or tgt_offsets[s + 1] == tgt_offsets[s]:
            continue
        prev_i = -1
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            i = links[t]
            e = 0 if i < 0 else src_ids[s0 + i]
            count_sum[e] += 1.0
            if not lex_add_in_place(pool, start, bits, used, meta, e, tgt_ids[t], 1):
                pool = lex_add(pool, start, bits, used, meta, e, tgt_ids[t], 1)  # allocates
            if i >= 0:
                jump[jump_index(prev_i, i)] += 1.0
                jump[JUMP_SUM] += 1.0
                prev_i = i
        # The chain always ends with a jump to the end of the sentence (also when every token
        # is NULL), so that removing and re-adding a NULL link keeps every count non-negative.
        jump[jump_index(prev_i, n_src)] += 1.0
        jump[JUMP_SUM] += 1.0
    for e in range(len(count_sum)):
        inv_sum[e] = 1.0 / count_sum[e]
    return pool


@_kernel
def sample_fertility(
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    fert_ratio: np.ndarray,
    fert_prior: np.ndarray,
    rng: np.ndarray,
    counts: np.ndarray,
    seen: np.ndarray,
    order: np.ndarray,
    fert_alpha: float = FERT_ALPHA,
) -> None:
    """Draw the fertility distribution of every type in the text from its Dirichlet posterior.

    Unlike the lexical and jump distributions, fertilities are not collapsed: the reference
    samples a categorical distribution per type once per sweep and stores, for each ``phi``,
    the ratio ``P(phi)/P(phi - 1)`` that the sampler multiplies in.

    ``counts`` (as long as ``fert_ratio``), ``seen`` (all False, one per type; left all False)
    and ``order`` (one per type) are scratch: only the rows of types that occur are touched, so
    a short text costs little however large the vocabulary of a model's priors.
    """
    n_seen = 0
    max_len = 0
    for s in range(len(src_offsets) - 1):
        max_len = max(max_len, src_offsets[s + 1] - src_offsets[s])
    fert = np.zeros(max_len, dtype=np.int64)
    for s in range(len(tgt_offsets) - 1):
        s0 = src_offsets[s]
        n_src = src_offsets[s + 1] - s0
        if n_src == 0 or tgt_offsets[s + 1] == tgt_offsets[s]:
            continue
        fert[:n_src] = 0
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            if links[t] >= 0:
                fert[links[t]] += 1
        for i in range(n_src):
            e = src_ids[s0 + i]
            base = e * FERT_LEN
            if not seen[e]:
                seen[e] = True
                order[n_seen] = e
                n_seen += 1
                for k in range(FERT_LEN):
                    counts[base + k] = fert_alpha
                    if base + k < len(fert_prior):
                        counts[base + k] += fert_prior[base + k]
            counts[base + min(fert[i], FERT_LEN - 1)] += 1.0
    draw = np.empty(FERT_LEN)
    for n in range(n_seen):
        e = order[n]
        seen[e] = False
        base = e * FERT_LEN
        for k in range(FERT_LEN):
            draw[k] = gamma(rng, counts[base + k])
        fert_ratio[base + FERT_LEN - 1] = FERT_CAP_RATIO
        for k in range(FERT_LEN - 2, 0, -1):
            fert_ratio[base + k] = draw[k] / draw[k - 1] if draw[k - 1] > 0.0 else 1e30
        fert_ratio[base] = draw[0]


@_kernel
def _remove_link(
    model: int,
    e: int,
    f: int,
    i: int,
    prev_i: int,
    next_i: int,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
) -> np.ndarray:
    count_sum[e] -= 1.0
    inv_sum[e] = 1.0 / count_sum[e]
    pool = lex_add(pool, start, bits, used, meta, e, f, -1)
    if model >= 2:
        if i < 0:
            jump[jump_index(prev_i, next_i)] -= 1.0
            jump[JUMP_SUM] -= 1.0
        else:
            jump[jump_index(prev_i, i)] -= 1.0
            jump[jump_index(i, next_i)] -= 1.0
            jump[JUMP_SUM] -= 2.0
    return pool


@_kernel
def _add_link(
    model: int,
    e: int,
    f: int,
    i: int,
    prev_i: int,
    next_i: int,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
) -> np.ndarray:
    count_sum[e] += 1.0
    inv_sum[e] = 1.0 / count_sum[e]
    pool = lex_add(pool, start, bits, used, meta, e, f, 1)
    if model >= 2:
        if i < 0:
            jump[jump_index(prev_i, next_i)] += 1.0
            jump[JUMP_SUM] += 1.0
        else:
            jump[jump_index(prev_i, i)] += 1.0
            jump[jump_index(i, next_i)] += 1.0
            jump[JUMP_SUM] += 2.0
    return pool


@_leaf
def _move_jumps(i: int, prev_i: int, next_i: int, jump: np.ndarray, delta: float) -> None:
    # The jumps that link i (-1: NULL) makes in the chain prev_i -> next_i, counted delta times.
    if i < 0:
        jump[jump_index(prev_i, next_i)] += delta
        jump[JUMP_SUM] += delta
    else:
        jump[jump_index(prev_i, i)] += delta
        jump[jump_index(i, next_i)] += delta
        jump[JUMP_SUM] += 2.0 * delta


@_leaf
def _max_sentence_length(offsets: np.ndarray) -> int:
    m = 0
    for s in range(len(offsets) - 1):
        m = max(m, offsets[s + 1] - offsets[s])
    return m


@_leaf
def _table_cache(
    src_sent: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    meta: np.ndarray,
    sent_base: np.ndarray,
    sent_bits: np.ndarray,
) -> int:
    # Where the tables of the sentence's types are; valid until meta[2] changes.
    for i in range(len(src_sent)):
        sent_base[i] = 2 * start[src_sent[i]]
        sent_bits[i] = bits[src_sent[i]]
    return int(meta[2])


@_kernel
def _visit_sentences(
    model: int,
    argmax: bool,
    first: bool,
    sent_lo: int,
    sent_hi: int,
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
    fert_ratio: np.ndarray,
    prior_keys: np.ndarray,
    prior_values: np.ndarray,
    prior_start: np.ndarray,
    prior_bits: np.ndarray,
    null_prior: float,
    lex_alpha: float,
    null_alpha: float,
    rng: np.ndarray,
    acc: np.ndarray,
) -> np.ndarray:
    # One pass over sentences sent_lo:sent_hi that takes every link out, computes its
    # conditional and puts it back: drawn from the conditional (a Gibbs sweep) or, when argmax,
    # moved to the argmax of the pooled marginals in acc (see argmax_pass). Returns the pool.
    max_src = _max_sentence_length(src_offsets)
    ps = np.empty(max_src + 1)
    fert = np.zeros(max_src, dtype=np.int64)
    sent_base = np.zeros(max_src, dtype=np.int64)
    sent_bits = np.zeros(max_src, dtype=np.int64)
    next_table = np.empty(_max_sentence_length(tgt_offsets), dtype=np.int64)
    base = 0
    for s in range(sent_lo, sent_hi):
        s0 = src_offsets[s]
        n_src = src_offsets[s + 1] - s0
        t0 = tgt_offsets[s]
        n_tgt = tgt_offsets[s + 1] - t0
        if n_src == 0 or n_tgt == 0:
            continue
        src_sent = src_ids[s0 : s0 + n_src]
        moves = _table_cache(src_sent, start, bits, meta, sent_base, sent_bits)
        # next_table[j]: source position of the nearest non-NULL link right of j.
        nxt = n_src
        for j in range(n_tgt - 1, -1, -1):
            next_table[j] = nxt
            if links[t0 + j] >= 0:
                nxt = links[t0 + j]
        if model >= 3:
            fert[:n_src] = 0
            for j in range(n_tgt):
                if links[t0 + j] >= 0:
                    fert[links[t0 + j]] += 1
        prev_i = -1
        for j in range(n_tgt):
            f = tgt_ids[t0 + j]
            old_i = links[t0 + j]
            next_i = next_table[j]
            old_e = 0 if old_i < 0 else src_sent[old_i]
            if model >= 3 and old_i >= 0:
                fert[old_i] -= 1
            # Most links are drawn again to the same word: the pair stays in its table (at count 0
            # for a moment, which reads as absent) and the old 1/sum is kept, so that case needs no
            # second lookup when the link is counted again (as in eflomal.c, ``sample``).
            count_sum[old_e] -= 1.0
            old_inv = inv_sum[old_e]
            inv_sum[old_e] = 1.0 / count_sum[old_e]
            cell = _lex_decrement(pool, start, bits, old_e, f)
            if model >= 2:
                _move_jumps(old_i, prev_i, next_i, jump, -1.0)
            total = position_distribution(
                model, src_sent, f, prev_i, next_i, fert, sent_base, sent_bits,
                pool, start, bits, inv_sum, jump, fert_ratio,
                prior_keys, prior_values, prior_start, prior_bits, null_prior, lex_alpha, null_alpha,
                ps, meta[3] != 0, not argmax,
            )  # fmt: skip
            if argmax:
                # One reciprocal per token, as the reference scales (not a division per cell),
                # and the first sampler's turn overwrites the chunk's buffer instead of zeroing it.
                scale = 1.0 / total
                if first:
                    for i in range(n_src + 1):
                        acc[_u(base + i)] = ps[_u(i)] * scale
                else:
                    for i in range(n_src + 1):
                        acc[_u(base + i)] += ps[_u(i)] * scale
                best = 0
                top = acc[_u(base)]
                for i in range(1, n_src + 1):
                    if acc[_u(base + i)] > top:
                        top = acc[_u(base + i)]
                        best = i
                base += n_src + 1
                new_i = -1 if best == n_src else best
            else:
                u = uniform(rng) * total
                # The first position whose running sum exceeds u (sums never decrease).
                new_i = 0
                for i in range(n_src + 1):
                    new_i += ps[_u(i)] <= u
                if new_i >= n_src:
                    new_i = -1
            new_e = 0 if new_i < 0 else src_sent[new_i]
            links[t0 + j] = new_i
            if model >= 3 and new_i >= 0:
                fert[new_i] += 1
            if new_e == old_e:
                pool[cell] += 1
                count_sum[old_e] += 1.0
                inv_sum[old_e] = old_inv  # count_sum[old_e] is exactly back to its old value
            else:
                if pool[cell] == 0:
                    h = (cell - 1 - 2 * start[old_e]) // 2
                    _drop_slot(pool, start, bits, used, meta, old_e, h)
                count_sum[new_e] += 1.0
                inv_sum[new_e] = 1.0 / count_sum[new_e]
                if not lex_add_in_place(pool, start, bits, used, meta, new_e, f, 1):
                    pool = lex_add(pool, start, bits, used, meta, new_e, f, 1)  # allocates
                if meta[2] != moves:  # a table moved or the pool was compacted
                    moves = _table_cache(src_sent, start, bits, meta, sent_base, sent_bits)
            if model >= 2:
                _move_jumps(new_i, prev_i, next_i, jump, 1.0)
            if new_i >= 0:
                prev_i = new_i
    return pool


@_kernel
def gibbs_sweeps(
    model: int,
    n_sweeps: int,
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
    fert_ratio: np.ndarray,
    prior_keys: np.ndarray,
    prior_values: np.ndarray,
    prior_start: np.ndarray,
    prior_bits: np.ndarray,
    fert_prior: np.ndarray,
    null_prior: float,
    rng: np.ndarray,
    lex_alpha: float = LEX_ALPHA,
    null_alpha: float = NULL_ALPHA,
    fert_alpha: float = FERT_ALPHA,
) -> np.ndarray:
    """Resample every link ``n_sweeps`` times in corpus order; returns the pool."""
    fert_counts = np.empty(len(fert_ratio))
    seen = np.zeros(len(fert_ratio) // FERT_LEN, dtype=np.bool_)
    order = np.empty(len(fert_ratio) // FERT_LEN, dtype=np.int64)
    no_acc = np.empty(0)
    for _ in range(n_sweeps):
        if model >= 3:
            sample_fertility(
                src_ids, src_offsets, tgt_offsets, links, fert_ratio, fert_prior, rng,
                fert_counts, seen, order, fert_alpha,
            )  # fmt: skip
        pool = _visit_sentences(
            model, False, False, 0, len(tgt_offsets) - 1, src_ids, src_offsets, tgt_ids, tgt_offsets, links, pool, start, bits, used, meta,
        count_sum, inv_sum, jump, fert_ratio, prior_keys, prior_values, prior_start, prior_bits,
            null_prior, lex_alpha, null_alpha, rng, no_acc,
        )  # fmt: skip
    return pool


@_kernel
def argmax_pass(
    model: int,
    first: bool,
    sent_lo: int,
    sent_hi: int,
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    pool: np.ndarray,
    start: np.ndarray,
    bits: np.ndarray,
    used: np.ndarray,
    meta: np.ndarray,
    count_sum: np.ndarray,
    inv_sum: np.ndarray,
    jump: np.ndarray,
    fert_ratio: np.ndarray,
    prior_keys: np.ndarray,
    prior_values: np.ndarray,
    prior_start: np.ndarray,
    prior_bits: np.ndarray,
    null_prior: float,
    acc: np.ndarray,
    lex_alpha: float = LEX_ALPHA,
    null_alpha: float = NULL_ALPHA,
) -> np.ndarray:
    """One sampler's turn in the final decoding of sentences ``sent_lo:sent_hi``.

    ``acc`` pools the samplers' marginals: for every target token of the chunk, ``n_src + 1``
    accumulated normalised conditionals (zeroed when ``first``). Like the reference, each
    sampler in turn adds its conditional and moves its own link to the current argmax of the
    pool, so the last sampler's links are the argmax of the pooled marginals. Returns the pool.
    """
    no_rng = np.zeros(1, dtype=np.uint64)  # nothing is drawn
    return _visit_sentences(
        model, True, first, sent_lo, sent_hi, src_ids, src_offsets, tgt_ids, tgt_offsets, links, pool, start, bits, used, meta,
        count_sum, inv_sum, jump, fert_ratio, prior_keys, prior_values, prior_start, prior_bits,
        null_prior, lex_alpha, null_alpha, no_rng, acc,
    )  # fmt: skip


@_kernel
def chunk_posteriors(
    acc: np.ndarray,
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    sent_lo: int,
    sent_hi: int,
    scale: float,
    floor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The link posteriors of sentences ``sent_lo:sent_hi`` from the pooled marginals that
    :func:`argmax_pass` left in ``acc`` (each sampler's normalised conditional, summed):
    ``scale * acc`` with entries below ``floor`` dropped, NULL as position -1. A token of a
    sentence with an empty generating side is NULL with probability 1.

    Returns:
        ``(counts, positions, probs)``: the number of entries of every generated token of the
        chunk, then the entries, token after token.
    """
    n_tokens = tgt_offsets[sent_hi] - tgt_offsets[sent_lo]
    counts = np.zeros(n_tokens, dtype=np.int64)
    positions = np.empty(len(acc) + n_tokens, dtype=np.int32)
    probs = np.empty(len(acc) + n_tokens, dtype=np.float32)
    base = 0
    end = 0
    for s in range(sent_lo, sent_hi):
        n_src = src_offsets[s + 1] - src_offsets[s]
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            k = t - tgt_offsets[sent_lo]
            if n_src == 0:
                positions[end] = -1
                probs[end] = 1.0
                end += 1
                counts[k] = 1
                continue
            for i in range(n_src + 1):
                p = acc[base + i] * scale
                if p >= floor and p > 0.0:
                    positions[end] = i if i < n_src else -1
                    probs[end] = p
                    end += 1
                    counts[k] += 1
            base += n_src + 1
    return counts, positions[:end].copy(), probs[:end].copy()


@_kernel
def table_entries(
    pool: np.ndarray, start: np.ndarray, bits: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stored pair with a non-zero count: ``(e, f, n(e, f))``, ``e`` ascending (``f`` in
    table order within each ``e``)."""
    n = 0
    for e in range(len(bits)):
        if bits[e] > 0:
            base = 2 * start[e]
            for h in range(1 << bits[e]):
                if pool[base + 2 * h] != _EMPTY and pool[base + 2 * h + 1] != 0:
                    n += 1
    out_e = np.empty(n, dtype=np.int32)
    out_f = np.empty(n, dtype=np.int32)
    out_n = np.empty(n, dtype=np.float64)
    k = 0
    for e in range(len(bits)):
        if bits[e] > 0:
            base = 2 * start[e]
            for h in range(1 << bits[e]):
                if pool[base + 2 * h] != _EMPTY and pool[base + 2 * h + 1] != 0:
                    out_e[k] = e
                    out_f[k] = pool[base + 2 * h]
                    out_n[k] = pool[base + 2 * h + 1]
                    k += 1
    return out_e, out_f, out_n


@_kernel
def chain_and_fertility_counts(
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_offsets: np.ndarray,
    links: np.ndarray,
    jump: np.ndarray,
    fert: np.ndarray,
) -> None:
    """Add the jump chain and the fertility of every source token of an alignment to the
    counts ``jump[JUMP_LEN]`` and ``fert[n_types * FERT_LEN]`` (what ``make_counts`` and
    ``sample_fertility`` count, as priors for new text)."""
    max_src = _max_sentence_length(src_offsets)
    phi = np.zeros(max_src, dtype=np.int64)
    for s in range(len(tgt_offsets) - 1):
        s0 = src_offsets[s]
        n_src = src_offsets[s + 1] - s0
        if n_src == 0 or tgt_offsets[s + 1] == tgt_offsets[s]:
            continue
        phi[:n_src] = 0
        prev_i = -1
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            i = links[t]
            if i >= 0:
                jump[jump_index(prev_i, i)] += 1.0
                phi[i] += 1
                prev_i = i
        jump[jump_index(prev_i, n_src)] += 1.0
        for i in range(n_src):
            fert[src_ids[s0 + i] * FERT_LEN + min(phi[i], FERT_LEN - 1)] += 1.0


# ---------------------------------------------------------------------------------------------
# Digests of sentence pairs, the keys of a model's memory of its training links (with the
# random numbers' _mix64).


@_kernel
def pair_digests(
    src_ids: np.ndarray,
    src_offsets: np.ndarray,
    tgt_ids: np.ndarray,
    tgt_offsets: np.ndarray,
    shift: int,
) -> np.ndarray:
    """A 128-bit digest of every pair (``uint64[n, 2]``): its two lengths, then its ids minus
    ``shift``, through two chains of :func:`_mix64` with different seeds. Pairs with different
    ids or lengths share a digest with probability about 2**-128."""
    n = len(src_offsets) - 1
    out = np.empty((n, 2), dtype=np.uint64)
    golden = np.uint64(0x9E3779B97F4A7C15)
    for k in range(n):
        a = np.uint64(0x243F6A8885A308D3)
        b = np.uint64(0x13198A2E03707344)
        for length in (src_offsets[k + 1] - src_offsets[k], tgt_offsets[k + 1] - tgt_offsets[k]):
            a = _mix64(a ^ np.uint64(length))
            b = _mix64(b + np.uint64(length) * golden)
        for ids, lo, hi in (
            (src_ids, src_offsets[k], src_offsets[k + 1]),
            (tgt_ids, tgt_offsets[k], tgt_offsets[k + 1]),
        ):
            for t in range(lo, hi):
                x = np.uint64(ids[t] - shift)
                a = _mix64(a ^ x)
                b = _mix64(b + x * golden)
        out[k, 0] = a
        out[k, 1] = b
    return out
