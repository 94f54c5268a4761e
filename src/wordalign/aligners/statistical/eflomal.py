"""eflomal: Bayesian IBM1 → HMM → HMM+fertility alignment by collapsed Gibbs sampling.

Östling & Tiedemann (2016), "Efficient word alignment with Markov Chain Monte Carlo", PBML 106.
Defaults follow the reference implementation (github.com/robertostling/eflomal: ``src/eflomal.c``
and ``python/eflomal/__init__.py``): Dirichlet priors 0.001 (lexical and NULL), 0.5 (jump and
fertility), NULL prior 0.2, 3 independent samplers whose marginals are pooled for the final argmax,
tokens lowercased, and an iteration schedule scaled with the corpus size::

    iters = max(2, round(rel_iterations * 5000 / sqrt(n_pairs)))
    IBM1: max(2, iters // 4)   HMM: max(1, iters // 4)   fertility: iters

Both directions are sampled in two threads (the kernels release the GIL) and symmetrized.

Two defaults differ from the reference's, chosen on the development half of the German-Romansh
gold: tokens are stemmed to their first 7 characters on both sides, and the directions are
combined by their link posteriors (``posterior-mean`` at 0.45: a link is kept when the mean of
``P(a_j = i)`` in the two directions reaches 0.45) instead of grow-diag-final-and on the two
argmax alignments. ``src_prefix_len=0, tgt_prefix_len=0, symmetrize="grow-diag-final-and"``
gives the reference's behaviour.

Differences from the reference, all deliberate: sentences of any length are aligned (the
reference leaves pairs of 1024 tokens or more unaligned); counts are kept in double precision;
the HMM's jump chain always ends with a jump to the end of the sentence, also when every token is
NULL (keeps the counts non-negative); prefix and suffix stemming apply one after the other.

**Model reuse.** A trained model keeps, per direction, the statistics of its final alignment
(lexical counts, NULL included, jump and fertility counts), which align new text as Dirichlet
priors the way ``eflomal-makepriors`` + ``eflomal-align --priors`` do: the new pairs are sampled
with the same schedule, the prior counts added to their own, deterministically for a given
``random_state``; unknown words simply have no prior. Because a Gibbs run on other text cannot
reproduce the training run's samples, the model also remembers the links it produced for its
training pairs, keyed by content (``remember_training_links``): aligning a pair it trained on
returns exactly what ``fit_align`` returned, and only pairs it has not seen are sampled.

The numerical work lives in :mod:`wordalign.aligners.statistical._eflomal_kernels`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import os
import queue
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np
import numpy.typing as npt

from wordalign._progress import progress as progress_bar
from wordalign._threads import worker_pool
from wordalign.aligners.base import Aligner, PairLike, as_pairs
from wordalign.aligners.statistical import _eflomal_kernels as kernels
from wordalign.aligners.statistical.corpus import (
    EncodedBitext,
    Ragged,
    Vocabulary,
)
from wordalign.aligners.statistical.directional import (
    POSTERIOR_METHODS,
    check_symmetrize,
    check_thresholds,
    combine_directions,
    needed_directions,
)
from wordalign.aligners.statistical.pivot import LexicalPrior
from wordalign.aligners.statistical.posteriors import DEFAULT_FLOOR, LinkPosteriors
from wordalign.errors import NotFittedError, WordalignError
from wordalign.types import Alignment, SentencePair

__all__ = ["Directions", "Eflomal", "iteration_schedule"]

_DIRECTIONS = ("forward", "reverse")
# Defaults chosen on the development half of the DE-RM gold (bench/RESULTS.md, "Alignment
# quality"; seeds 0 and 1, AER at the reference's settings 0.146): prefix stemming merges the
# inflected and compounded forms of a word (AER with posterior-mean at 0.45: no stemming 0.132,
# 5 characters 0.125, 6 0.118, 7 0.112, 8 0.113, 10 0.118); posterior-mean's threshold is flat
# from 0.35 to 0.45 and jumps at 0.5 (0.113 -> 0.125 at 7 characters): below 0.5 a link that one
# direction is nearly sure of (>= 0.9) passes on its own, which recall needs.
DEFAULT_PREFIX_LEN = 7
DEFAULT_POSTERIOR_THRESHOLD = 0.45
# Sweeps per kernel call aim at visiting this many word pairs, so that tiny corpora (which get
# thousands of sweeps) do not spend their time in Python calls, while a call over a big corpus
# or long sentences is one sweep: an interrupt is seen between calls (a DERMIT sweep: 0.5 s).
_CELLS_PER_CALL = 1_000_000
# The sweep cap of Eflomal.schedule: word pairs a sampler visits in all (1e9: some 15 s of one
# core), and the corpus size whose schedule is never cut (DERMIT's 105k pairs, 62M word pairs a
# sweep, are above it: their 21 sweeps stay).
_SWEEP_CELLS = 1_000_000_000
_CAP_FLOOR_PAIRS = 50_000
# Sentences decoded per argmax call: bounds the pooled-marginal buffer.
_ARGMAX_CHUNK = 512

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


class Directions(NamedTuple):
    """Both directions of a run before symmetrization (what :meth:`Eflomal._combine` takes)."""

    forward: I32
    """The generator of every target token (a source position or -1 for NULL)."""
    reverse: I32
    """The generator of every source token."""
    encoded: EncodedBitext
    """The bitext both arrays refer to."""
    posteriors: dict[str, LinkPosteriors] | None
    """``"forward"``/``"reverse"`` link posteriors, when the settings need them."""


def iteration_schedule(
    n_pairs: int, model: int = 3, rel_iterations: float = 1.0
) -> tuple[int, int, int]:
    """Sweeps of IBM1, HMM and fertility sampling for a corpus of ``n_pairs`` pairs.

    The reference's rule (``eflomal.pyx``, ``align``): fewer sweeps for bigger corpora, since
    each sweep then carries more evidence.

    Example:
        >>> iteration_schedule(10_000)
        (12, 12, 50)
        >>> iteration_schedule(10_000, model=2)
        (12, 50, 0)
    """
    iters = max(2, round(rel_iterations * 5000 / math.sqrt(max(n_pairs, 1))))
    iters4 = max(1, iters // 4)
    if model == 1:
        return iters, 0, 0
    if model == 2:
        return max(2, iters4), iters, 0
    return max(2, iters4), iters4, iters


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library when it is glibc (its malloc tunables are used below), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def _release_free_heap() -> None:
    """Hand the C heap's free memory back to the system (glibc only; a no-op elsewhere).

    Freed blocks under the mapping threshold (see :func:`_map_large_allocations`) stay in the
    heap, one arena per sampling thread, and would otherwise stack under whatever comes next.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


# mallopt's parameter number of the mapping threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3


