"""fast_align: IBM Model 2 reparameterised with a diagonal prior.

Dyer, Chahuneau & Smith (2013), "A Simple, Fast, and Effective Reparameterization of IBM
Model 2", NAACL. The defaults are those of the reference tool run as ``fast_align -d -o -v``
(github.com/clab/fast_align, ``src/fast_align.cc``): diagonal prior with tension λ starting at 4
and re-estimated by gradient steps, NULL probability p0 = 0.08, a variational-Bayes lexical table
with Dirichlet α = 0.01, and 5 iterations of which the last only decodes (Viterbi).

Both directions are trained, in two threads, and symmetrized (grow-diag-final-and by default).
A trained model aligns new sentence pairs by force alignment with its fixed table and tensions
(fast_align's force-alignment use); words it never saw get the table's smoothing probability.

With ``scores`` or a posterior symmetrization (``posterior-mean``, ``posterior-geometric``), each
direction also gives its link posteriors under the final parameters (the E-step's normalised
δ(i | j, m, n) · θ(f_j | e_i), paper eq. 3; see :mod:`.posteriors`); otherwise none are computed.

The numerical work lives in :mod:`wordalign.aligners.statistical._fastalign_kernels`.
"""

from __future__ import annotations

import math
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
from wordalign.aligners.statistical import _fastalign_kernels as kernels
from wordalign.aligners.statistical.corpus import (
    EncodedBitext,
    Ragged,
    Vocabulary,
    encode_bitext,
)
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

__all__ = ["FastAlign"]

Links = npt.NDArray[np.int32]


# fast_align clamps the tension to this range after every gradient step (fast_align.cc).
_TENSION_MIN = 0.1
_TENSION_MAX = 14.0
_TENSION_STEPS = 8
_TENSION_RATE = 20.0
# A maximum-likelihood row of θ(f | e) sums to 1 up to rounding.
_ROW_SUM_TOLERANCE = 1e-6


@dataclass
class _Direction:
    """The model of one direction: ``tgt`` generated from ``src`` (sides already swapped for -r)."""

    row_ptr: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int32]
    probs: npt.NDArray[np.float64]
    tension: float
    mean_length_ratio: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def uniform(self) -> bool:
        """Whether no M-step has run yet (every pair has the same probability)."""
        return not self.history

    def outputs(
        self,
        src: Ragged,
        tgt: Ragged,
        entries: npt.NDArray[np.int32],
        entry_offsets: npt.NDArray[np.int64],
        opts: FastAlign,
        viterbi: bool = True,
        posteriors: bool = False,
        floor: float = DEFAULT_FLOOR,
    ) -> tuple[Links | None, LinkPosteriors | None]:
        """The Viterbi links and/or link posteriors of ``tgt`` (``entries`` as
        :func:`~._fastalign_kernels.pair_entries` lays them out); what is not asked is None."""
        model_args = (
            self.probs,
            self.uniform,
            bool(opts.favor_diagonal),
            self.tension,
            float(opts.p0),
        )
        links = None
        if viterbi:
            links, _ = kernels.viterbi(
                src.offsets, tgt.offsets, entries, entry_offsets, *model_args
            )
        found = None
        if posteriors:
            found = LinkPosteriors(
                *kernels.link_posteriors(
                    src.offsets, tgt.offsets, entries, entry_offsets, *model_args, float(floor)
                )
            )
        return links, found


def _size_counts(
    src: Ragged, tgt: Ragged
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], float, float]:
    """Distinct sentence shapes ``(m, n)`` with counts, target tokens, mean length ratio m/n.

    Pairs with an empty side are not trained on and are left out.
    """
    n = src.lengths()
    m = tgt.lengths()
    keep = (n > 0) & (m > 0)
    n, m = n[keep], m[keep]
    if not len(n):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), 0.0, 0.0
    keys = m * (int(n.max()) + 1) + n
    uniq, count = np.unique(keys, return_counts=True)
    size_m = uniq // (int(n.max()) + 1)
    size_n = uniq % (int(n.max()) + 1)
    return (
        size_m.astype(np.int64),
        size_n.astype(np.int64),
        count.astype(np.float64),
        float(m.sum()),
        float(np.mean(m / n)),
    )


