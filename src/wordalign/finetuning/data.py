"""The training data of fine-tuning: subword ids of each sentence pair and the batches built from them.

Sentences are tokenized word by word, as the aligners do (a fast tokenizer's ``word_ids``), so
that the alignments the self-training objective learns from are the ones ``wordalign align
--method awesome`` extracts. Everything here is numpy; the trainer moves batches to the device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordalign.types import SentencePair


@dataclass(frozen=True, slots=True)
class SpecialTokens:
    """The ids a model wraps a sentence in, and the ids masking needs.

    Attributes:
        prefix: Ids before the sentence (BERT: ``[CLS]``; XLM-R: ``<s>``).
        suffix: Ids after it (BERT: ``[SEP]``; XLM-R: ``</s>``).
        pad_id: Padding id.
        mask_id: The mask token's id (masked language modelling).
        unk_id: The unknown token's id (stands in for a word that yields no subword).
        vocab_size: Number of ids random replacements are drawn from.
    """

    prefix: tuple[int, ...]
    suffix: tuple[int, ...]
    pad_id: int
    mask_id: int
    unk_id: int
    vocab_size: int

    @property
    def n_special(self) -> int:
        """Special tokens around one sentence."""
        return len(self.prefix) + len(self.suffix)

    def wrap(self, ids: np.ndarray) -> np.ndarray:
        """``prefix + ids + suffix``."""
        return np.concatenate(
            [np.asarray(self.prefix, np.int64), ids, np.asarray(self.suffix, np.int64)]
        )


def special_tokens(tokenizer: Any) -> SpecialTokens:
    """The special tokens of a Hugging Face tokenizer, found by tokenizing one word.

    Raises:
        ValueError: when the tokenizer has no mask token (masked language modelling needs one).
    """
    probe = tokenizer([["a"]], is_split_into_words=True)
    ids = list(probe["input_ids"][0])
    where = [k for k, w in enumerate(probe.word_ids(0)) if w is not None]
    if tokenizer.mask_token_id is None:
        raise ValueError("the tokenizer has no mask token")
    pad = tokenizer.pad_token_id
    unk = tokenizer.unk_token_id
    pad_id = int(pad) if pad is not None else 0
    return SpecialTokens(
        prefix=tuple(int(i) for i in ids[: where[0]]),
        suffix=tuple(int(i) for i in ids[where[-1] + 1 :]),
        pad_id=pad_id,
        mask_id=int(tokenizer.mask_token_id),
        unk_id=int(unk) if unk is not None else pad_id,
        vocab_size=len(tokenizer),
    )


@dataclass(frozen=True, slots=True)
class EncodedSide:
    """One sentence as subwords, without special tokens.

    Attributes:
        ids: ``(n_subwords,)`` int64 subword ids.
        word_ids: ``(n_subwords,)`` int64 index of the word each subword belongs to.
    """

    ids: np.ndarray
    word_ids: np.ndarray

    def truncated(self, limit: int) -> EncodedSide:
        """The first ``limit`` subwords."""
        if len(self.ids) <= limit:
            return self
        return EncodedSide(self.ids[:limit], self.word_ids[:limit])


@dataclass(frozen=True, slots=True)
class EncodedPair:
    """A sentence pair as subwords; ``index`` is its position in the input."""

    src: EncodedSide
    tgt: EncodedSide
    index: int


@dataclass(frozen=True, slots=True)
class EncodedCorpus:
    """The pairs fine-tuning trains on.

    Attributes:
        pairs: Pairs with words on both sides, in input order.
        n_empty: Input pairs left out because one side has no words (nothing to align).
        n_truncated: Pairs with a side longer than the model accepts, cut to its limit.
    """

    pairs: list[EncodedPair]
    n_empty: int
    n_truncated: int


def _encode_words(tokenizer: Any, sentences: list[list[str]], unk_id: int) -> list[EncodedSide]:
    out: list[EncodedSide] = []
    for start in range(0, len(sentences), 1024):
        chunk = sentences[start : start + 1024]
        encoded = tokenizer(
            chunk,
            is_split_into_words=True,
            add_special_tokens=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        for row, words in enumerate(chunk):
            ids = np.asarray(encoded["input_ids"][row], dtype=np.int64)
            word_ids = np.asarray(encoded.word_ids(row), dtype=np.int64)
            if len(np.unique(word_ids)) < len(words):
                ids, word_ids = _fill_empty_words(ids, word_ids, len(words), unk_id)
            out.append(EncodedSide(ids, word_ids))
    return out


def _fill_empty_words(
    ids: np.ndarray, word_ids: np.ndarray, n_words: int, unk_id: int
) -> tuple[np.ndarray, np.ndarray]:
    """Give a word the tokenizer turned into nothing (a lone control character) the unknown
    token, as the encoder does, so that subword and word indices agree with the aligners."""
    present = set(word_ids.tolist())
    new_ids: list[int] = []
    new_words: list[int] = []
    k = 0
    for w in range(n_words):
        if w not in present:
            new_ids.append(unk_id)
            new_words.append(w)
            continue
        while k < len(word_ids) and word_ids[k] == w:
            new_ids.append(int(ids[k]))
            new_words.append(w)
            k += 1
    return np.asarray(new_ids, dtype=np.int64), np.asarray(new_words, dtype=np.int64)


def encode_pairs(
    tokenizer: Any, pairs: Sequence[SentencePair], max_subwords: int, specials: SpecialTokens
) -> EncodedCorpus:
    """Tokenize sentence pairs for fine-tuning.

    Pairs with an empty side are left out (the reference skips them too: there is nothing to
    align) and counted; sides longer than ``max_subwords`` are cut to it, as the reference cuts
    to its block size, and counted.

    Args:
        tokenizer: A fast Hugging Face tokenizer.
        pairs: Pre-tokenized sentence pairs.
        max_subwords: Most subwords of one side, special tokens not counted.
        specials: The tokenizer's special tokens (:func:`special_tokens`).
    """
    kept = [k for k, p in enumerate(pairs) if p.src and p.tgt]
    src = _encode_words(tokenizer, [list(pairs[k].src) for k in kept], specials.unk_id)
    tgt = _encode_words(tokenizer, [list(pairs[k].tgt) for k in kept], specials.unk_id)
    encoded: list[EncodedPair] = []
    n_truncated = 0
    for k, s, t in zip(kept, src, tgt, strict=True):
        if len(s.ids) > max_subwords or len(t.ids) > max_subwords:
            n_truncated += 1
        encoded.append(EncodedPair(s.truncated(max_subwords), t.truncated(max_subwords), k))
    return EncodedCorpus(encoded, len(pairs) - len(kept), n_truncated)


@dataclass(frozen=True, slots=True)
class SideBatch:
    """Padded sentences of one side, each wrapped in its special tokens.

    Attributes:
        input_ids: ``(batch, length)`` int64.
        attention_mask: ``(batch, length)`` bool, false on padding.
        content_mask: ``(batch, length)`` bool, true on the sentence's own subwords.
        word_ids: ``(batch, length)`` int64 word of each subword, -1 elsewhere.
    """

    input_ids: np.ndarray
    attention_mask: np.ndarray
    content_mask: np.ndarray
    word_ids: np.ndarray


def side_batch(sides: Sequence[EncodedSide], specials: SpecialTokens) -> SideBatch:
    """Wrap and pad sentences into one batch."""
    n_pre = len(specials.prefix)
    width = max(len(s.ids) for s in sides) + specials.n_special
    input_ids = np.full((len(sides), width), specials.pad_id, dtype=np.int64)
    attention = np.zeros((len(sides), width), dtype=bool)
    content = np.zeros((len(sides), width), dtype=bool)
    word_ids = np.full((len(sides), width), -1, dtype=np.int64)
    for row, side in enumerate(sides):
        wrapped = specials.wrap(side.ids)
        input_ids[row, : len(wrapped)] = wrapped
        attention[row, : len(wrapped)] = True
        content[row, n_pre : n_pre + len(side.ids)] = True
        word_ids[row, n_pre : n_pre + len(side.ids)] = side.word_ids
    return SideBatch(input_ids, attention, content, word_ids)


@dataclass(frozen=True, slots=True)
class JointBatch:
    """Two sentences per row, each wrapped in its special tokens, then padded (TLM and PSI input).

    Attributes:
        input_ids: ``(batch, length)`` int64.
        attention_mask: ``(batch, length)`` bool, false on padding.
        first_mask: ``(batch, length)`` bool, true on the first sentence's subwords.
        second_mask: ``(batch, length)`` bool, true on the second sentence's subwords.
    """

    input_ids: np.ndarray
    attention_mask: np.ndarray
    first_mask: np.ndarray
    second_mask: np.ndarray


def joint_batch(
    rows: Sequence[tuple[EncodedSide, EncodedSide]], specials: SpecialTokens, half_limit: int
) -> JointBatch:
    """Concatenate ``[prefix first suffix][prefix second suffix]`` per row (Dou & Neubig 2021,
    §2.2 TLM, after Conneau & Lample 2019); each sentence is cut to ``half_limit`` subwords so
    that the pair fits the model, as the reference cuts each to half its block size."""
    n_pre, n_special = len(specials.prefix), specials.n_special
    cut = [(a.truncated(half_limit), b.truncated(half_limit)) for a, b in rows]
    width = max(len(a.ids) + len(b.ids) for a, b in cut) + 2 * n_special
    input_ids = np.full((len(rows), width), specials.pad_id, dtype=np.int64)
    attention = np.zeros((len(rows), width), dtype=bool)
    first = np.zeros((len(rows), width), dtype=bool)
    second = np.zeros((len(rows), width), dtype=bool)
    for row, (a, b) in enumerate(cut):
        joined = np.concatenate([specials.wrap(a.ids), specials.wrap(b.ids)])
        input_ids[row, : len(joined)] = joined
        attention[row, : len(joined)] = True
        first[row, n_pre : n_pre + len(a.ids)] = True
        start = len(a.ids) + n_special + n_pre
        second[row, start : start + len(b.ids)] = True
    return JointBatch(input_ids, attention, first, second)


def epoch_order(n_pairs: int, seed: int, epoch: int) -> np.ndarray:
    """The order pairs are visited in during ``epoch``: a permutation fixed by seed and epoch,
    so that a resumed run visits the same batches as an uninterrupted one."""
    order: np.ndarray = np.random.default_rng([seed, epoch]).permutation(n_pairs)
    return order


def batch_indices(n_pairs: int, batch_size: int, seed: int, batch_no: int) -> np.ndarray:
    """Indices of the pairs in global batch ``batch_no`` (batches continue across epochs; the
    last batch of an epoch may be smaller)."""
    per_epoch = -(-n_pairs // batch_size)
    epoch, k = divmod(batch_no, per_epoch)
    order = epoch_order(n_pairs, seed, epoch)
    return order[k * batch_size : (k + 1) * batch_size]