@functools.cache
def _map_large_allocations() -> None:
    """Have glibc map every allocation of 1 MiB or more straight from the system, for the rest
    of the process (once; a no-op elsewhere).

    glibc's default threshold rises to the size of the largest block freed so far (up to
    32 MiB): once a sampler's first count tables are freed, its later pools and scratch arrays
    come from the heap, and the ones it frees stay resident there. Measured on DERMIT: every
    sampling sampler then kept some 40 MB of dead heap, and training peaked 40-55 MB higher.
    Mapped blocks go back to the system when freed, at the price of a page fault per page
    of a new array, which the sweeps that use it repay many times over.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)


def as_pair(item: PairLike) -> SentencePair:
    """One sentence pair coerced as :func:`~wordalign.aligners.base.as_pairs` does."""
    return item if isinstance(item, SentencePair) else as_pairs([item])[0]


@dataclass
class _Priors:
    """Dirichlet pseudo-counts of one direction (all arrays empty when there are none)."""

    keys: I32
    values: F64
    start: I64
    bits: I64
    lex_sum: F64
    jump: F64
    fert: F64

    @classmethod
    def none(cls) -> _Priors:
        return cls(
            keys=np.zeros(0, dtype=np.int32),
            values=np.zeros(0),
            start=np.zeros(0, dtype=np.int64),
            bits=np.zeros(0, dtype=np.int64),
            lex_sum=np.zeros(0),
            jump=np.zeros(0),
            fert=np.zeros(0),
        )

    @classmethod
    def from_stats(cls, stats: _Stats, extra: _Stats | None = None) -> _Priors:
        """Priors from a model's statistics, plus the lexical counts of ``extra`` (a pivot
        prior the model was trained with) when given."""
        n_types = len(stats.fert) // kernels.FERT_LEN
        lex = (stats.lex_e, stats.lex_f, stats.lex_count)
        if extra is not None:
            lex = tuple(  # type: ignore[assignment]
                np.concatenate([a, b])
                for a, b in zip(lex, (extra.lex_e, extra.lex_f, extra.lex_count), strict=True)
            )
        return cls.from_entries(n_types, *lex, stats.jump, stats.fert)

    @classmethod
    def from_entries(
        cls, n_types: int, lex_e: I32, lex_f: I32, counts: F64, jump: F64, fert: F64
    ) -> _Priors:
        """Priors from lexical pseudo-counts of (NULL-shifted generating id, generated id as the
        vocabulary numbers it) pairs, summed where a pair repeats, and jump/fertility counts
        (empty: none)."""
        keys_in = lex_e.astype(np.int64) << 32 | lex_f.astype(np.int64)
        unique, inverse = np.unique(keys_in, return_inverse=True)
        summed = np.bincount(inverse, weights=counts, minlength=len(unique))
        lex_e = (unique >> 32).astype(np.int32)
        lex_f = (unique & 0xFFFFFFFF).astype(np.int32)
        # Generated ids are stored unshifted (the model format) and sampled shifted.
        keys, slot_of, start, bits = kernels.build_prior_table(n_types, lex_e, lex_f + 1)
        values = np.zeros(len(keys))
        values[slot_of] = summed
        lex_sum = np.bincount(lex_e, weights=summed, minlength=n_types)
        return cls(keys, values, start, bits, lex_sum.astype(np.float64), jump, fert)


@dataclass(frozen=True)
class _Alphas:
    """The Dirichlet parameters of the lexical, NULL, jump and fertility distributions."""

    lex: float = kernels.LEX_ALPHA
    null: float = kernels.NULL_ALPHA
    jump: float = kernels.JUMP_ALPHA
    fert: float = kernels.FERT_ALPHA


@dataclass
class _Stats:
    """Statistics of one direction's final alignment; they become priors for new text.

    ``lex_e`` are NULL-shifted generating ids (0 = NULL), ``lex_f`` generated ids as the
    vocabulary numbers them (unshifted).
    """

    lex_e: I32
    lex_f: I32
    lex_count: F64
    jump: F64
    fert: F64


@dataclass
class _Corpus:
    """One direction of a bitext: ``tgt`` is generated from ``src``.

    Ids are those of :meth:`Eflomal._encode`, shifted by one on both sides (0 = NULL on the
    generating side, unused on the generated side), so that both directions share the encoded
    arrays instead of each keeping a shifted copy.
    """

    src_ids: I32
    src_offsets: I64
    tgt_ids: I32
    tgt_offsets: I64
    n_src_types: int  # NULL included
    n_tgt_types: int  # the generated side's vocabulary size (its id 0 unused)

    @classmethod
    def from_ragged(cls, src: Ragged, tgt: Ragged, n_src: int, n_tgt: int) -> _Corpus:
        return cls(src.ids, src.offsets, tgt.ids, tgt.offsets, n_src + 1, n_tgt)

    def __len__(self) -> int:
        return len(self.tgt_offsets) - 1

    def cells(self) -> int:
        """Word pairs a sweep visits: the sum of the sentences' source x target lengths."""
        return int(np.dot(np.diff(self.src_offsets), np.diff(self.tgt_offsets)))


class _Interrupted(Exception):
    """Raised in a sampling thread when the run is being stopped (an interrupt in the caller)."""


class _TokenIds(dict[str, int]):
    """Token as written -> vocabulary id of its normalised form, normalising each distinct
    token once: known tokens cost a lookup in C (``map(ids.__getitem__, tokens)``), where
    lowercasing every token first made a new string to hash each time (twice as slow)."""

    def __init__(self, vocab: Vocabulary, normalize: Callable[[str], str]) -> None:
        super().__init__()
        self._vocab = vocab
        self._normalize = normalize

    def __missing__(self, token: str) -> int:
        self[token] = found = self._vocab.add(self._normalize(token))
        return found


class _Sampler:
    """The state of one Markov chain over one direction."""

    def __init__(
        self, corpus: _Corpus, seed: np.uint64, null_prior: float, alphas: _Alphas
    ) -> None:
        self.rng = np.array([seed], dtype=np.uint64)
        self.alphas = alphas
        # Links are positions within a sentence: 16 bits hold them in all but freak corpora,
        # which halves the largest per-sampler array (the reference uses 16-bit links too).
        wide = len(corpus.src_offsets) > 1 and int(np.diff(corpus.src_offsets).max()) >= 2**15
        self.links: npt.NDArray[np.signedinteger[Any]] = kernels.randomize_links(
            corpus.src_offsets, corpus.tgt_offsets, null_prior, self.rng,
            np.empty(len(corpus.tgt_ids), dtype=np.int32 if wide else np.int16),
        )  # fmt: skip
        self.pool, self.start, self.bits, self.used, self.meta = kernels.new_lex_table(
            corpus.n_src_types, len(corpus.tgt_ids) // 2
        )
        self.count_sum = np.zeros(corpus.n_src_types)
        self.inv_sum = np.zeros(corpus.n_src_types)
        self.jump = np.zeros(kernels.JUMP_LEN + 1)
        # Allocated when the fertility model starts: while a sampler's random initial tables are
        # at their largest, its fertilities are not needed yet.
        self.fert_ratio = np.ones(0)
        self._live_slots = 0  # of the tables shed_tables freed

    def recount(self, model: int, corpus: _Corpus, prior: _Priors, windowed: bool = True) -> None:
        """Rebuild the counts of ``model`` from the links, in a pool of just the needed size
        (``windowed``: see ``_eflomal_kernels._WINDOW``)."""
        if model >= 3 and len(self.fert_ratio) == 0:
            self.fert_ratio = np.ones(corpus.n_src_types * kernels.FERT_LEN)
        pool = kernels.make_counts(
            model, corpus.src_ids, corpus.src_offsets, corpus.tgt_ids, corpus.tgt_offsets,
            self.links, corpus.n_tgt_types, self.pool, self.start, self.bits, self.used,
            self.meta, self.count_sum, self.inv_sum, self.jump, prior.lex_sum, prior.jump,
            windowed, self.alphas.lex, self.alphas.jump,
        )  # fmt: skip
        self.pool = kernels.shrink_pool(pool, self.start, self.bits, self.meta)

    def shed_tables(self) -> None:
        """Free the lexical count tables while the sampler waits for its direction's decoding
        (:meth:`restore_tables` rebuilds them from the links): the finished samplers of earlier
        rounds are resident while later ones start, at training's peak."""
        self._live_slots = int(self.meta[1])
        self.pool, self.start, self.bits, self.used, self.meta = kernels.new_lex_table(0, 0)

    def restore_tables(self, model: int, corpus: _Corpus, prior: _Priors) -> None:
        """Rebuild the tables :meth:`shed_tables` freed, keeping the sums and jump counts the
        sampler ended with (its ±1 updates may leave a sum a rounding away from a recount's):
        decoding sees exactly the state sampling left."""
        if len(self.start) == corpus.n_src_types:
            return
        kept = self.count_sum, self.inv_sum, self.jump
        self.count_sum, self.inv_sum, self.jump = (np.zeros_like(a) for a in kept)
        # Room for the tables and the regions their doublings leave behind: no compaction (a
        # second pool beside the first) while they are rebuilt.
        self.pool, self.start, self.bits, self.used, self.meta = kernels.new_lex_table(
            corpus.n_src_types, 2 * self._live_slots
        )
        self.recount(model, corpus, prior)
        self.count_sum, self.inv_sum, self.jump = kept


class _Direction:
    """One direction's corpus, priors and samplers while its units of work run."""

    def __init__(self, corpus: _Corpus, prior: _Priors, n_samplers: int) -> None:
        self.corpus = corpus
        self.prior = prior
        self.cells = corpus.cells()
        self.samplers: list[_Sampler | None] = [None] * n_samplers
        self.links: I32 | None = None
        self.posteriors: LinkPosteriors | None = None
        self._lock = threading.Lock()
        self._remaining = n_samplers

    def others_running(self) -> bool:
        """Whether samplers other than the caller's have yet to finish (read without the lock:
        a stale answer only sheds tables that decoding then rebuilds)."""
        return self._remaining > 1

    def finish(self, k: int, sampler: _Sampler) -> bool:
        """Store sampler ``k``; whether it was the direction's last one."""
        with self._lock:
            self.samplers[k] = sampler
            self._remaining -= 1
            return self._remaining == 0


