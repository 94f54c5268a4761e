"""Core data types: sentence pairs and word alignments.

Conventions used everywhere in wordalign:

* ``src``/``tgt`` name the two sides (never ``e``/``f`` or ``trg``);
* a link is ``(i, j)``: 0-based source token ``i`` aligned to 0-based target token ``j``;
* an alignment has Sure links ``S`` and Possible links ``P`` with ``S ⊆ P`` (Och & Ney 2003).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias, overload

import numpy as np
import numpy.typing as npt

Link: TypeAlias = tuple[int, int]
"""A link ``(i, j)`` between source token ``i`` and target token ``j``, both 0-based."""


@dataclass(frozen=True, slots=True)
class SentencePair:
    """A pair of pre-tokenized sentences.

    Example:
        >>> pair = SentencePair.from_strings("das Haus", "la chasa")
        >>> pair.src, len(pair.tgt)
        (('das', 'Haus'), 2)
    """

    src: tuple[str, ...]
    tgt: tuple[str, ...]

    @classmethod
    def from_strings(cls, src: str, tgt: str) -> SentencePair:
        """Build a pair from two whitespace-tokenized strings."""
        return cls(tuple(src.split()), tuple(tgt.split()))

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        # Lets callers write ``src, tgt = pair``.
        yield self.src
        yield self.tgt


Bitext: TypeAlias = Iterable[SentencePair]
"""A sequence (or stream) of sentence pairs."""


def _as_links(links: Iterable[Link]) -> frozenset[Link]:
    out = frozenset((int(i), int(j)) for i, j in links)
    for i, j in out:
        if i < 0 or j < 0:
            raise ValueError(f"negative index in link {i}-{j}")
    return out


@dataclass(frozen=True, slots=True, init=False)
class Alignment:
    """An immutable word alignment of one sentence pair.

    ``sure`` holds the Sure links and ``possible`` every link, Sure included (S ⊆ P, as in
    Och & Ney 2003); links given only as ``sure`` are added to ``possible`` by the constructor.
    ``scores`` optionally maps links to a probability or similarity; it does not take part in
    equality.

    Example:
        >>> a = Alignment([(0, 0), (1, 2)], possible=[(1, 1)])
        >>> a.to_pharaoh()
        '0-0 1p1 1-2'
        >>> a.inverted().to_pharaoh()
        '0-0 1p1 2-1'
    """

    sure: frozenset[Link]
    possible: frozenset[Link]
    scores: Mapping[Link, float] | None = field(default=None, compare=False, hash=False)

    def __init__(
        self,
        sure: Iterable[Link] = (),
        possible: Iterable[Link] = (),
        scores: Mapping[Link, float] | None = None,
    ) -> None:
        s = _as_links(sure)
        object.__setattr__(self, "sure", s)
        object.__setattr__(self, "possible", s | _as_links(possible))
        object.__setattr__(self, "scores", dict(scores) if scores is not None else None)

    @classmethod
    def _trusted(
        cls,
        sure: frozenset[Link],
        possible: frozenset[Link] | None = None,
        scores: dict[Link, float] | None = None,
    ) -> Alignment:
        """Package-internal fast constructor for links that come from wordalign's own code.

        ``__init__`` converts and checks every link, which costs more than symmetrizing or
        decoding on a corpus of 100k pairs. Callers guarantee non-negative ``int`` pairs and
        ``possible ⊇ sure``.
        """
        alignment = object.__new__(cls)
        object.__setattr__(alignment, "sure", sure)
        object.__setattr__(alignment, "possible", sure if possible is None else possible)
        object.__setattr__(alignment, "scores", scores)
        return alignment

    @property
    def links(self) -> frozenset[Link]:
        """Every link, Sure and Possible."""
        return self.possible

    @property
    def possible_only(self) -> frozenset[Link]:
        """Links that are Possible but not Sure."""
        return self.possible - self.sure

    def __len__(self) -> int:
        return len(self.possible)

    def __iter__(self) -> Iterator[Link]:
        return iter(sorted(self.possible))

    def __contains__(self, link: object) -> bool:
        return link in self.possible

    def inverted(self) -> Alignment:
        """The same alignment seen from the target side: every ``(i, j)`` becomes ``(j, i)``."""
        scores = None if self.scores is None else {(j, i): p for (i, j), p in self.scores.items()}
        return Alignment(
            ((j, i) for i, j in self.sure),
            ((j, i) for i, j in self.possible),
            scores,
        )

    def max_src(self) -> int:
        """Largest source index used, or -1 when there are no links."""
        return max((i for i, _ in self.possible), default=-1)

    def max_tgt(self) -> int:
        """Largest target index used, or -1 when there are no links."""
        return max((j for _, j in self.possible), default=-1)

    def to_pharaoh(self, possible_sep: str = "p") -> str:
        """Pharaoh text: Sure links as ``i-j``, Possible-only links as ``i{possible_sep}j``.

        Links are sorted by source then target index.
        """
        from wordalign.io.pharaoh import format_pharaoh

        return format_pharaoh(self, possible_sep)

    @classmethod
    def from_pharaoh(cls, line: str) -> Alignment:
        """Parse one Pharaoh line (``i-j`` Sure, ``i?j`` or ``ipj`` Possible).

        Raises:
            ValueError: for a malformed link; readers in :mod:`wordalign.io` add file and line.
        """
        from wordalign.io.pharaoh import parse_pharaoh_links

        sure, possible, scores = parse_pharaoh_links(line)
        return cls(sure, possible, scores or None)


class PackedAlignments(Sequence[Alignment]):
    """Sure-only alignments of many sentence pairs in flat arrays, one per pair on demand.

    What the statistical aligners return for a corpus: 100k :class:`Alignment` objects cost a
    frozenset each (about 1 KB for 20 links), several times the arrays. Indexing builds the
    :class:`Alignment` of one pair; iteration builds them one at a time; :meth:`pharaoh_lines`
    formats straight from the arrays. It compares equal to any sequence of the same alignments.

    Args:
        src, tgt: source and target index of every link, sentence after sentence, each
            sentence's links sorted by source then target index.
        offsets: ``len(pairs) + 1`` boundaries: sentence ``s`` owns links
            ``offsets[s]:offsets[s + 1]``.
        scores: optionally a score of every link (a link posterior), parallel to ``src``.

    Example:
        >>> import numpy as np
        >>> packed = PackedAlignments(np.array([0, 1]), np.array([0, 2]), np.array([0, 2, 2]))
        >>> [a.to_pharaoh() for a in packed]
        ['0-0 1-2', '']
    """

    __slots__ = ("_offsets", "_scores", "_src", "_tgt")

    def __init__(
        self,
        src: npt.NDArray[np.integer],
        tgt: npt.NDArray[np.integer],
        offsets: npt.NDArray[np.integer],
        scores: npt.NDArray[np.floating] | None = None,
    ) -> None:
        if len(src) != len(tgt) or len(offsets) == 0 or int(offsets[-1]) != len(src):
            raise ValueError("PackedAlignments: src, tgt and offsets do not fit together")
        if scores is not None and len(scores) != len(src):
            raise ValueError("PackedAlignments: scores and links do not fit together")
        self._src = src
        self._tgt = tgt
        self._offsets = offsets
        self._scores = scores

    @property
    def has_scores(self) -> bool:
        """Whether every link carries a score."""
        return self._scores is not None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> Alignment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Alignment]: ...

    def __getitem__(self, index: int | slice) -> Alignment | list[Alignment]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        n = len(self)
        k = index + n if index < 0 else index
        if not 0 <= k < n:
            raise IndexError(f"alignment index {index} out of range for {n} pairs")
        lo, hi = int(self._offsets[k]), int(self._offsets[k + 1])
        links = list(zip(self._src[lo:hi].tolist(), self._tgt[lo:hi].tolist(), strict=True))
        scores = None
        if self._scores is not None:
            scores = dict(zip(links, self._scores[lo:hi].tolist(), strict=True))
        return Alignment._trusted(frozenset(links), scores=scores)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __repr__(self) -> str:
        return f"PackedAlignments({len(self)} pairs, {len(self._src)} links)"

    def pharaoh_lines(self, with_scores: bool = False) -> Iterator[str]:
        """One Pharaoh line per pair (``i-j`` sorted), without building the alignments;
        ``with_scores`` writes ``i-j-score`` where the links have scores."""
        offsets = self._offsets.tolist()
        # Links between the first 128 words of each side (nearly all) are looked up as
        # ready-made strings: formatting 2 million links one by one would cost a second.
        width = 128
        ready = [f"{i}-{j}" for i in range(width) for j in range(width)]
        for lo in range(0, len(offsets) - 1, 4096):
            hi = min(lo + 4096, len(offsets) - 1)
            base = offsets[lo]
            src = self._src[base : offsets[hi]]
            tgt = self._tgt[base : offsets[hi]]
            small = (src < width) & (tgt < width)
            codes = np.where(small, src.astype(np.int64) * width + tgt, -1).tolist()
            src_list, tgt_list = src.tolist(), tgt.tolist()
            texts = [
                ready[c] if c >= 0 else f"{i}-{j}"
                for c, i, j in zip(codes, src_list, tgt_list, strict=True)
            ]
            if with_scores and self._scores is not None:
                scores = self._scores[base : offsets[hi]].tolist()
                texts = [f"{t}-{p:.4g}" for t, p in zip(texts, scores, strict=True)]
            for k in range(lo, hi):
                yield " ".join(texts[offsets[k] - base : offsets[k + 1] - base])
