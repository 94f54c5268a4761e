"""Filters for sentence pairs extracted from a document-aligned corpus, each one counted.

The filters remove what a sentence aligner cannot tell from a translation but a word aligner
should not train on: empty and non-text segments (a lone ``–`` or ``1.``), untranslated copies
(the same text on both sides, e.g. a German quotation left in a Romansh release), pairs whose
lengths are too different to be translations, over-long segments (tables or lists run together),
and exact duplicates (recurring titles and formulas; Dolev 2023, sec. 3.2, counts unique pairs).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

#: Filter reasons, in the order they are checked (a pair is counted under the first that applies).
REASONS = ("empty", "non_text", "untranslated", "too_long", "length_ratio", "duplicate")


@dataclass(frozen=True, slots=True)
class FilterParams:
    """Thresholds of the filters.

    Attributes:
        max_tokens: a side with more tokens than this is over-long.
        max_length_ratio: the longer side may have at most this many times the characters of the
            shorter one, after adding ``length_smoothing`` characters to both (so that very short
            segments such as ``Ja.`` / ``Gea.`` are not judged by their ratio alone).
        length_smoothing: characters added to both lengths before the ratio is taken.
        deduplicate: whether to drop exact duplicate pairs (the first occurrence is kept).
    """

    max_tokens: int = 150
    max_length_ratio: float = 2.5
    length_smoothing: int = 10
    deduplicate: bool = True


@dataclass(slots=True)
class FilterReport:
    """How many pairs each filter removed, and how many were kept.

    Attributes:
        seen: pairs given to the filters.
        kept: pairs that passed them all.
        empty, non_text, untranslated, too_long, length_ratio, duplicate: pairs removed by each
            filter (a pair counts under the first filter that removes it).
    """

    seen: int = 0
    kept: int = 0
    empty: int = 0
    non_text: int = 0
    untranslated: int = 0
    too_long: int = 0
    length_ratio: int = 0
    duplicate: int = 0

    @property
    def removed(self) -> int:
        """Pairs removed by any filter."""
        return self.seen - self.kept

    def to_dict(self) -> dict[str, int]:
        """All counts by name (``seen``, ``kept``, then the filters in checking order)."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}

    def __add__(self, other: FilterReport) -> FilterReport:
        return FilterReport(**{k: v + other.to_dict()[k] for k, v in self.to_dict().items()})

    def format(self) -> str:
        """One line, e.g. ``kept 95 of 100 (empty 1, duplicate 4)``."""
        parts = [f"{name} {getattr(self, name)}" for name in REASONS if getattr(self, name)]
        detail = f" ({', '.join(parts)})" if parts else ""
        return f"kept {self.kept} of {self.seen}{detail}"


def _has_letter(tokens: Sequence[str]) -> bool:
    return any(ch.isalpha() for token in tokens for ch in token)


def comparable_text(tokens: Sequence[str]) -> str:
    """The text of a side for the untranslated-copy test: NFC, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFC", "".join(tokens)).casefold().split())


@dataclass
class PairFilter:
    """Applies the filters to a stream of pairs and counts what each removes.

    Duplicates are remembered across calls, so one filter object is meant for one output file.

    Example:
        >>> f = PairFilter()
        >>> f.reason(["Ja", "."], ["Gea", "."]), f.reason(["Ja", "."], ["Gea", "."])
        (None, 'duplicate')
        >>> f.report.format()
        'kept 1 of 2 (duplicate 1)'
    """

    params: FilterParams = field(default_factory=FilterParams)
    report: FilterReport = field(default_factory=FilterReport)
    _seen_pairs: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def reason(self, src: Sequence[str], tgt: Sequence[str]) -> str | None:
        """The name of the filter that removes this pair of token lists, or ``None`` to keep it.

        The result is counted in :attr:`report`.
        """
        why = self._check(src, tgt)
        self.report.seen += 1
        if why is None:
            self.report.kept += 1
        else:
            setattr(self.report, why, getattr(self.report, why) + 1)
        return why

    def keep(self, src: Sequence[str], tgt: Sequence[str]) -> bool:
        """Whether the pair passes every filter (counted, as :meth:`reason`)."""
        return self.reason(src, tgt) is None

    def _check(self, src: Sequence[str], tgt: Sequence[str]) -> str | None:
        params = self.params
        if not src or not tgt:
            return "empty"
        if not _has_letter(src) or not _has_letter(tgt):
            return "non_text"
        src_text, tgt_text = comparable_text(src), comparable_text(tgt)
        if src_text == tgt_text:
            return "untranslated"
        if len(src) > params.max_tokens or len(tgt) > params.max_tokens:
            return "too_long"
        short, long_ = sorted((len(src_text), len(tgt_text)))
        if (long_ + params.length_smoothing) > params.max_length_ratio * (
            short + params.length_smoothing
        ):
            return "length_ratio"
        if params.deduplicate:
            # Exact duplicates of the tokenized pair, as written to the output.
            key = (" ".join(src), " ".join(tgt))
            if key in self._seen_pairs:
                return "duplicate"
            self._seen_pairs.add(key)
        return None


def filter_pairs(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    params: FilterParams | None = None,
) -> tuple[list[int], FilterReport]:
    """Filter tokenized pairs; returns the positions of the kept pairs and the report.

    Example:
        >>> kept, report = filter_pairs([(["a", "b"], ["c"]), ([], ["d"]), (["x"], ["X"])])
        >>> kept, report.to_dict()["empty"], report.to_dict()["untranslated"]
        ([0], 1, 1)
    """
    pair_filter = PairFilter(params or FilterParams())
    kept = [pos for pos, (src, tgt) in enumerate(pairs) if pair_filter.keep(src, tgt)]
    return kept, pair_filter.report
