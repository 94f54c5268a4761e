"""Trilingual lexical priors: src-tgt translation evidence composed through a pivot language.

DERMIT is trilingual: beside German-Romansh there are German-Italian and Romansh-Italian pairs,
many more of them than gold-quality German-Romansh text for any one word. A word that is rare in
the src-tgt corpus may be frequent enough in the other two to be translated through the pivot.
Following the triangulation of phrase tables (Cohn & Lapata 2007, "Machine Translation by
Triangulation", eq. 1; Wu & Wang 2007), the translation table of src-tgt is composed from those
of src-pivot and pivot-tgt, marginalising the pivot word::

    p(tgt | src) = Σ_pivot p(pivot | src) · p(tgt | pivot)

and the same for p(src | tgt). The tables come from eflomal models trained on the two pivot
bitexts (their final alignment's lexical counts, normalised per generating word). The composed
table, scaled to ``weight`` pseudo-counts per generating word, becomes a Dirichlet prior of the
src-tgt model's lexical distributions (Östling & Tiedemann 2016, §3.1: the priors that
``eflomal-makepriors`` writes, here from another language pair).
"""

from __future__ import annotations

import wordalign._numba_cache  # noqa: F401  # isort: skip  (before numba: NUMBA_CACHE_DIR)
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from numba import njit

from wordalign.aligners.base import PairLike
from wordalign.aligners.statistical._table_kernels import grown
from wordalign.errors import WordalignError

if TYPE_CHECKING:
    from wordalign.aligners.statistical.eflomal import Eflomal

__all__ = ["LexicalPrior", "WordTable", "pivot_prior"]

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class WordTable:
    """A sparse table ``p(col word | row word)`` in compressed rows: row ``r`` owns entries
    ``ptr[r]:ptr[r + 1]`` of ``cols`` (indices into ``col_words``) and ``probs``."""

    row_words: tuple[str, ...]
    col_words: tuple[str, ...]
    ptr: I64
    cols: I32
    probs: F64

    def __len__(self) -> int:
        return len(self.probs)

    @classmethod
    def from_counts(
        cls,
        row_words: tuple[str, ...],
        col_words: tuple[str, ...],
        rows: npt.NDArray[np.integer],
        cols: npt.NDArray[np.integer],
        counts: npt.NDArray[np.floating],
        min_prob: float,
        top_k: int,
    ) -> WordTable:
        """Counts of (row, col) pairs normalised per row, keeping each row's ``top_k`` entries
        of at least ``min_prob`` (renormalised, so that every kept row sums to one)."""
        ptr, kept_cols, probs = _normalise_rows(
            len(row_words),
            np.ascontiguousarray(rows, dtype=np.int64),
            np.ascontiguousarray(cols, dtype=np.int32),
            np.ascontiguousarray(counts, dtype=np.float64),
            float(min_prob),
            int(top_k),
        )
        return cls(row_words, col_words, ptr, kept_cols, probs)

    def compose(self, other: WordTable, min_prob: float, top_k: int) -> WordTable:
        """``p(c | a) = Σ_b self(b | a) · other(c | b)``, the middle words matched by spelling;
        pruned as :meth:`from_counts` prunes."""
        index = {word: k for k, word in enumerate(other.row_words)}
        middle = np.array([index.get(word, -1) for word in self.col_words], dtype=np.int64)
        rows, cols, values = _compose(
            self.ptr, self.cols, self.probs, middle, other.ptr, other.cols, other.probs,
            len(other.col_words),
        )  # fmt: skip
        return WordTable.from_counts(
            self.row_words, other.col_words, rows, cols, values, min_prob, top_k
        )

    def shared_columns(self, other_rows: Iterable[str]) -> int:
        """How many of ``other_rows`` are column words of this table."""
        cols = set(self.col_words)
        return sum(1 for word in other_rows if word in cols)