class _Trainer:
    """EM for one direction, one iteration per :meth:`step` (fast_align.cc's main loop)."""

    def __init__(
        self, aligner: FastAlign, src: Ragged, tgt: Ragged, n_src_words: int, n_tgt_words: int
    ) -> None:
        self.aligner = aligner
        self.src = src
        self.tgt = tgt
        self.n_src_words = n_src_words
        self.n_tgt_words = n_tgt_words

    def prepare(self) -> None:
        """Build the sparse table of co-occurring pairs and the sentence-shape statistics."""
        src, tgt = self.src, self.tgt
        row_ptr, cols, self.entries, self.entry_offsets = kernels.build_training_table(
            src.ids, src.offsets, tgt.ids, tgt.offsets, self.n_src_words, self.n_tgt_words
        )
        self.size_m, self.size_n, self.size_count, self.n_tokens, ratio = _size_counts(src, tgt)
        self.counts = np.zeros(len(cols), dtype=np.float64)
        self.model = _Direction(
            row_ptr=row_ptr,
            cols=cols,
            probs=np.zeros(len(cols), dtype=np.float64),
            tension=float(self.aligner.diagonal_tension),
            mean_length_ratio=ratio,
        )

    def release(self) -> None:
        """Drop the training-only arrays and sort the table rows for lookups by bisection."""
        del self.counts, self.entries, self.entry_offsets
        kernels.sort_rows(self.model.row_ptr, self.model.cols, self.model.probs)

    def decode(self, viterbi: bool, posteriors: bool) -> tuple[Links | None, LinkPosteriors | None]:
        """Viterbi links and/or posteriors with the current table (fast_align's final iteration)."""
        return self.model.outputs(
            self.src, self.tgt, self.entries, self.entry_offsets, self.aligner, viterbi, posteriors
        )

    def step(self, iteration: int) -> None:
        """E-step, tension update, M-step."""
        opts, model = self.aligner, self.model
        likelihood, c0, emp_feat = kernels.em_step(
            self.src.offsets, self.tgt.offsets, self.entries, self.entry_offsets, model.probs,
            self.counts, model.uniform, bool(opts.favor_diagonal), model.tension, float(opts.p0),
        )  # fmt: skip
        n_tokens = self.n_tokens
        emp_feat = emp_feat / n_tokens if n_tokens else 0.0
        # fast_align leaves λ alone after the first iteration (whose posteriors come from the
        # uniform table), then takes 8 gradient steps on E_posterior[h] - E_model[h]
        # (paper, Section 2.2: the gradient of the log-likelihood in λ).
        if opts.favor_diagonal and opts.optimize_tension and iteration > 0 and n_tokens:
            for _ in range(_TENSION_STEPS):
                mod_feat = kernels.model_feature(
                    self.size_m, self.size_n, self.size_count, model.tension
                )
                model.tension += (emp_feat - mod_feat / n_tokens) * _TENSION_RATE
                model.tension = min(max(model.tension, _TENSION_MIN), _TENSION_MAX)
        if opts.variational_bayes:
            kernels.normalize_vb(model.row_ptr, self.counts, model.probs, float(opts.alpha))
        else:
            kernels.normalize(model.row_ptr, self.counts, model.probs)
        model.history.append(
            {
                "log_likelihood": likelihood,
                "posterior_p0": c0 / n_tokens if n_tokens else 0.0,
                "posterior_feature": emp_feat,
                "tension": model.tension,
            }
        )


