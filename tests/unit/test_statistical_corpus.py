"""Tests of the integer encoding used by the statistical aligners."""

from __future__ import annotations

import numpy as np

from wordalign.aligners.statistical.corpus import Vocabulary, encode_bitext, encode_side
from wordalign.types import SentencePair


def test_statistical_corpus_encode_side_builds_ragged_arrays() -> None:
    vocab = Vocabulary()
    ragged = encode_side([("a", "b"), (), ("b", "c", "a")], vocab)
    assert ragged.ids.dtype == np.int32 and ragged.offsets.dtype == np.int64
    assert ragged.ids.tolist() == [0, 1, 1, 2, 0]
    assert ragged.offsets.tolist() == [0, 2, 2, 5]
    assert ragged.lengths().tolist() == [2, 0, 3]
    assert ragged.sentence(2).tolist() == [1, 2, 0]
    assert vocab.words == ["a", "b", "c"]


def test_statistical_corpus_subset_keeps_requested_order() -> None:
    ragged = encode_side([("a",), ("b", "c"), ()], Vocabulary())
    sub = ragged.subset([2, 1])
    assert len(sub) == 2
    assert sub.sentence(0).tolist() == [] and sub.sentence(1).tolist() == [1, 2]


def test_statistical_corpus_encode_bitext_reuses_vocabularies_without_growing() -> None:
    train = encode_bitext([SentencePair(("Das", "Haus"), ("la", "chasa"))], lowercase=True)
    new = encode_bitext(
        [SentencePair(("das", "Auto"), ("la", "auto"))],
        train.src_vocab,
        train.tgt_vocab,
        grow=False,
        lowercase=True,
    )
    assert new.src.ids.tolist() == [0, -1]
    assert new.tgt.ids.tolist() == [0, -1]
    assert len(train.src_vocab) == 2
    assert new.reversed().src is new.tgt


def test_statistical_corpus_empty_bitext() -> None:
    encoded = encode_bitext([])
    assert len(encoded) == 0
    assert encoded.src.ids.shape == (0,)
