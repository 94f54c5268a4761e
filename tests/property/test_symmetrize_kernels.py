"""The numba corpus symmetrization (used by the statistical aligners) against the set version."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.aligners.statistical.corpus import EncodedBitext, Ragged, Vocabulary
from wordalign.aligners.statistical.directional import combine_directions
from wordalign.errors import UnknownNameError
from wordalign.symmetrization import METHODS, VARIANTS, symmetrize
from wordalign.types import Alignment, PackedAlignments


@st.composite
def directional_corpus(draw: st.DrawFn) -> tuple[list[int], list[int], list[int], list[int]]:
    """Sentence lengths and one Viterbi array per direction (-1 = NULL), as the models emit."""
    n = draw(st.integers(1, 6))
    src_len = [draw(st.integers(0, 7)) for _ in range(n)]
    tgt_len = [draw(st.integers(0, 7)) for _ in range(n)]
    forward: list[int] = []
    reverse: list[int] = []
    for ns, nt in zip(src_len, tgt_len, strict=True):
        forward += [draw(st.integers(-1, ns - 1)) if ns else -1 for _ in range(nt)]
        reverse += [draw(st.integers(-1, nt - 1)) if nt else -1 for _ in range(ns)]
    return src_len, tgt_len, forward, reverse


def _encoded(src_len: list[int], tgt_len: list[int]) -> EncodedBitext:
    def ragged(lengths: list[int]) -> Ragged:
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return Ragged(np.zeros(int(offsets[-1]), dtype=np.int32), offsets)

    return EncodedBitext(ragged(src_len), ragged(tgt_len), Vocabulary(), Vocabulary())


def _directional(
    src_len: list[int], tgt_len: list[int], forward: list[int], reverse: list[int]
) -> tuple[list[Alignment], list[Alignment]]:
    fwd, rev = [], []
    t = s = 0
    for ns, nt in zip(src_len, tgt_len, strict=True):
        fwd.append(Alignment((forward[t + j], j) for j in range(nt) if forward[t + j] >= 0))
        rev.append(Alignment((i, reverse[s + i]) for i in range(ns) if reverse[s + i] >= 0))
        t += nt
        s += ns
    return fwd, rev


@settings(max_examples=300, deadline=None)
@given(directional_corpus(), st.sampled_from(METHODS), st.sampled_from(VARIANTS))
def test_kernel_equals_the_set_version(
    corpus: tuple[list[int], list[int], list[int], list[int]], method: str, variant: str
) -> None:
    src_len, tgt_len, forward, reverse = corpus
    packed = combine_directions(
        np.array(forward, dtype=np.int32),
        np.array(reverse, dtype=np.int32),
        _encoded(src_len, tgt_len),
        method,
        variant,
    )
    fwd, rev = _directional(*corpus)
    expected = [symmetrize(f, r, method, variant) for f, r in zip(fwd, rev, strict=True)]
    assert list(packed) == expected
    assert list(packed.pharaoh_lines()) == [a.to_pharaoh() for a in expected]


@settings(max_examples=50, deadline=None)
@given(directional_corpus())
def test_single_directions_are_the_viterbi_links(
    corpus: tuple[list[int], list[int], list[int], list[int]],
) -> None:
    src_len, tgt_len, forward, reverse = corpus
    fwd, rev = _directional(*corpus)
    encoded = _encoded(src_len, tgt_len)
    args = (np.array(forward, dtype=np.int32), np.array(reverse, dtype=np.int32), encoded)
    assert combine_directions(*args, "forward") == fwd
    assert combine_directions(*args, "reverse") == rev


def test_hand_checked_grow_diag_final_and() -> None:
    # Forward (each target word's source): 0<-0, 1<-2, 2<-NULL; reverse (each source word's
    # target): 0->0, 1->1, 2->2. The intersection {0-0} grows diagonally to 1-1 (source 1 free),
    # then, visiting 1-1 in the same pass, to 2-1 (source 2 free) and 2-2 (target 2 free).
    encoded = _encoded([3], [3])
    forward = np.array([0, 2, -1], dtype=np.int32)
    reverse = np.array([0, 1, 2], dtype=np.int32)
    args = (forward, reverse, encoded)
    assert list(combine_directions(*args, "grow-diag-final-and").pharaoh_lines()) == [
        "0-0 1-1 2-1 2-2"
    ]
    assert list(combine_directions(*args, "intersection").pharaoh_lines()) == ["0-0"]
    assert list(combine_directions(*args, "union").pharaoh_lines()) == ["0-0 1-1 2-1 2-2"]
    assert list(combine_directions(*args, "grow").pharaoh_lines()) == ["0-0"]


def test_unknown_method_is_a_user_error() -> None:
    encoded = _encoded([1], [1])
    one = np.zeros(1, dtype=np.int32)
    with pytest.raises(UnknownNameError):
        combine_directions(one, one, encoded, "grow-diag-final-or")


def test_packed_alignments_behave_as_a_sequence() -> None:
    packed = PackedAlignments(
        np.array([0, 1, 2], dtype=np.int32),
        np.array([0, 2, 1], dtype=np.int32),
        np.array([0, 2, 2, 3], dtype=np.int64),
    )
    assert len(packed) == 3
    assert packed[0] == Alignment([(0, 0), (1, 2)])
    assert packed[-1] == Alignment([(2, 1)])
    assert packed[1:] == [Alignment(), Alignment([(2, 1)])]
    assert packed == [Alignment([(0, 0), (1, 2)]), Alignment(), Alignment([(2, 1)])]
    assert packed != [Alignment()]
    with pytest.raises(IndexError):
        packed[3]
    with pytest.raises(ValueError):
        PackedAlignments(np.zeros(2), np.zeros(1), np.array([0, 2]))


def test_pharaoh_lines_format_large_indices_too() -> None:
    packed = PackedAlignments(
        np.array([0, 127, 128, 3], dtype=np.int32),
        np.array([200, 5, 1, 4], dtype=np.int32),
        np.array([0, 3, 3, 4], dtype=np.int64),
    )
    assert list(packed.pharaoh_lines()) == ["0-200 127-5 128-1", "", "3-4"]
    assert list(packed.pharaoh_lines()) == [a.to_pharaoh() for a in packed]