@dataclass(frozen=True)
class LexicalPrior:
    """Dirichlet pseudo-counts of src-tgt word pairs for both directions of a src-tgt model:
    ``forward`` (rows src words, columns tgt words) for the tgt-generating direction,
    ``reverse`` (rows tgt words, columns src words) for the other; every generating word's
    entries sum to ``weight`` pseudo-counts."""

    forward: WordTable
    reverse: WordTable
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """A summary: sizes and weight."""
        return {
            "weight": self.weight,
            "forward_pairs": len(self.forward),
            "reverse_pairs": len(self.reverse),
            "src_words": len(self.forward.row_words),
            "tgt_words": len(self.reverse.row_words),
        }


def pivot_prior(
    src_pivot: Iterable[PairLike],
    tgt_pivot: Iterable[PairLike],
    weight: float = 20.0,
    min_prob: float = 0.01,
    top_k: int = 10,
    like: Eflomal | None = None,
    **eflomal_params: Any,
) -> LexicalPrior:
    """Lexical priors for a src-tgt model from src-pivot and tgt-pivot bitexts.

    Args:
        src_pivot: pairs ``(src sentence, pivot sentence)`` (e.g. DE-IT for DE-RM).
        tgt_pivot: pairs ``(tgt sentence, pivot sentence)`` (e.g. RM-IT for DE-RM).
        weight: pseudo-counts per generating word (the prior's strength against the data).
        min_prob, top_k: pruning of every table (each word keeps its ``top_k`` translations of
            at least ``min_prob``).
        like: the src-tgt aligner whose normalisation (lowercasing, stemming) the pivot models
            take, so that words are spelled alike: each side as that aligner's side of the same
            language, the pivot as its src side.
        eflomal_params: other settings of the two pivot models (``random_state``,
            ``rel_iterations``, ``progress``, ...).

    Raises:
        WordalignError: when the two bitexts share no pivot word (they cannot be of the same
            pivot language), or one of them is empty.
    """
    if not float(weight) > 0.0:
        raise WordalignError(f"pivot prior: weight must be > 0, got {weight}")
    src_params, tgt_params = dict(eflomal_params), dict(eflomal_params)
    if like is not None:
        p = like.get_params()
        src_params["lowercase"] = tgt_params["lowercase"] = p["lowercase"]
        for end in ("prefix_len", "suffix_len"):
            src_params[f"src_{end}"] = tgt_params[f"tgt_{end}"] = p[f"src_{end}"]
            src_params[f"tgt_{end}"] = p[f"src_{end}"]
            tgt_params[f"src_{end}"] = p[f"tgt_{end}"]
    src_side = _tables(src_pivot, "the src-pivot bitext", min_prob, top_k, src_params)
    tgt_side = _tables(tgt_pivot, "the tgt-pivot bitext", min_prob, top_k, tgt_params)
    # src_side: (p(pivot | src), p(src | pivot)); tgt_side: (p(pivot | tgt), p(tgt | pivot)).
    if src_side[0].shared_columns(tgt_side[1].row_words) == 0:
        raise WordalignError(
            "pivot prior: the src-pivot and tgt-pivot bitexts share no pivot word "
            "(is the second column of both files the same language?)"
        )
    forward = src_side[0].compose(tgt_side[1], min_prob, top_k)
    reverse = tgt_side[0].compose(src_side[1], min_prob, top_k)
    return LexicalPrior(forward, reverse, float(weight))


