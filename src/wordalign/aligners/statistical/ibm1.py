"""IBM Model 1 (Brown, Della Pietra, Della Pietra & Mercer 1993), trained in both directions.

The simplest statistical aligner: a lexical translation table t(f | e) learned by EM from
sentence pairs alone, every alignment position equally likely, and a NULL source word that
generates target words with no counterpart. It is the baseline of the word-alignment literature
and the first step of the IBM/GIZA++ training pipeline; on its own it links frequent function
words too eagerly, which symmetrization (grow-diag-final-and by default) partly corrects.

Both directions (source→target and target→source) train in two threads; the numerical work is in
:mod:`wordalign.aligners.statistical._ibm1_kernels`. A trained model aligns new sentence pairs
with its fixed table; words it never saw stay unaligned.

With ``scores`` or a posterior symmetrization (``posterior-mean``, ``posterior-geometric``), each
direction also gives its link posteriors under the final table (the E-step's normalised
t(f | e), Brown et al. 1993, eq. 76; see :mod:`.posteriors`); otherwise none are computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from wordalign._progress import progress as progress_bar
from wordalign._threads import worker_pool
from wordalign.aligners.base import (
    Aligner,
    ArraySpec,
    PairLike,
    as_pairs,
    check_csr,
    check_length,
    check_values,
    row_sums,
)
from wordalign.aligners.statistical import _ibm1_kernels as kernels
from wordalign.aligners.statistical.corpus import EncodedBitext, Ragged, Vocabulary, encode_bitext
from wordalign.aligners.statistical.directional import (
    POSTERIOR_METHODS,
    check_symmetrize,
    check_thresholds,
    combine_directions,
    needed_directions,
)
from wordalign.aligners.statistical.posteriors import DEFAULT_FLOOR, LinkPosteriors
from wordalign.errors import NotFittedError, WordalignError
from wordalign.types import Alignment, SentencePair

__all__ = ["IBM1"]

Links = npt.NDArray[np.int32]


# Cells (NULL or source token × target token) up to which the table index of every cell is
# computed once and kept (4 bytes each: 400 MB per direction at most); larger corpora look the
# table up again in every EM iteration, which is slower but needs no memory.
MAX_CELLS = 100_000_000


@dataclass
class Table:
    """A sparse t(f | e) table: CSR rows (0 = NULL, 1 + e = source word e) of target word ids."""

    row_ptr: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int32]
    probs: npt.NDArray[np.float64]
    log_likelihood: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.cols.shape[0])


def build_table(src: Ragged, tgt: Ragged, n_src_words: int, n_tgt_words: int) -> Table:
    """The table of every (source word or NULL, target word) pair that co-occurs, t uniform.

    t starts uniform over each row's target words; EM's first posteriors are uniform over the
    positions of a sentence whatever the start, so this choice only matters for ``n_iter=0``.
    """
    row_ptr, cols = kernels.build_rows(
        src.ids, src.offsets, tgt.ids, tgt.offsets, n_src_words, n_tgt_words
    )
    sizes = np.diff(row_ptr)
    probs = np.repeat(1.0 / np.maximum(sizes, 1), sizes).astype(np.float64)
    return Table(row_ptr, cols, probs)


@dataclass
class _Direction:
    """Training state of one direction: ``tgt`` generated from ``src``."""

    src: Ragged
    tgt: Ragged
    table: Table
    counts: npt.NDArray[np.float64]
    cells: npt.NDArray[np.int32] | None


def train_direction(
    src: Ragged, tgt: Ragged, n_src_words: int, n_tgt_words: int, max_cells: int = MAX_CELLS
) -> _Direction:
    """A fresh table for ``tgt`` generated from ``src``, with its count buffer and, when the
    corpus has at most ``max_cells`` cells, the table index of every cell."""
    table = build_table(src, tgt, n_src_words, n_tgt_words)
    n = src.lengths()
    m = tgt.lengths()
    n_cells = int(np.sum(np.where((n > 0) & (m > 0), (n + 1) * m, 0)))
    cells = None
    if n_cells <= max_cells:
        cells = kernels.cell_index(
            src.ids, src.offsets, tgt.ids, tgt.offsets, table.row_ptr, table.cols
        )
    return _Direction(src, tgt, table, np.zeros(len(table), dtype=np.float64), cells)


def em_iteration(state: _Direction) -> None:
    """One EM iteration in place: expected counts (E), renormalized table (M)."""
    src, tgt, table = state.src, state.tgt, state.table
    if state.cells is not None:
        ll = kernels.expected_counts_cached(
            src.offsets, tgt.offsets, state.cells, table.probs, state.counts
        )
    else:
        ll = kernels.expected_counts(
            src.ids, src.offsets, tgt.ids, tgt.offsets, table.row_ptr, table.cols, table.probs,
            state.counts,
        )  # fmt: skip
    kernels.normalize(table.row_ptr, state.counts, table.probs)
    table.log_likelihood.append(float(ll))


def decode(src: Ragged, tgt: Ragged, table: Table) -> npt.NDArray[np.int32]:
    """Viterbi generators of the ``tgt`` tokens (source positions, -1 for NULL)."""
    out: npt.NDArray[np.int32] = kernels.viterbi(
        src.ids, src.offsets, tgt.ids, tgt.offsets, table.row_ptr, table.cols, table.probs
    )
    return out


def posteriors(
    src: Ragged, tgt: Ragged, table: Table, floor: float = DEFAULT_FLOOR
) -> LinkPosteriors:
    """Link posteriors of the ``tgt`` tokens (source positions, -1 for NULL) under ``table``."""
    offsets, positions, probs = kernels.link_posteriors(
        src.ids, src.offsets, tgt.ids, tgt.offsets, table.row_ptr, table.cols, table.probs,
        float(floor),
    )  # fmt: skip
    return LinkPosteriors(offsets, positions, probs)


class IBM1(Aligner):
    """IBM Model 1 in both directions, symmetrized.

    Args:
        n_iter: EM iterations (at least 1).
        symmetrize: a heuristic of :mod:`wordalign.symmetrization`, or ``"forward"`` (source→target
            model alone: every target word gets at most one source word) or ``"reverse"``; only
            the directions needed are trained; or a posterior method (``"posterior-mean"``,
            ``"posterior-geometric"``: see
            :data:`~wordalign.aligners.statistical.directional.POSTERIOR_METHODS`).
        scores: attach each link's posterior as its score (for two directions the mean of
            both; see :func:`~wordalign.aligners.statistical.directional.combine_directions`).
        posterior_threshold, posterior_grow_threshold: the thresholds of the posterior methods
            (``None``: no growing).
        lowercase: lowercase tokens before training and aligning.
        random_state: accepted for a uniform interface; IBM Model 1's EM starts from a uniform
            table and involves no randomness, so results never depend on it.
        progress: show a progress bar over the EM iterations.

    Example:
        >>> pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"),
        ...          ("ein buch", "in cudesch"), ("ein haus", "ina chasa")]
        >>> aligner = IBM1(progress=False)
        >>> [a.to_pharaoh() for a in aligner.fit_align(pairs)]
        ['0-0 1-1', '0-0 1-1', '0-0 1-1', '0-0 1-1']
        >>> aligner.align([("das buch", "la chasa")])[0].to_pharaoh()  # force alignment
        '0-0'

    """

    name: ClassVar[str] = "ibm1"
    trainable: ClassVar[bool] = True

    STATE_ARRAYS: ClassVar[Mapping[str, ArraySpec]] = {
        "src_vocab_bytes": ArraySpec("u"),
        "src_vocab_offsets": ArraySpec("i"),
        "tgt_vocab_bytes": ArraySpec("u"),
        "tgt_vocab_offsets": ArraySpec("i"),
        **{
            f"{label}_{part}": ArraySpec(kind, group=label, required=True)
            for label in ("forward", "reverse")
            for part, kind in (("row_ptr", "i"), ("cols", "i"), ("probs", "f"))
        },
    }
    """A saved model's arrays. Invariants checked on load: each vocabulary's offsets start at
    0, never decrease and end at its byte count, cutting it into distinct UTF-8 words; at
    least one direction; a direction's table has one row per conditioning word plus NULL
    (``row_ptr``: that many + 1 pointers, from 0, non-decreasing, ending at the number of
    entries), ``cols`` are generated-word ids strictly increasing within a row, ``probs`` (one
    per entry) finite in [0, 1], and every non-empty row sums to 1 within 1e-6 (rows of a
    normalized t-table; an all-zero row or fast_align's sub-normalized variational-Bayes rows
    are refused)."""

    def __init__(
        self,
        n_iter: int = 5,
        symmetrize: str = "grow-diag-final-and",
        scores: bool = False,
        posterior_threshold: float = 0.5,
        posterior_grow_threshold: float | None = None,
        lowercase: bool = False,
        random_state: int | None = None,
        progress: bool = True,
    ) -> None:
        self.n_iter = n_iter
        self.symmetrize = symmetrize
        self.scores = scores
        self.posterior_threshold = posterior_threshold
        self.posterior_grow_threshold = posterior_grow_threshold
        self.lowercase = lowercase
        self.random_state = random_state
        self.progress = progress

    def _check_params(self) -> None:
        check_symmetrize(self.symmetrize)
        if int(self.n_iter) < 1:
            raise WordalignError(f"ibm1: n_iter must be at least 1, got {self.n_iter}")
        check_thresholds(self.posterior_threshold, self.posterior_grow_threshold)

    def _directions(self) -> tuple[bool, bool]:
        return needed_directions(self.symmetrize)

    def _wants_posteriors(self) -> bool:
        return bool(self.scores) or self.symmetrize in POSTERIOR_METHODS

    # -- training ---------------------------------------------------------------------------

    def _fit(self, pairs: list[SentencePair]) -> None:
        self._check_params()
        encoded = encode_bitext(pairs, lowercase=self.lowercase)
        n_src, n_tgt = len(encoded.src_vocab), len(encoded.tgt_vocab)
        want_fwd, want_rev = self._directions()
        # (conditioning side, generated side, their vocabulary sizes) per direction.
        jobs: list[tuple[Ragged, Ragged, int, int]] = []
        if want_fwd:
            jobs.append((encoded.src, encoded.tgt, n_src, n_tgt))
        if want_rev:
            jobs.append((encoded.tgt, encoded.src, n_tgt, n_src))
        # The directions are independent and the kernels release the GIL: one thread each.
        with worker_pool(len(jobs)) as pool:
            states = list(pool.map(lambda job: train_direction(*job), jobs))
            iterations = progress_bar(
                range(int(self.n_iter)),
                total=int(self.n_iter),
                desc="ibm1 EM",
                enabled=self.progress,
            )
            for _ in iterations:
                list(pool.map(em_iteration, states))
        self.src_vocab_ = encoded.src_vocab
        self.tgt_vocab_ = encoded.tgt_vocab
        self.forward_: Table | None = states[0].table if want_fwd else None
        self.reverse_: Table | None = states[-1].table if want_rev else None

    # -- aligning ---------------------------------------------------------------------------

    def _align(self, pairs: list[SentencePair]) -> Sequence[Alignment]:
        self._check_params()
        want_fwd, want_rev = self._directions()
        if (want_fwd and self.forward_ is None) or (want_rev and self.reverse_ is None):
            raise WordalignError(
                f"ibm1: this model was trained without the direction that "
                f"symmetrize={self.symmetrize!r} needs"
            )
        encoded = self._encode(pairs)
        # The posterior methods read the posteriors alone: no Viterbi pass for them.
        viterbi = self.symmetrize not in POSTERIOR_METHODS
        wants = self._wants_posteriors()

        def run(job: tuple[Ragged, Ragged, Table]) -> tuple[Links | None, LinkPosteriors | None]:
            return (decode(*job) if viterbi else None), (posteriors(*job) if wants else None)

        jobs = self._jobs(encoded, want_fwd, want_rev)
        with worker_pool(len(jobs)) as pool:
            results = dict(zip(jobs, pool.map(run, jobs.values()), strict=True))
        forward, fwd_post = results.get("forward", (None, None))
        reverse, rev_post = results.get("reverse", (None, None))
        # combine_directions reads only what the method needs; fill the rest with NULL.
        if forward is None:
            forward = np.full(len(encoded.tgt.ids), -1, dtype=np.int32)
        if reverse is None:
            reverse = np.full(len(encoded.src.ids), -1, dtype=np.int32)
        grow = self.posterior_grow_threshold
        return combine_directions(
            forward, reverse, encoded, self.symmetrize,
            posteriors=(fwd_post, rev_post) if wants else None,
            threshold=float(self.posterior_threshold),
            grow_threshold=None if grow is None else float(grow),
        )  # fmt: skip

    def _encode(self, pairs: list[SentencePair]) -> EncodedBitext:
        return encode_bitext(
            pairs, self.src_vocab_, self.tgt_vocab_, grow=False, lowercase=self.lowercase
        )

    def _jobs(
        self, encoded: EncodedBitext, want_fwd: bool, want_rev: bool
    ) -> dict[str, tuple[Ragged, Ragged, Table]]:
        """(conditioning side, generated side, table) of each wanted direction the model has."""
        jobs: dict[str, tuple[Ragged, Ragged, Table]] = {}
        if want_fwd and self.forward_ is not None:
            jobs["forward"] = (encoded.src, encoded.tgt, self.forward_)
        if want_rev and self.reverse_ is not None:
            jobs["reverse"] = (encoded.tgt, encoded.src, self.reverse_)
        return jobs

    def link_posteriors(
        self, bitext: Iterable[PairLike], floor: float = DEFAULT_FLOOR
    ) -> tuple[LinkPosteriors | None, LinkPosteriors | None, EncodedBitext]:
        """Both directions' link posteriors before symmetrization (for diagnostics and tests).

        Returns:
            ``(forward, reverse, encoded)``; a direction the model lacks is ``None``.
        """
        if not self.is_fitted():
            raise NotFittedError("IBM1 is not trained: call fit() first, or load a model")
        encoded = self._encode(as_pairs(bitext))
        jobs = self._jobs(encoded, True, True)
        found = {label: posteriors(*job, floor=floor) for label, job in jobs.items()}
        return found.get("forward"), found.get("reverse"), encoded

    def is_fitted(self) -> bool:
        """Whether a table is trained or loaded (without packing the state as the base does)."""
        return getattr(self, "src_vocab_", None) is not None

    # -- persistence ------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        if getattr(self, "src_vocab_", None) is None:
            return {}
        state: dict[str, Any] = {}
        state.update(self.src_vocab_.to_state("src_vocab"))
        state.update(self.tgt_vocab_.to_state("tgt_vocab"))
        for label, table in (("forward", self.forward_), ("reverse", self.reverse_)):
            if table is None:
                continue
            state[f"{label}_row_ptr"] = table.row_ptr
            state[f"{label}_cols"] = table.cols
            state[f"{label}_probs"] = table.probs
            state[f"{label}_log_likelihood"] = list(table.log_likelihood)
        return state

    def _set_state(self, state: dict[str, Any]) -> None:
        """Restore a saved model, checking the invariants listed at :attr:`STATE_ARRAYS`."""
        try:
            src_vocab = Vocabulary.from_state(state, "src_vocab")
            tgt_vocab = Vocabulary.from_state(state, "tgt_vocab")
            tables: dict[str, Table | None] = {}
            sizes = {"forward": (len(src_vocab), len(tgt_vocab))}
            sizes["reverse"] = sizes["forward"][::-1]
            for label, (n_cond, n_gen) in sizes.items():
                if f"{label}_row_ptr" not in state:
                    tables[label] = None
                    continue
                table = Table(
                    row_ptr=np.ascontiguousarray(state[f"{label}_row_ptr"], dtype=np.int64),
                    cols=np.ascontiguousarray(state[f"{label}_cols"], dtype=np.int32),
                    probs=np.ascontiguousarray(state[f"{label}_probs"], dtype=np.float64),
                    log_likelihood=[float(x) for x in state.get(f"{label}_log_likelihood", [])],
                )
                _check_table(label, table, n_cond, n_gen)
                tables[label] = table
        except (KeyError, TypeError, ValueError) as exc:
            raise WordalignError(f"ibm1: incomplete or damaged model state ({exc})") from None
        if tables["forward"] is None and tables["reverse"] is None:
            raise WordalignError("ibm1: the model has no table (no forward_* or reverse_* arrays)")
        self.src_vocab_ = src_vocab
        self.tgt_vocab_ = tgt_vocab
        self.forward_ = tables["forward"]
        self.reverse_ = tables["reverse"]


# A normalized row of t(f | e) sums to 1 up to rounding.
_ROW_SUM_TOLERANCE = 1e-6


def _check_table(label: str, table: Table, n_cond: int, n_gen: int) -> None:
    """The invariants of a trained direction (see :attr:`IBM1.STATE_ARRAYS`)."""
    check_csr(label, table.row_ptr, table.cols, n_cond + 1, n_gen)
    check_length(f"{label}_probs", table.probs, len(table.cols), f"one per {label}_cols entry")
    check_values(f"{label}_probs", table.probs, 0.0, 1.0)
    sums = row_sums(table.row_ptr, table.probs)
    bad = np.flatnonzero((np.diff(table.row_ptr) > 0) & (np.abs(sums - 1.0) > _ROW_SUM_TOLERANCE))
    if len(bad):
        raise WordalignError(
            f"array '{label}_probs': row {bad[0]} sums to {sums[bad[0]]:.6g}, not 1 "
            "(not the normalized table of an ibm1 model)"
        )
