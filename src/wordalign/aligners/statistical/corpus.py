"""Integer encoding of a bitext for the numba kernels: vocabularies and ragged arrays.

A side of a bitext becomes a :class:`Ragged` array, one flat ``int32`` array of token ids plus
``int64`` offsets (sentence ``k`` is ``ids[offsets[k]:offsets[k + 1]]``), as eflomal's index files
and spaCy's ``AlignmentArray`` store them. Kernels take these arrays and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wordalign.errors import WordalignError
from wordalign.types import SentencePair

IntArray = npt.NDArray[np.int32]
OffsetArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ragged:
    """Sentences of token ids: ``ids[offsets[k]:offsets[k+1]]`` is sentence ``k``."""

    ids: IntArray
    offsets: OffsetArray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> npt.NDArray[np.int64]:
        """Number of tokens of every sentence."""
        return np.diff(self.offsets)

    def sentence(self, k: int) -> IntArray:
        """Token ids of sentence ``k``."""
        return self.ids[self.offsets[k] : self.offsets[k + 1]]

    def subset(self, indices: Sequence[int] | npt.NDArray[np.integer]) -> Ragged:
        """The sentences at ``indices``, in that order."""
        idx = np.asarray(indices, dtype=np.int64)
        lengths = self.lengths()[idx]
        offsets = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        ids = np.empty(offsets[-1], dtype=np.int32)
        for out_k, k in enumerate(idx):
            ids[offsets[out_k] : offsets[out_k + 1]] = self.sentence(int(k))
        return Ragged(ids, offsets)


class _Ids(dict[str, int]):
    """Word -> id, where a word looked up for the first time gets the next id: lookups of known
    words stay in C (``map(ids.__getitem__, words)``), only new words reach Python."""

    def __missing__(self, word: str) -> int:
        self[word] = new = len(self)
        return new


class Vocabulary:
    """A mapping from word types to consecutive ids, in order of first appearance.

    Example:
        >>> v = Vocabulary()
        >>> v.encode(["a", "b", "a"], grow=True).tolist()
        [0, 1, 0]
        >>> v.encode(["c"], grow=False).tolist()  # unknown without growing
        [-1]
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        # A word's id is its rank of insertion into the dict, so the dict alone, in its insertion
        # order, is the list of words: ``words`` is rebuilt from it only when asked for.
        self._ids = _Ids()
        self._words: list[str] = []
        self.add_all(words)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, word: object) -> bool:
        return word in self._ids

    @property
    def words(self) -> list[str]:
        """The words, in id order."""
        if len(self._words) != len(self._ids):
            self._words = list(self._ids)
        return self._words

    def add(self, word: str) -> int:
        """The id of ``word``, adding it when new."""
        return self._ids[word]

    def add_all(self, words: Iterable[str]) -> list[int]:
        """The ids of ``words``, adding the new ones (the corpus-sized loop of encoding, without
        a Python call per known token)."""
        return list(map(self._ids.__getitem__, words))

    def get(self, word: str, default: int = -1) -> int:
        """The id of ``word``, or ``default`` when it is unknown."""
        return self._ids.get(word, default)

    def to_state(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The words as UTF-8 bytes plus offsets (``PREFIX_bytes``, ``PREFIX_offsets``), so that
        a model's npz stores them without pickling."""
        encoded = [w.encode("utf-8") for w in self.words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(
            np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:]
        )
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        return {f"{prefix}_bytes": data, f"{prefix}_offsets": offsets}

    @classmethod
    def from_state(cls, state: Mapping[str, Any], prefix: str) -> Vocabulary:
        """The vocabulary :meth:`to_state` stored under ``prefix`` (``KeyError`` when absent).

        Raises:
            WordalignError: when the offsets do not cut the bytes into distinct UTF-8 words
                (offsets from 0, never decreasing, ending at the number of bytes).
        """
        from wordalign.aligners.base import check_offsets

        data = bytes(np.asarray(state[f"{prefix}_bytes"], dtype=np.uint8))
        offsets_array = np.asarray(state[f"{prefix}_offsets"], dtype=np.int64)
        check_offsets(f"{prefix}_offsets", offsets_array, len(data))
        offsets = offsets_array.tolist()
        try:
            words = [
                data[offsets[k] : offsets[k + 1]].decode("utf-8") for k in range(len(offsets) - 1)
            ]
        except UnicodeDecodeError as exc:
            raise WordalignError(f"array '{prefix}_bytes' is not valid UTF-8 ({exc})") from None
        vocab = cls(words)
        if len(vocab) != len(words):
            raise WordalignError(f"arrays '{prefix}_*' hold a word twice")
        return vocab

    def encode(self, tokens: Sequence[str], grow: bool) -> IntArray:
        """Ids of ``tokens``: new words are added when ``grow``, else encoded as -1."""
        if grow:
            return np.array(self.add_all(tokens), dtype=np.int32)
        return np.fromiter((self.get(t) for t in tokens), dtype=np.int32, count=len(tokens))


def encode_side(sentences: Iterable[Sequence[str]], vocab: Vocabulary, grow: bool = True) -> Ragged:
    """Encode tokenized sentences with ``vocab`` into a :class:`Ragged` array."""
    chunks: list[IntArray] = []
    lengths: list[int] = []
    for tokens in sentences:
        chunks.append(vocab.encode(tokens, grow))
        lengths.append(len(tokens))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=offsets[1:])
    ids = np.concatenate(chunks).astype(np.int32) if chunks else np.zeros(0, dtype=np.int32)
    return Ragged(ids, offsets)


@dataclass(frozen=True)
class EncodedBitext:
    """Both sides of a bitext as ragged id arrays, with their vocabularies."""

    src: Ragged
    tgt: Ragged
    src_vocab: Vocabulary
    tgt_vocab: Vocabulary

    def __len__(self) -> int:
        return len(self.src)

    def reversed(self) -> EncodedBitext:
        """The same bitext with the two sides swapped (for the tgt→src direction)."""
        return EncodedBitext(self.tgt, self.src, self.tgt_vocab, self.src_vocab)


def encode_bitext(
    pairs: Sequence[SentencePair],
    src_vocab: Vocabulary | None = None,
    tgt_vocab: Vocabulary | None = None,
    grow: bool = True,
    lowercase: bool = False,
) -> EncodedBitext:
    """Encode sentence pairs; pass the vocabularies of a trained model to reuse its ids."""
    src_vocab = Vocabulary() if src_vocab is None else src_vocab
    tgt_vocab = Vocabulary() if tgt_vocab is None else tgt_vocab

    def prep(tokens: tuple[str, ...]) -> Sequence[str]:
        return [t.lower() for t in tokens] if lowercase else tokens

    src = encode_side((prep(p.src) for p in pairs), src_vocab, grow)
    tgt = encode_side((prep(p.tgt) for p in pairs), tgt_vocab, grow)
    return EncodedBitext(src, tgt, src_vocab, tgt_vocab)
