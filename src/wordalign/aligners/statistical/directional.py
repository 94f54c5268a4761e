"""Turning the output of a directional model into alignments, and symmetrizing two directions.

A directional model (IBM 1, fast_align, eflomal) generates each token of one side from one token
of the other side or from NULL. Its Viterbi output is a flat ``int32`` array parallel to the
generated side's :class:`~wordalign.aligners.statistical.corpus.Ragged` ids: entry ``k`` holds the
index, within its sentence, of the token that generated token ``k``, or ``-1`` for NULL.

By convention the *forward* direction generates the target from the source (fast_align's
default); the *reverse* direction generates the source from the target (fast_align ``-r``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wordalign.aligners.statistical.corpus import EncodedBitext
from wordalign.aligners.statistical.posteriors import LinkPosteriors
from wordalign.errors import UnknownNameError, WordalignError
from wordalign.types import PackedAlignments

NULL = -1

ONE_DIRECTION = ("forward", "reverse")
"""Names that keep one direction's links alone instead of symmetrizing."""

POSTERIOR_METHODS = ("posterior-mean", "posterior-geometric")
"""Names that combine the two directions' link posteriors instead of their Viterbi links: a link
is kept when the mean (arithmetic or geometric) of its two posteriors reaches a threshold, then
grown like grow-diag over links that reach a lower threshold (see :mod:`._posterior_kernels`)."""


def symmetrize_names() -> tuple[str, ...]:
    """Every accepted ``symmetrize`` value of a directional aligner."""
    from wordalign.symmetrization import METHODS

    return (*METHODS, *ONE_DIRECTION, *POSTERIOR_METHODS)


def check_symmetrize(method: str) -> None:
    """Raise :class:`UnknownNameError` unless ``method`` is one of :func:`symmetrize_names`."""
    if method not in symmetrize_names():
        raise UnknownNameError("symmetrization method", method, symmetrize_names())


def check_thresholds(threshold: float, grow_threshold: float | None) -> None:
    """Posterior thresholds must be probabilities, the grow threshold not above the other."""
    if not 0.0 < float(threshold) <= 1.0:
        raise WordalignError(f"posterior_threshold must be in (0, 1], got {threshold}")
    if grow_threshold is not None and not 0.0 < float(grow_threshold) <= float(threshold):
        raise WordalignError(
            f"posterior_grow_threshold must be in (0, posterior_threshold], got {grow_threshold}"
        )


def needed_directions(method: str) -> tuple[bool, bool]:
    """Which of (forward, reverse) the symmetrization ``method`` reads."""
    return method != "reverse", method != "forward"


def combine_directions(
    forward: npt.NDArray[np.int32],
    reverse: npt.NDArray[np.int32],
    encoded: EncodedBitext,
    method: str,
    variant: str = "moses",
    posteriors: tuple[LinkPosteriors | None, LinkPosteriors | None] | None = None,
    threshold: float = 0.5,
    grow_threshold: float | None = None,
) -> PackedAlignments:
    """Symmetrize the two directions into one alignment per sentence.

    The heuristics of :mod:`wordalign.symmetrization` on the Viterbi arrays, or one of
    :data:`POSTERIOR_METHODS` on the posteriors, computed by numba kernels over the whole
    corpus; the result keeps the links in flat arrays. With ``posteriors``, every link carries
    a score: the mean of its posteriors in the directions the method reads (the geometric mean
    for ``posterior-geometric``).

    Args:
        forward: generators of the target tokens (source indices or -1).
        reverse: generators of the source tokens (target indices or -1).
        encoded: the bitext both arrays refer to.
        method: a heuristic of :mod:`wordalign.symmetrization`, ``"forward"`` / ``"reverse"``
            for one direction alone (the other array is then ignored), or a posterior method.
        variant: the order of visits, ``"moses"`` or ``"atools"`` (see :mod:`wordalign.symmetrization`).
        posteriors: ``(forward, reverse)`` link posteriors; needed by the posterior methods.
        threshold, grow_threshold: of the posterior methods (see :data:`POSTERIOR_METHODS`);
            ``grow_threshold=None`` does not grow.

    Raises:
        UnknownNameError: for an unknown method or variant.
    """
    from wordalign.aligners.statistical import _posterior_kernels as soft
    from wordalign.aligners.statistical import _symmetrize_kernels as kernels
    from wordalign.symmetrization import VARIANTS

    src_off, tgt_off = encoded.src.offsets, encoded.tgt.offsets
    fwd_post, rev_post = posteriors if posteriors is not None else (None, None)
    combine = soft.GEOMETRIC if method == "posterior-geometric" else soft.MEAN
    if method in POSTERIOR_METHODS:
        if fwd_post is None or rev_post is None:
            raise ValueError(f"combine_directions: {method} needs both directions' posteriors")
        check_thresholds(threshold, grow_threshold)
        src, tgt, offsets, scores = soft.posterior_symmetrize(
            src_off, tgt_off, *_arrays(fwd_post), *_arrays(rev_post), combine,
            float(threshold), float(threshold if grow_threshold is None else grow_threshold),
        )  # fmt: skip
        return PackedAlignments(src, tgt, offsets, scores)
    if method not in kernels.METHOD_CODES:
        raise UnknownNameError("symmetrization method", method, tuple(kernels.METHOD_CODES))
    if variant not in VARIANTS:
        raise UnknownNameError("symmetrization variant", variant, VARIANTS)
    if len(forward) != tgt_off[-1] or len(reverse) != src_off[-1]:
        raise ValueError("combine_directions: link arrays do not match the bitext")
    src, tgt, offsets = kernels.symmetrize_corpus(
        np.ascontiguousarray(forward, dtype=np.int32),
        np.ascontiguousarray(reverse, dtype=np.int32),
        src_off,
        tgt_off,
        kernels.METHOD_CODES[method],
        variant == "atools",
    )
    if posteriors is None:
        return PackedAlignments(src, tgt, offsets)
    use_fwd = fwd_post is not None and method != "reverse"
    use_rev = rev_post is not None and method != "forward"
    empty = LinkPosteriors.empty(0)
    scores = soft.link_scores(
        src, tgt, offsets, src_off, tgt_off, *_arrays(fwd_post or empty),
        *_arrays(rev_post or empty), use_fwd, use_rev, combine,
    )  # fmt: skip
    return PackedAlignments(src, tgt, offsets, scores)


def _arrays(
    posteriors: LinkPosteriors,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    return posteriors.offsets, posteriors.positions, posteriors.probs