class FastAlign(Aligner):
    """fast_align (Dyer et al. 2013) in both directions, symmetrized.

    Args:
        n_iter: iterations; the last one only decodes (fast_align ``-I``), so ``n_iter - 1`` EM
            updates run. At least 1.
        favor_diagonal: use the diagonal alignment prior (``-d``); without it the model is
            IBM Model 1 with a uniform NULL.
        diagonal_tension: starting tension λ of the diagonal prior (``-T``).
        optimize_tension: re-estimate λ after each EM iteration but the first (``-o``).
        variational_bayes: Dirichlet prior on the lexical table, mean-field update (``-v``).
        alpha: concentration of that Dirichlet prior (``-a``); must be > 0.
        p0: probability of aligning to NULL (``-p``).
        symmetrize: a heuristic of :mod:`wordalign.symmetrization`, ``"forward"`` /
            ``"reverse"`` for one direction alone (only that direction is then trained), or a
            posterior method (``"posterior-mean"``, ``"posterior-geometric"``: see
            :data:`~wordalign.aligners.statistical.directional.POSTERIOR_METHODS`).
        scores: attach each link's posterior as its score (for two directions the mean of
            both; see :func:`~wordalign.aligners.statistical.directional.combine_directions`).
        posterior_threshold, posterior_grow_threshold: the thresholds of the posterior methods
            (``None``: no growing).
        lowercase: lowercase tokens before training and aligning.
        progress: show a progress bar per EM iteration.

    Attributes:
        src_vocab_: source vocabulary of the training text (after ``lowercase``).
        tgt_vocab_: target vocabulary.
        forward_: the model generating target from source (``None`` when not trained), with
            its sparse table (``row_ptr``, ``cols``, ``probs``), final ``tension`` and the
            per-iteration ``history`` (log-likelihood, posterior p0, tension).
        reverse_: the model generating source from target (fast_align ``-r``).

    Example:
        >>> pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")]
        >>> aligner = FastAlign(symmetrize="intersection", progress=False)
        >>> [a.to_pharaoh() for a in aligner.fit_align(pairs)][0]
        '0-0 1-1'
    """

    name: ClassVar[str] = "fastalign"
    trainable: ClassVar[bool] = True

    STATE_ARRAYS: ClassVar[Mapping[str, ArraySpec]] = {
        "src_vocab_bytes": ArraySpec("u"),
        "src_vocab_offsets": ArraySpec("i"),
        "tgt_vocab_bytes": ArraySpec("u"),
        "tgt_vocab_offsets": ArraySpec("i"),
        **{
            f"{label}_{part}": ArraySpec(kind, group=label)
            for label in ("forward", "reverse")
            for part, kind in (("row_ptr", "i"), ("cols", "i"), ("probs", "f"))
        },
    }
    """A saved model's arrays (``config.json``'s state holds each direction's ``tension``,
    ``mean_length_ratio`` and ``history``). Invariants checked on load: each vocabulary's offsets
    start at 0, never decrease and end at its byte count, cutting it into distinct UTF-8 words;
    at least one direction; a direction's table has one row per conditioning word plus NULL
    (``row_ptr`` from 0, non-decreasing, ending at the number of entries), ``cols`` are
    generated-word ids strictly increasing within a row (rows are sorted for bisection),
    ``probs`` finite in [0, 1], one per entry; ``tension`` and ``mean_length_ratio`` finite and
    non-negative. Once an M-step has run (non-empty ``history``), every non-empty row sums to 1
    within 1e-6 without ``variational_bayes`` and to a value in (0, 1 + 1e-6] with it (the
    mean-field update is sub-normalized): an all-zero row is refused."""

    def __init__(
        self,
        n_iter: int = 5,
        favor_diagonal: bool = True,
        diagonal_tension: float = 4.0,
        optimize_tension: bool = True,
        variational_bayes: bool = True,
        alpha: float = 0.01,
        p0: float = 0.08,
        symmetrize: str = "grow-diag-final-and",
        scores: bool = False,
        posterior_threshold: float = 0.5,
        posterior_grow_threshold: float | None = None,
        lowercase: bool = False,
        progress: bool = True,
    ) -> None:
        self.n_iter = n_iter
        self.favor_diagonal = favor_diagonal
        self.diagonal_tension = diagonal_tension
        self.optimize_tension = optimize_tension
        self.variational_bayes = variational_bayes
        self.alpha = alpha
        self.p0 = p0
        self.symmetrize = symmetrize
        self.scores = scores
        self.posterior_threshold = posterior_threshold
        self.posterior_grow_threshold = posterior_grow_threshold
        self.lowercase = lowercase
        self.progress = progress

    # -- validation -------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_symmetrize(self.symmetrize)
        if int(self.n_iter) < 1:
            raise WordalignError(f"fastalign: n_iter must be at least 1, got {self.n_iter}")
        if not 0.0 <= float(self.p0) < 1.0:
            raise WordalignError(f"fastalign: p0 must be in [0, 1), got {self.p0}")
        if self.variational_bayes and not float(self.alpha) > 0.0:
            raise WordalignError(f"fastalign: alpha must be > 0, got {self.alpha}")
        if self.favor_diagonal and not float(self.diagonal_tension) > 0.0:
            raise WordalignError(
                f"fastalign: diagonal_tension must be > 0, got {self.diagonal_tension}"
            )
        check_thresholds(self.posterior_threshold, self.posterior_grow_threshold)

    def _directions(self) -> tuple[bool, bool]:
        """Which of (forward, reverse) the symmetrization needs."""
        return needed_directions(self.symmetrize)

    def _wants_posteriors(self) -> bool:
        return bool(self.scores) or self.symmetrize in POSTERIOR_METHODS

    def _wants_viterbi(self) -> bool:
        # The posterior methods read the posteriors alone: no Viterbi pass for them.
        return self.symmetrize not in POSTERIOR_METHODS

    # -- training ---------------------------------------------------------------------------

    def _fit(self, pairs: list[SentencePair]) -> None:
        self._train(pairs, decode=False)

    def fit_align(self, bitext: Iterable[PairLike]) -> Sequence[Alignment]:
        """Train on the bitext and align it; the final iteration decodes, as in fast_align.

        Gives the same links as ``fit`` then ``align`` (or a saved model's ``align``), but reuses
        the table indices looked up for training.
        """
        pairs = as_pairs(bitext)
        outputs, encoded = self._train(pairs, decode=True)
        return self._combine(outputs, encoded)

    def _train(
        self, pairs: list[SentencePair], decode: bool
    ) -> tuple[list[tuple[Links | None, LinkPosteriors | None]], EncodedBitext]:
        self._check_params()
        encoded = encode_bitext(pairs, lowercase=self.lowercase)
        want_fwd, want_rev = self._directions()
        trainers: list[_Trainer] = []
        n_src, n_tgt = len(encoded.src_vocab), len(encoded.tgt_vocab)
        if want_fwd:
            trainers.append(_Trainer(self, encoded.src, encoded.tgt, n_src, n_tgt))
        if want_rev:
            trainers.append(_Trainer(self, encoded.tgt, encoded.src, n_tgt, n_src))
        outputs: list[tuple[Links | None, LinkPosteriors | None]] = []
        # The two directions are independent: one thread each, the kernels release the GIL.
        with worker_pool(len(trainers)) as pool:
            list(pool.map(_Trainer.prepare, trainers))
            steps = progress_bar(
                range(int(self.n_iter) - 1),
                total=int(self.n_iter) - 1,
                desc="fastalign EM",
                enabled=self.progress,
            )
            for iteration in steps:
                list(pool.map(_Trainer.step, trainers, [iteration] * len(trainers)))
            if decode:
                viterbi, posteriors = self._wants_viterbi(), self._wants_posteriors()
                outputs = list(pool.map(lambda t: t.decode(viterbi, posteriors), trainers))
            list(pool.map(_Trainer.release, trainers))
        self.src_vocab_ = encoded.src_vocab
        self.tgt_vocab_ = encoded.tgt_vocab
        self.forward_ = trainers[0].model if want_fwd else None
        self.reverse_ = trainers[-1].model if want_rev else None
        return outputs, encoded

    # -- aligning ---------------------------------------------------------------------------

    def _align(self, pairs: list[SentencePair]) -> Sequence[Alignment]:
        self._check_params()
        encoded = encode_bitext(
            pairs, self.src_vocab_, self.tgt_vocab_, grow=False, lowercase=self.lowercase
        )
        jobs = self._needed_models(encoded)
        viterbi, posteriors = self._wants_viterbi(), self._wants_posteriors()

        def run(
            job: tuple[_Direction, Ragged, Ragged],
        ) -> tuple[Links | None, LinkPosteriors | None]:
            model, src, tgt = job
            return self._outputs(model, src, tgt, viterbi, posteriors)

        with worker_pool(len(jobs)) as pool:
            outputs = list(pool.map(run, jobs))
        return self._combine(outputs, encoded)

    def _needed_models(self, encoded: EncodedBitext) -> list[tuple[_Direction, Ragged, Ragged]]:
        """(model, conditioning side, generated side) of each direction ``symmetrize`` needs."""
        want_fwd, want_rev = self._directions()
        if (want_fwd and self.forward_ is None) or (want_rev and self.reverse_ is None):
            raise WordalignError(
                f"fastalign: this model was trained without the direction that "
                f"symmetrize={self.symmetrize!r} needs"
            )
        out = []
        if want_fwd and self.forward_ is not None:
            out.append((self.forward_, encoded.src, encoded.tgt))
        if want_rev and self.reverse_ is not None:
            out.append((self.reverse_, encoded.tgt, encoded.src))
        return out

    def _combine(
        self,
        outputs: list[tuple[Links | None, LinkPosteriors | None]],
        encoded: EncodedBitext,
    ) -> Sequence[Alignment]:
        want_fwd, want_rev = self._directions()
        forward, fwd_post = outputs[0] if want_fwd else (None, None)
        reverse, rev_post = outputs[-1] if want_rev else (None, None)
        # combine_directions reads only what the method needs; fill the rest with NULL.
        if forward is None:
            forward = np.full(len(encoded.tgt.ids), -1, dtype=np.int32)
        if reverse is None:
            reverse = np.full(len(encoded.src.ids), -1, dtype=np.int32)
        grow = self.posterior_grow_threshold
        return combine_directions(
            forward, reverse, encoded, self.symmetrize,
            posteriors=(fwd_post, rev_post) if self._wants_posteriors() else None,
            threshold=float(self.posterior_threshold),
            grow_threshold=None if grow is None else float(grow),
        )  # fmt: skip

    def _outputs(
        self,
        model: _Direction,
        src: Ragged,
        tgt: Ragged,
        viterbi: bool = True,
        posteriors: bool = False,
        floor: float = DEFAULT_FLOOR,
    ) -> tuple[Links | None, LinkPosteriors | None]:
        """Viterbi links and/or posteriors of one direction with a fixed table (force alignment)."""
        entries, entry_offsets = kernels.pair_entries(
            src.ids, src.offsets, tgt.ids, tgt.offsets, model.row_ptr, model.cols
        )
        return model.outputs(src, tgt, entries, entry_offsets, self, viterbi, posteriors, floor)

    def _decode(self, model: _Direction, src: Ragged, tgt: Ragged) -> Links:
        """Viterbi links of one direction with a fixed table (force alignment)."""
        links, _ = self._outputs(model, src, tgt)
        assert links is not None
        return links

    def directional_arrays(
        self, bitext: Iterable[PairLike]
    ) -> tuple[npt.NDArray[np.int32] | None, npt.NDArray[np.int32] | None, EncodedBitext]:
        """The Viterbi arrays of both directions before symmetrization (for diagnostics).

        Returns:
            ``(forward, reverse, encoded)`` as :func:`~.directional.combine_directions` takes
            them; a direction the model lacks is ``None``.
        """
        if not self.is_fitted():
            raise NotFittedError("FastAlign is not trained: call fit() first, or load a model")
        encoded = encode_bitext(
            as_pairs(bitext), self.src_vocab_, self.tgt_vocab_, grow=False, lowercase=self.lowercase
        )
        fwd = self._decode(self.forward_, encoded.src, encoded.tgt) if self.forward_ else None
        rev = self._decode(self.reverse_, encoded.tgt, encoded.src) if self.reverse_ else None
        return fwd, rev, encoded

    def link_posteriors(
        self, bitext: Iterable[PairLike], floor: float = DEFAULT_FLOOR
    ) -> tuple[LinkPosteriors | None, LinkPosteriors | None, EncodedBitext]:
        """Both directions' link posteriors before symmetrization (for diagnostics and tests).

        Returns:
            ``(forward, reverse, encoded)``; a direction the model lacks is ``None``.
        """
        if not self.is_fitted():
            raise NotFittedError("FastAlign is not trained: call fit() first, or load a model")
        encoded = encode_bitext(
            as_pairs(bitext), self.src_vocab_, self.tgt_vocab_, grow=False, lowercase=self.lowercase
        )
        found: list[LinkPosteriors | None] = []
        for model, src, tgt in (
            (self.forward_, encoded.src, encoded.tgt),
            (self.reverse_, encoded.tgt, encoded.src),
        ):
            found.append(
                None if model is None else self._outputs(model, src, tgt, False, True, floor)[1]
            )
        return found[0], found[1], encoded

    # -- persistence ------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        if getattr(self, "src_vocab_", None) is None:
            return {}
        state: dict[str, Any] = {}
        state.update(self.src_vocab_.to_state("src_vocab"))
        state.update(self.tgt_vocab_.to_state("tgt_vocab"))
        for label, model in (("forward", self.forward_), ("reverse", self.reverse_)):
            if model is None:
                continue
            state[f"{label}_row_ptr"] = model.row_ptr
            state[f"{label}_cols"] = model.cols
            state[f"{label}_probs"] = model.probs
            state[f"{label}_tension"] = model.tension
            state[f"{label}_mean_length_ratio"] = model.mean_length_ratio
            state[f"{label}_history"] = model.history
        return state

    def _set_state(self, state: dict[str, Any]) -> None:
        """Restore a saved model, checking the invariants listed at :attr:`STATE_ARRAYS`."""
        try:
            src_vocab = Vocabulary.from_state(state, "src_vocab")
            tgt_vocab = Vocabulary.from_state(state, "tgt_vocab")
            sizes = {"forward": (len(src_vocab), len(tgt_vocab))}
            sizes["reverse"] = sizes["forward"][::-1]
            models: dict[str, _Direction | None] = {}
            for label, (n_cond, n_gen) in sizes.items():
                if f"{label}_row_ptr" not in state:
                    models[label] = None
                    continue
                history = state.get(f"{label}_history", [])
                if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
                    raise TypeError(f"state field '{label}_history' must be a list of objects")
                model = _Direction(
                    row_ptr=np.ascontiguousarray(state[f"{label}_row_ptr"], dtype=np.int64),
                    cols=np.ascontiguousarray(state[f"{label}_cols"], dtype=np.int32),
                    probs=np.ascontiguousarray(state[f"{label}_probs"], dtype=np.float64),
                    tension=float(state[f"{label}_tension"]),
                    mean_length_ratio=float(state.get(f"{label}_mean_length_ratio", 0.0)),
                    history=[{k: float(v) for k, v in h.items()} for h in history],
                )
                self._check_direction(label, model, n_cond, n_gen)
                models[label] = model
        except (KeyError, TypeError, ValueError) as exc:
            raise WordalignError(f"fastalign: incomplete or damaged model state ({exc})") from None
        if models["forward"] is None and models["reverse"] is None:
            raise WordalignError(
                "fastalign: the model has no table (no forward_* or reverse_* arrays)"
            )
        self.src_vocab_ = src_vocab
        self.tgt_vocab_ = tgt_vocab
        self.forward_ = models["forward"]
        self.reverse_ = models["reverse"]

    def _check_direction(self, label: str, model: _Direction, n_cond: int, n_gen: int) -> None:
        """The invariants of a trained direction (see :attr:`STATE_ARRAYS`)."""
        check_csr(label, model.row_ptr, model.cols, n_cond + 1, n_gen)
        check_length(f"{label}_probs", model.probs, len(model.cols), f"one per {label}_cols entry")
        check_values(f"{label}_probs", model.probs, 0.0, 1.0)
        for name, value in (
            ("tension", model.tension),
            ("mean_length_ratio", model.mean_length_ratio),
        ):
            if not math.isfinite(value) or value < 0.0:
                raise WordalignError(f"state field '{label}_{name}' is {value}, not finite >= 0")
        if model.uniform:  # no M-step ran: the table is never read
            return
        sums = row_sums(model.row_ptr, model.probs)
        filled = np.diff(model.row_ptr) > 0
        if self.variational_bayes:  # mean-field rows sum to less than 1, never to 0
            bad = filled & ((sums <= 0.0) | (sums > 1.0 + _ROW_SUM_TOLERANCE))
            wanted = "in (0, 1]"
        else:
            bad = filled & (np.abs(sums - 1.0) > _ROW_SUM_TOLERANCE)
            wanted = "1"
        rows = np.flatnonzero(bad)
        if len(rows):
            raise WordalignError(
                f"array '{label}_probs': row {rows[0]} sums to {sums[rows[0]]:.6g}, not {wanted} "
                f"(not the table of a fastalign model with variational_bayes="
                f"{bool(self.variational_bayes)})"
            )
