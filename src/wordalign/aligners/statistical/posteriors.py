"""Link posteriors of a directional model, and what is built from them.

A directional model (IBM 1, fast_align, eflomal) generates every token of one side from a token
of the other side or from NULL. Its *link posterior* is, for every generated token, the
probability of each candidate generator given the sentence pair: for IBM 1 and fast_align the
E-step's normalised product ``t(f | e) · a(i | j)`` under the final parameters (Brown et al. 1993,
eq. 17; Dyer et al. 2013, eq. 3); for eflomal the collapsed conditional ``P(a_j = i | a_-j)`` of
every sampler's final state, averaged over the samplers (Östling & Tiedemann 2016, §3.3: the
quantity whose argmax the reference decodes).

:class:`LinkPosteriors` stores them sparsely, one run of ``(position, probability)`` entries per
generated token, NULL as position -1. Entries below a floor are left out to bound memory (the
floor is 0 in tests, where every run sums to one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_FLOOR", "LinkPosteriors"]

DEFAULT_FLOOR = 1e-2
"""Entries with a smaller probability are not stored. A link's mean posterior loses at most half
of it: thresholds are chosen in steps of 0.05. (At 1e-3 fast_align kept 16 entries per token,
358 MB per direction on DERMIT.)"""


@dataclass(frozen=True)
class LinkPosteriors:
    """One direction's link posteriors over a corpus.

    Token ``k`` of the generated side (numbered across the corpus, as in
    :class:`~wordalign.aligners.statistical.corpus.Ragged`) owns the entries
    ``offsets[k]:offsets[k + 1]``: ``positions`` (within its sentence, on the generating side;
    -1 = NULL) and their ``probs``.
    """

    offsets: npt.NDArray[np.int64]
    positions: npt.NDArray[np.int32]
    probs: npt.NDArray[np.float32]

    def __post_init__(self) -> None:
        if (
            len(self.offsets) == 0
            or int(self.offsets[-1]) != len(self.positions)
            or len(self.positions) != len(self.probs)
        ):
            raise ValueError("LinkPosteriors: offsets, positions and probs do not fit together")

    @property
    def n_tokens(self) -> int:
        """Number of generated tokens."""
        return len(self.offsets) - 1

    def token(self, k: int) -> dict[int, float]:
        """The entries of generated token ``k`` as ``{position: probability}``."""
        lo, hi = int(self.offsets[k]), int(self.offsets[k + 1])
        return dict(zip(self.positions[lo:hi].tolist(), self.probs[lo:hi].tolist(), strict=True))

    @classmethod
    def concatenate(cls, parts: list[LinkPosteriors]) -> LinkPosteriors:
        """The posteriors of consecutive runs of tokens, as one."""
        if not parts:
            return cls.empty(0)
        sizes = np.array([len(p.positions) for p in parts], dtype=np.int64)
        shifts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        offsets = np.concatenate(
            [parts[0].offsets[:1]] + [p.offsets[1:] + s for p, s in zip(parts, shifts, strict=True)]
        )
        return cls(
            offsets.astype(np.int64),
            np.concatenate([p.positions for p in parts]).astype(np.int32),
            np.concatenate([p.probs for p in parts]).astype(np.float32),
        )

    @classmethod
    def empty(cls, n_tokens: int) -> LinkPosteriors:
        """Posteriors of ``n_tokens`` tokens with no entries (a direction that was not run)."""
        return cls(
            np.zeros(n_tokens + 1, dtype=np.int64),
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.float32),
        )

    def take(self, tokens: npt.NDArray[np.integer]) -> LinkPosteriors:
        """The posteriors of the given tokens, in that order (a token may repeat)."""
        tokens = np.asarray(tokens, dtype=np.int64)
        starts = self.offsets[tokens]
        counts = self.offsets[tokens + 1] - starts
        offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        entries = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        return LinkPosteriors(offsets, self.positions[entries], self.probs[entries])

    def counts(self) -> npt.NDArray[np.int64]:
        """The number of entries of every token."""
        return np.diff(self.offsets)

    @classmethod
    def from_counts(
        cls,
        counts: npt.NDArray[np.integer],
        positions: npt.NDArray[np.integer],
        probs: npt.NDArray[np.floating],
    ) -> LinkPosteriors:
        """Posteriors from the number of entries of every token and the entries."""
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(
            offsets,
            np.ascontiguousarray(positions, dtype=np.int32),
            np.ascontiguousarray(probs, dtype=np.float32),
        )

    def mix(self, other: LinkPosteriors, weight: float, floor: float = 0.0) -> LinkPosteriors:
        """The mixture ``(1 - weight) * self + weight * other``, token by token.

        Both must describe the same tokens (a mixture of two distributions over a token's
        candidate generators is a distribution again). Entries are merged by position and
        sorted by it; those below ``floor`` are dropped.

        Example:
            >>> a = LinkPosteriors.from_counts(np.array([2]), np.array([0, -1]), np.array([0.8, 0.2]))
            >>> b = LinkPosteriors.from_counts(np.array([1]), np.array([1]), np.array([1.0]))
            >>> {k: round(v, 3) for k, v in a.mix(b, 0.5).token(0).items()}
            {-1: 0.1, 0: 0.4, 1: 0.5}
        """
        if self.n_tokens != other.n_tokens:
            raise ValueError(f"LinkPosteriors.mix: {self.n_tokens} tokens against {other.n_tokens}")
        tokens = np.concatenate(
            [
                np.repeat(np.arange(self.n_tokens, dtype=np.int64), self.counts()),
                np.repeat(np.arange(other.n_tokens, dtype=np.int64), other.counts()),
            ]
        )
        positions = np.concatenate([self.positions, other.positions]).astype(np.int64)
        probs = np.concatenate(
            [
                (1.0 - weight) * self.probs.astype(np.float64),
                weight * other.probs.astype(np.float64),
            ]
        )
        if len(tokens) == 0:
            return LinkPosteriors.empty(self.n_tokens)
        # One key per (token, position): NULL (-1) sorts first within its token.
        width = int(positions.max()) + 2
        keys = tokens * width + positions + 1
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        sums = np.add.reduceat(probs[order], starts)
        kept = sums >= floor
        first = keys[starts][kept]
        token_of = first // width
        counts = np.bincount(token_of, minlength=self.n_tokens)
        return LinkPosteriors.from_counts(counts, first % width - 1, sums[kept])