class _StartGate:
    """Lets one sampler at a time build its random initial tables in the last round of units.

    Random initial links put nearly every token in a pair of its own: until its first sweep has
    concentrated them, a starting sampler's tables take three to four times a settled sampler's
    memory (measured: +60 MB on DERMIT). Two such starts on top of all the finished samplers
    that wait for decoding made the peak of training, so the units of the last round (from
    position ``last_round`` of the queue on) start one at a time; earlier ones, with less beside
    them, start together rather than leave a core idle.
    """

    def __init__(self, last_round: int) -> None:
        self._lock = threading.Lock()  # held by the last-round sampler that is starting
        self._last_round = last_round

    @contextlib.contextmanager
    def opening(self, position: int) -> Iterator[None]:
        if position < self._last_round:
            yield
            return
        with self._lock:
            yield


def _last_model(sweeps: tuple[int, int, int]) -> int:
    """The highest model the schedule samples (1 when it samples nothing)."""
    return max([m for m in (1, 2, 3) if sweeps[m - 1] > 0], default=1)


def _models(sweeps: tuple[int, int, int]) -> list[int]:
    """The models a sampler goes through: those with sweeps, and the last one in any case."""
    last = _last_model(sweeps)
    return [m for m in range(1, last + 1) if sweeps[m - 1] > 0 or m == last]


def _stats_from_links(corpus: _Corpus, links: I32) -> _Stats:
    """Lexical, jump and fertility counts of an alignment (NULL links counted as e = 0).

    The lexical counts are gathered in a count table as a sampler's are (``make_counts``), which
    needs a few MB, where sorting the pairs of all 2.6 million tokens of DERMIT needed 120.
    """
    n_types = corpus.n_src_types
    pool, start, bits, used, meta = kernels.new_lex_table(n_types, 1024)
    pool = kernels.make_counts(
        1, corpus.src_ids, corpus.src_offsets, corpus.tgt_ids, corpus.tgt_offsets, links,
        corpus.n_tgt_types, pool, start, bits, used, meta, np.zeros(n_types), np.zeros(n_types),
        np.zeros(kernels.JUMP_LEN + 1), np.zeros(0), np.zeros(0), False,
        kernels.LEX_ALPHA, kernels.JUMP_ALPHA,  # every argument given: one compiled signature
    )  # fmt: skip
    lex_e, lex_f, counts = kernels.table_entries(pool, start, bits)
    del pool  # each temporary goes as soon as it is done with: this runs at training's peak
    lex_f -= 1  # stored as the vocabulary numbers the generated side
    order = np.lexsort((lex_f, lex_e))
    lex_e, lex_f, counts = lex_e[order], lex_f[order], counts[order]
    del order
    jump = np.zeros(kernels.JUMP_LEN)
    fert = np.zeros(n_types * kernels.FERT_LEN)
    kernels.chain_and_fertility_counts(
        corpus.src_ids, corpus.src_offsets, corpus.tgt_offsets, links, jump, fert
    )
    return _Stats(lex_e, lex_f, counts, jump, fert)