def _tables(
    pairs: Iterable[PairLike],
    what: str,
    min_prob: float,
    top_k: int,
    params: dict[str, Any],
) -> tuple[WordTable, WordTable]:
    """``(p(pivot | word), p(word | pivot))`` from an eflomal model of ``(word, pivot)`` pairs."""
    from wordalign.aligners.statistical.eflomal import Eflomal

    # One sampler: the tables are pooled over a whole corpus, where 3 samplers' (the default of
    # alignment) cost twice the time for no measured gain (DE-RM AER 0.1228 vs 0.1218, one seed).
    settings = {"progress": False, "n_samplers": 1, **params, "remember_training_links": False}
    settings.pop("symmetrize", None)
    model = Eflomal(**settings).fit(pairs)
    if model.n_train_pairs_ == 0:
        raise WordalignError(f"pivot prior: {what} has no sentence pairs")
    words = tuple(model.src_vocab_.words)
    pivots = tuple(model.tgt_vocab_.words)
    out = []
    for direction, rows, cols in (("forward", words, pivots), ("reverse", pivots, words)):
        stats = model.stats_[direction]
        real = stats.lex_e > 0  # NULL (id 0) generates no word of the other language
        entries = (stats.lex_e[real] - 1, stats.lex_f[real], stats.lex_count[real])
        out.append(WordTable.from_counts(rows, cols, *entries, min_prob, top_k))
    return out[0], out[1]


@njit(cache=True, nogil=True)
def _normalise_rows(
    n_rows: int,
    rows: np.ndarray,
    cols: np.ndarray,
    counts: np.ndarray,
    min_prob: float,
    top_k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(rows * (1 << 31) + cols)  # rows, then columns: deterministic ties
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    out_cols = np.empty(len(rows), dtype=np.int32)
    out_probs = np.empty(len(rows))
    end = 0
    k = 0
    while k < len(order):
        r = rows[order[k]]
        lo = k
        total = 0.0
        while k < len(order) and rows[order[k]] == r:
            total += counts[order[k]]
            k += 1
        if total <= 0.0:
            continue
        seg = order[lo:k]
        # Largest first (a stable sort keeps the column order among equals).
        best = seg[np.argsort(-counts[seg], kind="mergesort")]
        start = end
        kept = 0.0
        for q in range(min(top_k, len(best))):
            p = counts[best[q]] / total
            if p < min_prob:
                break
            out_cols[end] = cols[best[q]]
            out_probs[end] = p
            kept += p
            end += 1
        for q in range(start, end):
            out_probs[q] /= kept
        ptr[r + 1] = end - start
    for r in range(n_rows):
        ptr[r + 1] += ptr[r]
    # Rows were visited in ascending order, so their entries are already in place.
    return ptr, out_cols[:end].copy(), out_probs[:end].copy()


@njit(cache=True, nogil=True)
def _compose(
    a_ptr: np.ndarray,
    a_cols: np.ndarray,
    a_probs: np.ndarray,
    middle: np.ndarray,
    b_ptr: np.ndarray,
    b_cols: np.ndarray,
    b_probs: np.ndarray,
    n_cols: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Row by row through a dense accumulator over the result's columns (Gustavson's sparse
    # product), touching only the columns that receive mass.
    acc = np.zeros(n_cols)
    touched = np.empty(n_cols, dtype=np.int64)
    out_rows = np.empty(1024, dtype=np.int64)
    out_cols = np.empty(1024, dtype=np.int64)
    out_vals = np.empty(1024)
    end = 0
    for r in range(len(a_ptr) - 1):
        n_touched = 0
        for e in range(a_ptr[r], a_ptr[r + 1]):
            b = middle[a_cols[e]]
            if b < 0:
                continue
            for q in range(b_ptr[b], b_ptr[b + 1]):
                c = b_cols[q]
                if acc[c] == 0.0:
                    touched[n_touched] = c
                    n_touched += 1
                acc[c] += a_probs[e] * b_probs[q]
        if end + n_touched > len(out_rows):
            size = max(2 * len(out_rows), end + n_touched)
            out_rows = grown(out_rows, size)
            out_cols = grown(out_cols, size)
            out_vals = grown(out_vals, size)
        for t in range(n_touched):
            c = touched[t]
            out_rows[end] = r
            out_cols[end] = c
            out_vals[end] = acc[c]
            acc[c] = 0.0
            end += 1
    return out_rows[:end].copy(), out_cols[:end].copy(), out_vals[:end].copy()
