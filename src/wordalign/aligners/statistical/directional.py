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
from wordalign.errors import UnknownNameError
from wordalign.types import PackedAlignments

NULL = -1

ONE_DIRECTION = ("forward", "reverse")
"""Names that keep one direction's links alone instead of symmetrizing."""


def check_symmetrize(method: str) -> None:
    """Raise :class:`UnknownNameError` unless ``method`` is a heuristic or a single direction."""
    from wordalign.symmetrize import METHODS

    if method not in (*METHODS, *ONE_DIRECTION):
        raise UnknownNameError("symmetrization method", method, (*METHODS, *ONE_DIRECTION))


def needed_directions(method: str) -> tuple[bool, bool]:
    """Which of (forward, reverse) the symmetrization ``method`` reads."""
    return method != "reverse", method != "forward"


def combine_directions(
    forward: npt.NDArray[np.int32],
    reverse: npt.NDArray[np.int32],
    encoded: EncodedBitext,
    method: str,
    variant: str = "moses",
) -> PackedAlignments:
    """Symmetrize the Viterbi arrays of both directions into one alignment per sentence.

    The heuristics of :mod:`wordalign.symmetrize`, computed by a numba kernel over the whole
    corpus (:mod:`._symmetrize_kernels`); the result keeps the links in flat arrays.

    Args:
        forward: generators of the target tokens (source indices or -1).
        reverse: generators of the source tokens (target indices or -1).
        encoded: the bitext both arrays refer to.
        method: a heuristic of :mod:`wordalign.symmetrize`, or ``"forward"`` / ``"reverse"``
            for one direction alone (the other array is then ignored).
        variant: the order of visits, ``"moses"`` or ``"atools"`` (see :mod:`wordalign.symmetrize`).

    Raises:
        UnknownNameError: for an unknown method or variant.
    """
    from wordalign.aligners.statistical import _symmetrize_kernels as kernels
    from wordalign.symmetrize import VARIANTS

    if method not in kernels.METHOD_CODES:
        raise UnknownNameError("symmetrization method", method, tuple(kernels.METHOD_CODES))
    if variant not in VARIANTS:
        raise UnknownNameError("symmetrization variant", variant, VARIANTS)
    src_off, tgt_off = encoded.src.offsets, encoded.tgt.offsets
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
    return PackedAlignments(src, tgt, offsets)