class Eflomal(Aligner):
    """eflomal (Östling & Tiedemann 2016) in both directions, symmetrized.

    Args:
        model: 1 (IBM1), 2 (HMM) or 3 (HMM with fertility): the last model sampled.
        n_samplers: independent Gibbs samplers per direction; their marginals are pooled.
        null_prior: prior weight of NULL links.
        rel_iterations: scales the corpus-size dependent schedule (see
            :func:`iteration_schedule`).
        n_iter_ibm1, n_iter_hmm, n_iter_fert: sweeps of each model; ``None`` takes the
            schedule's value.
        lowercase: lowercase tokens before anything else (the reference always does).
        src_prefix_len, src_suffix_len, tgt_prefix_len, tgt_suffix_len: when non-zero, keep only
            that many leading (then trailing) characters of each token: crude stemming.
        symmetrize: a heuristic of :mod:`wordalign.symmetrization`, ``"forward"`` /
            ``"reverse"`` for one direction alone (only that direction is then sampled), or a
            posterior method (``"posterior-mean"``, ``"posterior-geometric"``: see
            :data:`~wordalign.aligners.statistical.directional.POSTERIOR_METHODS`).
        scores: attach each link's posterior (pooled over the samplers; for two directions the
            mean of both) as its score.
        posterior_threshold, posterior_grow_threshold: the thresholds of the posterior methods
            (``None``: no growing).
        lex_alpha, null_alpha, jump_alpha, fert_alpha: Dirichlet parameters of the lexical,
            NULL, jump and fertility distributions (the reference's constants by default).
        remember_training_links: keep the training pairs' links (keyed by content) so that the
            model aligns them exactly as ``fit_align`` did; see the module docstring.
        random_state: seed of every sampler.
        progress: show a progress bar over the sweeps.

    Example:
        >>> pairs = [("das haus", "la chasa"), ("das buch", "il cudesch"), ("ein haus", "ina chasa")]
        >>> aligner = Eflomal(symmetrize="intersection", progress=False)
        >>> aligner.fit_align(pairs)[0].to_pharaoh()
        '0-0 1-1'
    """

    name: ClassVar[str] = "eflomal"
    trainable: ClassVar[bool] = True

    from wordalign.aligners.base import ArraySpec  # in the class body: deleted below

    STATE_ARRAYS: ClassVar[dict[str, Any]] = {
        **dict.fromkeys(("src_vocab_bytes", "tgt_vocab_bytes"), ArraySpec("u")),
        **dict.fromkeys(("src_vocab_offsets", "tgt_vocab_offsets"), ArraySpec("i")),
        **dict.fromkeys(("forward_lex_e", "forward_lex_f"), ArraySpec("i", group="forward")),
        **dict.fromkeys(
            ("forward_lex_count", "forward_jump", "forward_fert"), ArraySpec("f", group="forward")
        ),
        **dict.fromkeys(("reverse_lex_e", "reverse_lex_f"), ArraySpec("i", group="reverse")),
        **dict.fromkeys(
            ("reverse_lex_count", "reverse_jump", "reverse_fert"), ArraySpec("f", group="reverse")
        ),
        **dict.fromkeys(
            ("forward_prior_lex_e", "forward_prior_lex_f"), ArraySpec("i", group="forward_prior")
        ),
        "forward_prior_lex_count": ArraySpec("f", group="forward_prior"),
        **dict.fromkeys(
            ("reverse_prior_lex_e", "reverse_prior_lex_f"), ArraySpec("i", group="reverse_prior")
        ),
        "reverse_prior_lex_count": ArraySpec("f", group="reverse_prior"),
        "memory_keys": ArraySpec("u", ndim=2, group="memory"),
        **dict.fromkeys(
            (
                "memory_forward",
                "memory_forward_offsets",
                "memory_reverse",
                "memory_reverse_offsets",
            ),
            ArraySpec("i", group="memory"),
        ),
        "memory_forward_post_counts": ArraySpec("u", group="memory_forward_post"),
        "memory_forward_post_positions": ArraySpec("i", group="memory_forward_post"),
        "memory_forward_post_probs": ArraySpec("f", group="memory_forward_post"),
        "memory_reverse_post_counts": ArraySpec("u", group="memory_reverse_post"),
        "memory_reverse_post_positions": ArraySpec("i", group="memory_reverse_post"),
        "memory_reverse_post_probs": ArraySpec("f", group="memory_reverse_post"),
    }
    """A saved model's arrays (``n_train_pairs`` and ``memory_scheme`` are in config.json).
    Invariants checked on load: each vocabulary's offsets start at 0, never decrease and end at
    its byte count, cutting it into distinct UTF-8 words; at least one direction; a direction's
    lexical entries are (NULL-shifted generating id in [0, n + 1), generated id in [0, m))
    pairs, strictly increasing (sorted, unique), each with a finite count > 0 (only non-zero
    counts are stored, so all-zero counts are refused), its ``jump`` counts ``JUMP_LEN`` and
    its ``fert`` counts ``FERT_LEN`` per generating type (NULL included), finite and >= 0; a
    pivot prior's entries the same ids with finite counts >= 0; the training memory one key of
    16 bytes per training pair (``n_train_pairs`` of them), links per token (offsets as above,
    one sentence per pair) that are -1 or a position in the other side's sentence, and
    posteriors whose entry counts add up to their entries, positions likewise, probabilities
    finite in [0, 1]."""
    del ArraySpec

    def __init__(
        self,
        model: int = 3,
        n_samplers: int = 3,
        null_prior: float = 0.2,
        rel_iterations: float = 1.0,
        n_iter_ibm1: int | None = None,
        n_iter_hmm: int | None = None,
        n_iter_fert: int | None = None,
        lowercase: bool = True,
        src_prefix_len: int = DEFAULT_PREFIX_LEN,
        src_suffix_len: int = 0,
        tgt_prefix_len: int = DEFAULT_PREFIX_LEN,
        tgt_suffix_len: int = 0,
        symmetrize: str = "posterior-mean",
        scores: bool = False,
        posterior_threshold: float = DEFAULT_POSTERIOR_THRESHOLD,
        posterior_grow_threshold: float | None = None,
        lex_alpha: float = kernels.LEX_ALPHA,
        null_alpha: float = kernels.NULL_ALPHA,
        jump_alpha: float = kernels.JUMP_ALPHA,
        fert_alpha: float = kernels.FERT_ALPHA,
        remember_training_links: bool = True,
        random_state: int = 0,
        progress: bool = True,
    ) -> None:
        self.model = model
        self.n_samplers = n_samplers
        self.null_prior = null_prior
        self.rel_iterations = rel_iterations
        self.n_iter_ibm1 = n_iter_ibm1
        self.n_iter_hmm = n_iter_hmm
        self.n_iter_fert = n_iter_fert
        self.lowercase = lowercase
        self.src_prefix_len = src_prefix_len
        self.src_suffix_len = src_suffix_len
        self.tgt_prefix_len = tgt_prefix_len
        self.tgt_suffix_len = tgt_suffix_len
        self.symmetrize = symmetrize
        self.scores = scores
        self.posterior_threshold = posterior_threshold
        self.posterior_grow_threshold = posterior_grow_threshold
        self.lex_alpha = lex_alpha
        self.null_alpha = null_alpha
        self.jump_alpha = jump_alpha
        self.fert_alpha = fert_alpha
        self.remember_training_links = remember_training_links
        self.random_state = random_state
        self.progress = progress

    # -- validation -------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_symmetrize(self.symmetrize)
        if int(self.model) not in (1, 2, 3):
            raise WordalignError(f"eflomal: model must be 1, 2 or 3, got {self.model}")
        if int(self.n_samplers) < 1:
            raise WordalignError(f"eflomal: n_samplers must be at least 1, got {self.n_samplers}")
        if not 0.0 <= float(self.null_prior) < 1.0:
            raise WordalignError(f"eflomal: null_prior must be in [0, 1), got {self.null_prior}")
        if not float(self.rel_iterations) > 0.0:
            raise WordalignError(f"eflomal: rel_iterations must be > 0, got {self.rel_iterations}")
        for name in ("n_iter_ibm1", "n_iter_hmm", "n_iter_fert"):
            value = getattr(self, name)
            if value is not None and int(value) < 0:
                raise WordalignError(f"eflomal: {name} must be >= 0, got {value}")
        for name in ("src_prefix_len", "src_suffix_len", "tgt_prefix_len", "tgt_suffix_len"):
            if int(getattr(self, name)) < 0:
                raise WordalignError(f"eflomal: {name} must be >= 0, got {getattr(self, name)}")
        for name in ("lex_alpha", "null_alpha", "jump_alpha", "fert_alpha"):
            if not float(getattr(self, name)) > 0.0:
                raise WordalignError(f"eflomal: {name} must be > 0, got {getattr(self, name)}")
        check_thresholds(self.posterior_threshold, self.posterior_grow_threshold)

    def _alphas(self) -> _Alphas:
        return _Alphas(
            float(self.lex_alpha), float(self.null_alpha), float(self.jump_alpha),
            float(self.fert_alpha),
        )  # fmt: skip

    def _wants_posteriors(self) -> bool:
        return bool(self.scores) or self.symmetrize in POSTERIOR_METHODS

    def _combine(
        self,
        forward: I32,
        reverse: I32,
        encoded: EncodedBitext,
        posteriors: dict[str, LinkPosteriors] | None,
    ) -> Sequence[Alignment]:
        """The symmetrized alignment of both directions' links (and posteriors, when needed)."""
        pair = None
        if posteriors is not None:
            pair = (posteriors.get("forward"), posteriors.get("reverse"))
        return combine_directions(
            forward, reverse, encoded, self.symmetrize, posteriors=pair,
            threshold=float(self.posterior_threshold),
            grow_threshold=None
            if self.posterior_grow_threshold is None
            else float(self.posterior_grow_threshold),
        )  # fmt: skip

    def _directions(self) -> tuple[bool, bool]:
        """Which of (forward, reverse) the symmetrization needs."""
        return needed_directions(self.symmetrize)

    def schedule(self, n_pairs: int, cells: int = 0) -> tuple[int, int, int]:
        """Sweeps of (IBM1, HMM, fertility) for ``n_pairs`` pairs of ``cells`` word pairs in all
        (the sum of source x target lengths), explicit counts applied.

        The reference's rule gives a small corpus thousands of sweeps, which a corpus of long
        sentences cannot afford (a sweep visits every word pair of every sentence: one pair of
        5,000 tokens a side has 25 million). The rule's sweeps are therefore capped at those
        that visit :data:`_SWEEP_CELLS` word pairs, but never below what the rule gives
        :data:`_CAP_FLOOR_PAIRS` pairs, so that corpora of ordinary sentences, and every corpus
        of that size or more, keep the reference's schedule.
        """
        model = int(self.model)
        rel = float(self.rel_iterations)
        auto = iteration_schedule(n_pairs, model, rel)
        if cells > 0 and sum(auto) * cells > _SWEEP_CELLS:
            floor = iteration_schedule(_CAP_FLOOR_PAIRS, model, rel)
            scale = max(_SWEEP_CELLS / (sum(auto) * cells), sum(floor) / sum(auto))
            if scale < 1.0:
                auto = tuple(  # type: ignore[assignment]
                    max(f, min(a, round(a * scale))) for a, f in zip(auto, floor, strict=True)
                )
        given = (self.n_iter_ibm1, self.n_iter_hmm, self.n_iter_fert)
        return tuple(  # type: ignore[return-value]
            (int(g) if g is not None else a) if m <= model else 0
            for m, (g, a) in enumerate(zip(given, auto, strict=True), start=1)
        )

    # -- preprocessing ----------------------------------------------------------------------

    def _normalizer(self, side: str) -> Callable[[str], str]:
        """Lowercasing and stemming of one token of ``side``, as configured."""
        lowercase = bool(self.lowercase)
        prefix = int(getattr(self, f"{side}_prefix_len"))
        suffix = int(getattr(self, f"{side}_suffix_len"))

        def normalize(token: str) -> str:
            if lowercase:
                token = token.lower()
            if prefix:
                token = token[:prefix]
            if suffix:
                token = token[-suffix:]
            return token

        return normalize

    def _encode(
        self, pairs: Iterable[SentencePair], src_vocab: Vocabulary, tgt_vocab: Vocabulary
    ) -> EncodedBitext:
        """Normalise and encode the pairs, growing the vocabularies, one pair at a time (no
        normalised copy of the corpus is kept). Ids are the vocabulary's plus one (see
        :class:`_Corpus`)."""
        ids: dict[str, array[int]] = {"src": array("i"), "tgt": array("i")}
        lengths: dict[str, array[int]] = {"src": array("q", [0]), "tgt": array("q", [0])}
        src_ids = _TokenIds(src_vocab, self._normalizer("src")).__getitem__
        tgt_ids = _TokenIds(tgt_vocab, self._normalizer("tgt")).__getitem__
        for pair in pairs:
            ids["src"].extend(map(src_ids, pair.src))
            ids["tgt"].extend(map(tgt_ids, pair.tgt))
            lengths["src"].append(len(pair.src))
            lengths["tgt"].append(len(pair.tgt))
        sides = {
            side: Ragged(
                np.frombuffer(ids[side], dtype=np.int32) + np.int32(1)
                if len(ids[side])
                else np.zeros(0, dtype=np.int32),
                np.cumsum(np.frombuffer(lengths[side], dtype=np.int64)),
            )
            for side in ("src", "tgt")
        }
        return EncodedBitext(sides["src"], sides["tgt"], src_vocab, tgt_vocab)

    # -- sampling ---------------------------------------------------------------------------

    def _seed(self, direction: int, sampler: int) -> np.uint64:
        seq = np.random.SeedSequence([int(self.random_state) & 0xFFFFFFFF, direction, sampler])
        return np.uint64(seq.generate_state(1, dtype=np.uint64)[0])

    def _run(
        self,
        encoded: EncodedBitext,
        priors: dict[str, _Priors] | None,
        desc: str,
        decoded: Callable[[str, _Corpus, I32], None] | None = None,
        posteriors: bool = False,
    ) -> tuple[dict[str, I32], dict[str, LinkPosteriors]]:
        """Sample the needed directions of ``encoded``; the argmax links of each and, when
        ``posteriors``, their link posteriors.

        ``decoded(direction, corpus, links)`` runs in the thread that decoded a direction, as
        soon as it has (beside the other direction's decoding).

        Every sampler of every direction is one unit of work for a pool of threads (the kernels
        release the GIL), as many threads as cores. Memory is kept to what decoding needs:
        a sampler is created when its unit starts (its tables rebuilt to size after the first
        sweep; in the last round one such start at a time, see :class:`_StartGate`);
        a finished sampler keeps its links and sums but sheds its count tables while others of
        its direction still run; and the thread that finishes a direction's last sampler
        rebuilds them, decodes that direction at once and frees its samplers.
        """
        _map_large_allocations()
        want_fwd, want_rev = self._directions()
        n_src, n_tgt = len(encoded.src_vocab), len(encoded.tgt_vocab)
        directions: dict[int, _Direction] = {}
        n_samplers = int(self.n_samplers)
        for index, wanted in enumerate((want_fwd, want_rev)):
            if not wanted:
                continue
            corpus = (
                _Corpus.from_ragged(encoded.src, encoded.tgt, n_src, n_tgt)
                if index == 0
                else _Corpus.from_ragged(encoded.tgt, encoded.src, n_tgt, n_src)
            )
            prior = priors[_DIRECTIONS[index]] if priors is not None else _Priors.none()
            directions[index] = _Direction(corpus, prior, n_samplers)
        # Both directions cost about the same (a sweep visits every (src, tgt) word pair of
        # every sentence, in either direction): taking their samplers in turn makes them finish
        # together, so that the two decodings, serial within a direction, run side by side.
        units = [(index, k) for k in range(n_samplers) for index in directions]
        sweeps = self.schedule(len(encoded), next(iter(directions.values())).cells)
        n_chunks = max(1, math.ceil(len(encoded) / _ARGMAX_CHUNK))
        total = len(units) * (sum(sweeps) + n_chunks)
        ticks: queue.Queue[int | None] = queue.Queue()
        workers = max(1, min(len(units), os.cpu_count() or 1))
        gate = _StartGate(last_round=len(units) - workers)
        stop = threading.Event()

        def tick(n: int) -> None:
            # After every kernel call: the point where a stopping run leaves its threads.
            if stop.is_set():
                raise _Interrupted
            ticks.put(n)

        def work(position: int) -> None:
            index, k = units[position]
            direction = directions[index]
            try:
                with gate.opening(position):
                    sampler, done = self._start(direction, index, k, sweeps, tick)
                self._sample(sampler, done, direction, sweeps, tick)
                if direction.others_running():
                    sampler.shed_tables()
                _release_free_heap()
                if direction.finish(k, sampler):
                    direction.links = self._decode(direction, sweeps, tick, posteriors)
                    if decoded is not None:
                        decoded(_DIRECTIONS[index], direction.corpus, direction.links)
            finally:
                ticks.put(None)

        def progress_ticks() -> Iterator[None]:
            finished = 0
            while finished < len(units):
                item = ticks.get()
                if item is None:
                    finished += 1
                    continue
                for _ in range(item):
                    yield None

        with worker_pool(workers) as pool:
            try:
                futures = [pool.submit(work, position) for position in range(len(units))]
                ticking = progress_ticks()
                for _ in progress_bar(ticking, total=total, desc=desc, enabled=self.progress):
                    pass
                for future in futures:
                    future.result()
            except BaseException:
                # KeyboardInterrupt (or a failed unit): worker_pool drops the units not started;
                # running ones leave at their next kernel call, within one sweep.
                stop.set()
                raise
        out: dict[str, I32] = {}
        posts: dict[str, LinkPosteriors] = {}
        for index, direction in directions.items():
            assert direction.links is not None
            out[_DIRECTIONS[index]] = direction.links
            if direction.posteriors is not None:
                posts[_DIRECTIONS[index]] = direction.posteriors
        return out, posts

    def _sweep(
        self,
        sampler: _Sampler,
        direction: _Direction,
        model: int,
        n: int,
        tick: Callable[[int], None],
    ) -> None:
        corpus, prior, alphas = direction.corpus, direction.prior, sampler.alphas
        sampler.pool = kernels.gibbs_sweeps(
            model, n, corpus.src_ids, corpus.src_offsets, corpus.tgt_ids, corpus.tgt_offsets,
            sampler.links, sampler.pool, sampler.start, sampler.bits, sampler.used, sampler.meta,
            sampler.count_sum, sampler.inv_sum, sampler.jump, sampler.fert_ratio, prior.keys,
            prior.values, prior.start, prior.bits, prior.fert, float(self.null_prior), sampler.rng,
            alphas.lex, alphas.null, alphas.fert,
        )  # fmt: skip
        tick(n)

    def _per_call(self, direction: _Direction) -> int:
        return max(1, _CELLS_PER_CALL // max(direction.cells, 1))

    def _start(
        self,
        direction: _Direction,
        index: int,
        k: int,
        sweeps: tuple[int, int, int],
        tick: Callable[[int], None],
    ) -> tuple[_Sampler, int]:
        """Sampler ``k`` of one direction from random links through its first call of sweeps
        (eflomal.c, ``align``); the sampler and the sweeps of its first model done."""
        corpus, prior = direction.corpus, direction.prior
        first_model = _models(sweeps)[0]
        sampler = _Sampler(corpus, self._seed(index, k), float(self.null_prior), self._alphas())
        done = min(self._per_call(direction), sweeps[first_model - 1])
        # Windowed tables only from the rebuild after the first sweep on (see _WINDOW).
        sampler.recount(first_model, corpus, prior, windowed=not done)
        if done:
            # The random initial links put nearly every token in a pair of its own; one sweep
            # concentrates them, and rebuilding the tables then returns that memory.
            self._sweep(sampler, direction, first_model, done, tick)
            sampler.recount(first_model, corpus, prior)
            _release_free_heap()
        return sampler, done

    def _sample(
        self,
        sampler: _Sampler,
        done: int,
        direction: _Direction,
        sweeps: tuple[int, int, int],
        tick: Callable[[int], None],
    ) -> None:
        """The rest of a started sampler's schedule (``done`` sweeps of its first model made)."""
        models = _models(sweeps)
        per_call = self._per_call(direction)
        for model in models:
            if model != models[0]:
                sampler.recount(model, direction.corpus, direction.prior)
                done = 0
            while done < sweeps[model - 1]:
                n = min(per_call, sweeps[model - 1] - done)
                self._sweep(sampler, direction, model, n, tick)
                done += n
        # Tables that grew and shrank while sampling leave dead regions in the pool; the sampler
        # waits for the others of its direction in a pool of its live tables only.
        sampler.pool = kernels.shrink_pool(sampler.pool, sampler.start, sampler.bits, sampler.meta)

    def _decode(
        self,
        direction: _Direction,
        sweeps: tuple[int, int, int],
        tick: Callable[[int], None],
        posteriors: bool = False,
    ) -> I32:
        """The pooled argmax over a direction's samplers (eflomal.c, ``align``); frees them.
        With ``posteriors``, the pooled marginals are kept as ``direction.posteriors``."""
        corpus, prior, samplers = direction.corpus, direction.prior, direction.samplers
        last_model = _last_model(sweeps)
        null_prior = float(self.null_prior)
        src_len = np.diff(corpus.src_offsets)
        tgt_len = np.diff(corpus.tgt_offsets)
        cells = tgt_len * (src_len + 1)
        for sampler in samplers:
            assert sampler is not None
            sampler.restore_tables(last_model, corpus, prior)
        parts: list[LinkPosteriors] = []
        # Per chunk of sentences, every sampler in turn (the last one decides).
        for lo in range(0, len(corpus), _ARGMAX_CHUNK):
            hi = min(lo + _ARGMAX_CHUNK, len(corpus))
            acc = np.zeros(max(int(cells[lo:hi].sum()), 1))
            for k in range(len(samplers) - 1, -1, -1):
                sampler = samplers[k]
                assert sampler is not None
                sampler.pool = kernels.argmax_pass(
                    last_model, k == len(samplers) - 1, lo, hi, corpus.src_ids,
                    corpus.src_offsets, corpus.tgt_ids, corpus.tgt_offsets, sampler.links,
                    sampler.pool, sampler.start, sampler.bits, sampler.used, sampler.meta,
                    sampler.count_sum, sampler.inv_sum, sampler.jump, sampler.fert_ratio,
                    prior.keys, prior.values, prior.start, prior.bits, null_prior, acc,
                    sampler.alphas.lex, sampler.alphas.null,
                )  # fmt: skip
                tick(1)
            if posteriors:
                counts, positions, probs = kernels.chunk_posteriors(
                    acc, corpus.src_offsets, corpus.tgt_offsets, lo, hi, 1.0 / len(samplers),
                    DEFAULT_FLOOR,
                )  # fmt: skip
                parts.append(LinkPosteriors.from_counts(counts, positions, probs))
        if posteriors:
            direction.posteriors = (
                LinkPosteriors.concatenate(parts) if parts else LinkPosteriors.empty(0)
            )
        first = samplers[0]
        assert first is not None
        direction.samplers = []
        return first.links.astype(np.int32)

    # -- training ---------------------------------------------------------------------------

    def fit(self, bitext: Iterable[PairLike], prior: LexicalPrior | None = None) -> Self:
        """Train on the bitext; ``prior`` adds lexical pseudo-counts (for example from a pivot
        language: :func:`~wordalign.aligners.statistical.pivot.pivot_prior`), which the model
        keeps for the new text it aligns."""
        self._train((as_pair(item) for item in bitext), prior)
        return self

    def _train(
        self, pairs: Iterable[SentencePair], prior: LexicalPrior | None = None
    ) -> tuple[EncodedBitext, dict[str, I32], dict[str, LinkPosteriors] | None]:
        """Sample the training pairs; keeps the model, returns the encoding, the links and (when
        the settings need them) the posteriors."""
        self._check_params()
        encoded = self._encode(pairs, Vocabulary(), Vocabulary())
        self.prior_stats_ = _prior_stats(prior, encoded) if prior is not None else {}
        n_types = {"forward": len(encoded.src_vocab) + 1, "reverse": len(encoded.tgt_vocab) + 1}
        no_counts = np.zeros(0)
        training_priors = {
            label: _Priors.from_entries(
                n_types[label], extra.lex_e, extra.lex_f, extra.lex_count, no_counts, no_counts
            )
            for label, extra in self.prior_stats_.items()
        }
        stats: dict[str, _Stats] = {}

        def statistics(direction: str, corpus: _Corpus, links: I32) -> None:
            # In the decoding thread, whose heap its samplers have just freed.
            stats[direction] = _stats_from_links(corpus, links)

        wants = self._wants_posteriors()
        result, posts = self._run(
            encoded, training_priors or None, "eflomal", decoded=statistics, posteriors=wants
        )
        self.src_vocab_ = encoded.src_vocab
        self.tgt_vocab_ = encoded.tgt_vocab
        self.stats_ = {d: stats[d] for d in _DIRECTIONS if d in stats}
        self.n_train_pairs_ = len(encoded)
        self.memory_ = (
            _TrainingMemory.build(encoded, result, posts if wants else None)
            if self.remember_training_links
            else None
        )
        self._priors: dict[str, _Priors] | None = None
        _release_free_heap()
        return encoded, result, posts if wants else None

    def fit_align(
        self, bitext: Iterable[PairLike], prior: LexicalPrior | None = None
    ) -> Sequence[Alignment]:
        """Train on the bitext (with ``prior`` as in :meth:`fit`) and return the links of the
        training run.

        With ``remember_training_links`` (the default) these are exactly what ``align`` gives
        for the same pairs later, also after ``save``/``load`` (a pair that occurs several times
        gets the links of its first occurrence); without it, the raw training links. The bitext
        is read once, as a stream: no copy of the corpus is kept.
        """
        return self._combine(*self.fit_directions(bitext, prior))

    def fit_directions(
        self, bitext: Iterable[PairLike], prior: LexicalPrior | None = None
    ) -> Directions:
        """Like :meth:`fit_align`, but the two directions before they are symmetrized: their
        links and, when the settings need them (a posterior method, or ``scores``), their link
        posteriors. What a combination with other evidence (the ``hybrid`` aligner) starts from.
        """
        encoded, result, posts = self._train((as_pair(item) for item in bitext), prior)
        forward = result.get("forward", np.full(len(encoded.tgt.ids), -1, dtype=np.int32))
        reverse = result.get("reverse", np.full(len(encoded.src.ids), -1, dtype=np.int32))
        if self.memory_ is not None:
            posts = self.memory_.fill_repeats(encoded, forward, reverse)
        return Directions(forward, reverse, encoded, posts)

    # -- aligning ---------------------------------------------------------------------------

    def _priors_for_new_text(self) -> dict[str, _Priors]:
        if getattr(self, "_priors", None) is None:
            extra = getattr(self, "prior_stats_", {})
            self._priors = {d: _Priors.from_stats(s, extra.get(d)) for d, s in self.stats_.items()}
        assert self._priors is not None
        return self._priors

    def _align(self, pairs: list[SentencePair]) -> Sequence[Alignment]:
        return self._combine(*self.align_directions(pairs))

    def align_directions(self, bitext: Iterable[PairLike]) -> Directions:
        """Like :meth:`align`, but the two directions before they are symmetrized (see
        :meth:`fit_directions`)."""
        if not self.is_fitted():
            raise NotFittedError("Eflomal is not trained: call fit() first, or load a saved model")
        pairs = as_pairs(bitext)
        self._check_params()
        want_fwd, want_rev = self._directions()
        if (want_fwd and "forward" not in self.stats_) or (
            want_rev and "reverse" not in self.stats_
        ):
            raise WordalignError(
                f"eflomal: this model was trained without the direction that "
                f"symmetrize={self.symmetrize!r} needs"
            )
        # Unknown words get fresh ids past the model's vocabulary: they have no prior counts.
        src_vocab = Vocabulary(self.src_vocab_.words)
        tgt_vocab = Vocabulary(self.tgt_vocab_.words)
        encoded = self._encode(pairs, src_vocab, tgt_vocab)
        forward = np.full(len(encoded.tgt.ids), -1, dtype=np.int32)
        reverse = np.full(len(encoded.src.ids), -1, dtype=np.int32)
        wants = self._wants_posteriors()
        # Where each token's posteriors come from: the memory's (index >= 0) or the sampled
        # pairs' (index -1 - k for token k of the sampled sub-corpus).
        sources = {
            "forward": np.zeros(len(forward), dtype=np.int64),
            "reverse": np.zeros(len(reverse), dtype=np.int64),
        }
        todo = list(range(len(encoded)))
        memory = self.memory_
        if memory is not None and (memory.posteriors is not None or not wants):
            todo = memory.fill(encoded, forward, reverse, sources)
        posts: dict[str, LinkPosteriors] = {}
        if todo:
            sub = EncodedBitext(
                encoded.src.subset(todo), encoded.tgt.subset(todo), src_vocab, tgt_vocab
            )
            result, posts = self._run(
                sub, self._priors_for_new_text(), "eflomal (priors)", posteriors=wants
            )
            for k, s in enumerate(todo):
                t0, t1 = encoded.tgt.offsets[s], encoded.tgt.offsets[s + 1]
                s0, s1 = encoded.src.offsets[s], encoded.src.offsets[s + 1]
                u0, u1 = sub.tgt.offsets[k], sub.tgt.offsets[k + 1]
                v0, v1 = sub.src.offsets[k], sub.src.offsets[k + 1]
                if "forward" in result:
                    forward[t0:t1] = result["forward"][u0:u1]
                if "reverse" in result:
                    reverse[s0:s1] = result["reverse"][v0:v1]
                sources["forward"][t0:t1] = -1 - np.arange(u0, u1)
                sources["reverse"][s0:s1] = -1 - np.arange(v0, v1)
            del result
            _release_free_heap()
        if not wants:
            return Directions(forward, reverse, encoded, None)
        remembered = memory.posteriors if memory is not None else None
        gathered = {}
        for label, index in sources.items():
            pools = [remembered[label] if remembered and label in remembered else None,
                     posts.get(label)]  # fmt: skip
            gathered[label] = _gather_posteriors(index, *pools)
        return Directions(forward, reverse, encoded, gathered)

    def is_fitted(self) -> bool:
        """Whether the model is trained (cheaper than building the state to save)."""
        return getattr(self, "src_vocab_", None) is not None

    # -- persistence ------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        if getattr(self, "src_vocab_", None) is None:
            return {}
        state: dict[str, Any] = {"n_train_pairs": self.n_train_pairs_}
        state.update(self.src_vocab_.to_state("src_vocab"))
        state.update(self.tgt_vocab_.to_state("tgt_vocab"))
        for label, stats in self.stats_.items():
            state[f"{label}_lex_e"] = stats.lex_e
            state[f"{label}_lex_f"] = stats.lex_f
            state[f"{label}_lex_count"] = stats.lex_count
            state[f"{label}_jump"] = stats.jump
            state[f"{label}_fert"] = stats.fert
        for label, extra in getattr(self, "prior_stats_", {}).items():
            state[f"{label}_prior_lex_e"] = extra.lex_e
            state[f"{label}_prior_lex_f"] = extra.lex_f
            state[f"{label}_prior_lex_count"] = extra.lex_count
        if self.memory_ is not None:
            state.update(self.memory_.to_state())
        return state

    def _set_state(self, state: dict[str, Any]) -> None:
        """Restore a saved model, checking the invariants listed at :attr:`STATE_ARRAYS`."""
        from wordalign.aligners.base import check_ids, check_length, check_values

        def lexical(prefix: str, n_cond: int, n_gen: int, positive: bool) -> tuple[I32, I32, F64]:
            lex_e = np.ascontiguousarray(state[f"{prefix}_lex_e"], dtype=np.int32)
            lex_f = np.ascontiguousarray(state[f"{prefix}_lex_f"], dtype=np.int32)
            count = np.ascontiguousarray(state[f"{prefix}_lex_count"], dtype=np.float64)
            check_length(f"{prefix}_lex_f", lex_f, len(lex_e), f"one per {prefix}_lex_e entry")
            check_length(f"{prefix}_lex_count", count, len(lex_e), f"one per {prefix}_lex_e entry")
            check_ids(f"{prefix}_lex_e", lex_e, 0, n_cond + 1)
            check_ids(f"{prefix}_lex_f", lex_f, 0, n_gen)
            check_values(f"{prefix}_lex_count", count, 0.0)
            if positive:
                keys = lex_e.astype(np.int64) << 32 | lex_f.astype(np.int64)
                if len(keys) > 1 and not np.all(np.diff(keys) > 0):
                    raise WordalignError(
                        f"arrays '{prefix}_lex_e'/'{prefix}_lex_f' are not sorted unique pairs"
                    )
                zero = np.flatnonzero(count == 0.0)
                if len(zero):
                    raise WordalignError(
                        f"array '{prefix}_lex_count' holds a zero count at {zero[0]} "
                        "(a model stores non-zero counts only)"
                    )
            return lex_e, lex_f, count

        try:
            src_vocab = Vocabulary.from_state(state, "src_vocab")
            tgt_vocab = Vocabulary.from_state(state, "tgt_vocab")
            n_train_pairs = state["n_train_pairs"]
            if isinstance(n_train_pairs, bool) or not isinstance(n_train_pairs, int):
                raise TypeError(f"n_train_pairs must be an integer, got {n_train_pairs!r}")
            if n_train_pairs < 0:
                raise ValueError(f"n_train_pairs is {n_train_pairs}")
            sizes = {
                "forward": (len(src_vocab), len(tgt_vocab)),
                "reverse": (len(tgt_vocab), len(src_vocab)),
            }
            stats: dict[str, _Stats] = {}
            for label in _DIRECTIONS:
                if f"{label}_lex_e" not in state:
                    continue
                n_cond, n_gen = sizes[label]
                lex_e, lex_f, lex_count = lexical(label, n_cond, n_gen, positive=True)
                jump = np.ascontiguousarray(state[f"{label}_jump"], dtype=np.float64)
                fert = np.ascontiguousarray(state[f"{label}_fert"], dtype=np.float64)
                check_length(f"{label}_jump", jump, kernels.JUMP_LEN, "JUMP_LEN")
                check_length(
                    f"{label}_fert", fert, (n_cond + 1) * kernels.FERT_LEN,
                    "FERT_LEN per generating word and NULL",
                )  # fmt: skip
                check_values(f"{label}_jump", jump, 0.0)
                check_values(f"{label}_fert", fert, 0.0)
                stats[label] = _Stats(lex_e, lex_f, lex_count, jump, fert)
            if not stats:
                raise WordalignError(
                    "eflomal: the model has no statistics (no forward_* or reverse_* arrays)"
                )
            prior_stats = {}
            for label in _DIRECTIONS:
                if f"{label}_prior_lex_e" in state:
                    lex = lexical(f"{label}_prior", *sizes[label], positive=False)
                    prior_stats[label] = _Stats(*lex, jump=np.zeros(0), fert=np.zeros(0))
            memory = _TrainingMemory.from_state(state)
            if memory is not None:
                check_length("memory_keys", memory.keys, n_train_pairs, "one per training pair")
        except (KeyError, TypeError, ValueError) as exc:
            raise WordalignError(f"eflomal: incomplete or damaged model state ({exc})") from None
        self.src_vocab_ = src_vocab
        self.tgt_vocab_ = tgt_vocab
        self.n_train_pairs_ = n_train_pairs
        self.stats_ = stats
        self.prior_stats_ = prior_stats
        self.memory_ = memory
        self._priors = None


def _prior_stats(prior: LexicalPrior, encoded: EncodedBitext) -> dict[str, _Stats]:
    """A lexical prior in the ids of the training vocabularies, per direction (NULL-shifted
    generating ids, generated ids as the vocabulary numbers them); pairs of words the bitext
    lacks are dropped.

    Raises:
        WordalignError: when the prior shares no word with a side of the bitext (it was made
            for other languages, or the pivot files' columns are swapped).
    """
    out: dict[str, _Stats] = {}
    for label, table, gen_vocab, out_vocab, side in (
        ("forward", prior.forward, encoded.src_vocab, encoded.tgt_vocab, "src"),
        ("reverse", prior.reverse, encoded.tgt_vocab, encoded.src_vocab, "tgt"),
    ):
        rows = np.array([gen_vocab.get(w) for w in table.row_words], dtype=np.int64)
        cols = np.array([out_vocab.get(w) for w in table.col_words], dtype=np.int64)
        if len(encoded) and not (rows >= 0).any():
            raise WordalignError(
                f"pivot prior: none of its {side} words occurs on the {side} side of the "
                "bitext (are the pivot files for these languages, with the pivot second?)"
            )
        entry_rows = np.repeat(rows, np.diff(table.ptr)) if len(rows) else rows
        entry_cols = cols[table.cols] if len(table.cols) else table.cols.astype(np.int64)
        keep = (entry_rows >= 0) & (entry_cols >= 0)
        out[label] = _Stats(
            lex_e=(entry_rows[keep] + 1).astype(np.int32),
            lex_f=entry_cols[keep].astype(np.int32),
            lex_count=table.probs[keep] * prior.weight,
            jump=np.zeros(0),
            fert=np.zeros(0),
        )
    return out


def _gather_posteriors(
    index: I64, remembered: LinkPosteriors | None, sampled: LinkPosteriors | None
) -> LinkPosteriors:
    """Token ``k``'s posteriors from ``remembered`` token ``index[k]`` when ``index[k] >= 0``,
    else from ``sampled`` token ``-1 - index[k]`` (a missing source has no entries)."""
    n_remembered = int(index.max(initial=-1)) + 1
    n_sampled = int(-index.min(initial=0))
    if remembered is None:
        remembered = LinkPosteriors.empty(n_remembered)
    if sampled is None:
        sampled = LinkPosteriors.empty(n_sampled)
    pool = LinkPosteriors.concatenate([remembered, sampled])
    return pool.take(np.where(index >= 0, index, remembered.n_tokens - 1 - index))


class _TrainingMemory:
    """The links (and, when trained with them, the posteriors) of the training pairs, found
    again by the content of a pair.

    Keys are 128-bit digests of a pair's lengths and token ids (``pair_digests``), so two pairs
    share a key only when they are the same text; a pair that occurs several times keeps the
    links of its first occurrence.
    """

    # Models whose keys were made otherwise (older versions) are used without their memory.
    SCHEME: ClassVar[str] = "splitmix128"

    def __init__(
        self,
        keys: npt.NDArray[np.uint8],
        fwd: Ragged,
        rev: Ragged,
        posteriors: dict[str, LinkPosteriors] | None = None,
    ) -> None:
        self.keys = keys
        self.fwd = fwd
        self.rev = rev
        self.posteriors = posteriors
        self._index = {keys[k].tobytes(): k for k in range(len(keys) - 1, -1, -1)}

    @staticmethod
    def keys_of(encoded: EncodedBitext) -> npt.NDArray[np.uint8]:
        """The key of every pair, given in :meth:`Eflomal._encode`'s shifted ids; it digests the
        vocabulary's own ids, so that keys do not depend on that shift."""
        digests = kernels.pair_digests(
            encoded.src.ids, encoded.src.offsets, encoded.tgt.ids, encoded.tgt.offsets, 1
        )
        return np.ascontiguousarray(digests).view(np.uint8).reshape(len(encoded), 16)

    @classmethod
    def build(
        cls,
        encoded: EncodedBitext,
        result: dict[str, I32],
        posteriors: dict[str, LinkPosteriors] | None = None,
    ) -> _TrainingMemory:
        fwd_ids = result.get("forward", np.full(len(encoded.tgt.ids), -1, dtype=np.int32))
        rev_ids = result.get("reverse", np.full(len(encoded.src.ids), -1, dtype=np.int32))
        # The training links themselves, not copies: fit_align only changes the links of pairs
        # that repeat an earlier one, which lookups never read (they find the first occurrence).
        return cls(
            cls.keys_of(encoded),
            Ragged(np.asarray(fwd_ids, dtype=np.int32), encoded.tgt.offsets),
            Ragged(np.asarray(rev_ids, dtype=np.int32), encoded.src.offsets),
            posteriors,
        )

    def fill(
        self,
        encoded: EncodedBitext,
        forward: I32,
        reverse: I32,
        sources: dict[str, I64] | None = None,
    ) -> list[int]:
        """Copy remembered links into ``forward``/``reverse``; the indices of unknown pairs.
        ``sources`` receives, per direction, the remembered token of every copied token."""
        todo = []
        keys = self.keys_of(encoded)
        for s in range(len(encoded)):
            hit = self._index.get(keys[s].tobytes())
            if hit is None:
                todo.append(s)
            else:
                self._copy(hit, encoded, s, forward, reverse, sources)
        return todo

    def fill_repeats(
        self, encoded: EncodedBitext, forward: I32, reverse: I32
    ) -> dict[str, LinkPosteriors] | None:
        """:meth:`fill` for the training pairs themselves, in their order: only a pair that
        repeats an earlier one changes (to the first one's links), found by the stored keys
        instead of hashing the text again. Returns the remembered posteriors in the same way."""
        sources = {
            "forward": np.arange(len(forward), dtype=np.int64),
            "reverse": np.arange(len(reverse), dtype=np.int64),
        }
        repeats = False
        for k in range(len(self.keys)):
            first = self._index[self.keys[k].tobytes()]
            if first != k:
                self._copy(first, encoded, k, forward, reverse, sources)
                repeats = True
        if self.posteriors is None or not repeats:
            return self.posteriors
        return {label: p.take(sources[label]) for label, p in self.posteriors.items()}

    def _copy(
        self,
        hit: int,
        encoded: EncodedBitext,
        s: int,
        forward: I32,
        reverse: I32,
        sources: dict[str, I64] | None,
    ) -> None:
        # The remembered links of training pair ``hit`` into pair ``s`` of ``encoded``.
        t0, t1 = encoded.tgt.offsets[s], encoded.tgt.offsets[s + 1]
        forward[t0:t1] = self.fwd.sentence(hit)
        s0, s1 = encoded.src.offsets[s], encoded.src.offsets[s + 1]
        reverse[s0:s1] = self.rev.sentence(hit)
        if sources is not None:
            h0, h1 = self.fwd.offsets[hit], self.fwd.offsets[hit + 1]
            sources["forward"][t0:t1] = np.arange(h0, h1)
            h0, h1 = self.rev.offsets[hit], self.rev.offsets[hit + 1]
            sources["reverse"][s0:s1] = np.arange(h0, h1)

    def to_state(self) -> dict[str, Any]:
        state = {
            "memory_scheme": self.SCHEME,
            "memory_keys": self.keys,
            "memory_forward": self.fwd.ids,
            "memory_forward_offsets": self.fwd.offsets,
            "memory_reverse": self.rev.ids,
            "memory_reverse_offsets": self.rev.offsets,
        }
        for label, posts in (self.posteriors or {}).items():
            # Entries per token fit 16 bits (a token has one per generating word and NULL).
            state[f"memory_{label}_post_counts"] = posts.counts().astype(np.uint16)
            state[f"memory_{label}_post_positions"] = posts.positions
            state[f"memory_{label}_post_probs"] = posts.probs
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _TrainingMemory | None:
        """The memory :meth:`to_state` stored, ``None`` for another key scheme or none.

        Raises:
            WordalignError: when the arrays do not fit together (see
                :attr:`Eflomal.STATE_ARRAYS`).
        """
        from wordalign.aligners.base import check_length, check_offsets, check_values

        if "memory_keys" not in state or state.get("memory_scheme") != cls.SCHEME:
            return None

        def ragged(name: str) -> Ragged:
            out = Ragged(
                np.ascontiguousarray(state[name], dtype=np.int32),
                np.ascontiguousarray(state[f"{name}_offsets"], dtype=np.int64),
            )
            check_length(f"{name}_offsets", out.offsets, len(keys) + 1, "one per key and an end")
            check_offsets(f"{name}_offsets", out.offsets, len(out.ids))
            return out

        keys = np.asarray(state["memory_keys"])
        if keys.ndim != 2 or keys.shape[1] != 16:
            raise WordalignError(f"array 'memory_keys' has shape {keys.shape}, not (n, 16)")
        keys = np.ascontiguousarray(keys, dtype=np.uint8)
        fwd, rev = ragged("memory_forward"), ragged("memory_reverse")
        # A forward link is a position in the pair's source sentence, a reverse one in its target.
        for label, links, other in (("forward", fwd, rev), ("reverse", rev, fwd)):
            limit = np.repeat(other.lengths(), links.lengths())
            bad = np.flatnonzero((links.ids < -1) | (links.ids >= limit))
            if len(bad):
                raise WordalignError(
                    f"array 'memory_{label}' holds {links.ids[bad[0]]} at {bad[0]}, "
                    "not -1 or a position in its sentence"
                )
        posteriors = {}
        for label, links, other in (("forward", fwd, rev), ("reverse", rev, fwd)):
            if f"memory_{label}_post_counts" not in state:
                continue
            name = f"memory_{label}_post"
            counts = np.asarray(state[f"{name}_counts"])
            positions, probs = state[f"{name}_positions"], state[f"{name}_probs"]
            check_length(f"{name}_counts", counts, len(links.ids), f"one per memory_{label} link")
            if int(counts.sum(dtype=np.int64)) != len(positions):
                raise WordalignError(
                    f"array '{name}_counts' adds up to {int(counts.sum(dtype=np.int64))}, "
                    f"but '{name}_positions' has {len(positions)} entries"
                )
            check_length(f"{name}_probs", probs, len(positions), "one per position")
            posts = LinkPosteriors.from_counts(counts, positions, probs)
            limit = np.repeat(np.repeat(other.lengths(), links.lengths()), counts.astype(np.int64))
            bad = np.flatnonzero((posts.positions < -1) | (posts.positions >= limit))
            if len(bad):
                raise WordalignError(
                    f"array '{name}_positions' holds {posts.positions[bad[0]]} at {bad[0]}, "
                    "not -1 or a position in its sentence"
                )
            check_values(f"{name}_probs", posts.probs, 0.0, 1.0)
            posteriors[label] = posts
        return cls(keys, fwd, rev, posteriors or None)
