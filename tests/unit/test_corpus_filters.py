"""Filters of sentence pairs and their counts."""

from __future__ import annotations

import pytest

from wordalign.corpus.filters import (
    REASONS,
    FilterParams,
    FilterReport,
    PairFilter,
    comparable_text,
    filter_pairs,
)

CASES = [
    # (source tokens, target tokens, reason or None)
    ([], ["Bun", "di", "."], "empty"),
    (["Guten", "Tag", "."], [], "empty"),
    (["–"], ["–"], "non_text"),
    (["1", "."], ["Il", "chantun", "."], "non_text"),
    (["Engiadina", "Bassa"], ["Engiadina", "Bassa"], "untranslated"),
    (["Die", "Regierung", "."], ["die", "regierung", "."], "untranslated"),
    (["Cussegl", "grond"], ["Cussegl", " grond"], "untranslated"),
    (["Ja", "."], ["Gea", "."], None),
    (
        ["Ja", "."],
        ["Il", "chantun", "ha", "decidì", "da", "far", "ina", "lavur", "."],
        "length_ratio",
    ),
    (
        ["Ein", "Satz", "über", "den", "Kanton", "."],
        ["Ina", "frasa", "davart", "il", "chantun", "."],
        None,
    ),
]


@pytest.mark.parametrize(("src", "tgt", "reason"), CASES)
def test_corpus_filters_reason(src: list[str], tgt: list[str], reason: str | None) -> None:
    pair_filter = PairFilter()
    assert pair_filter.reason(src, tgt) == reason
    counts = pair_filter.report.to_dict()
    assert counts["seen"] == 1
    assert counts["kept"] == (reason is None)
    for name in REASONS:
        assert counts[name] == (name == reason)


def test_corpus_filters_too_long() -> None:
    long_src = ["wort"] * 151
    long_tgt = ["pled"] * 160
    pair_filter = PairFilter(FilterParams(max_tokens=150))
    assert pair_filter.reason(long_src, long_tgt) == "too_long"
    assert pair_filter.reason(long_src[:150], long_tgt[:150]) is None


def test_corpus_filters_length_ratio_threshold() -> None:
    # 10 + 10 smoothing = 20 characters against 40 + 10 = 50: ratio 2.5, still kept at 2.5.
    params = FilterParams(max_length_ratio=2.5, length_smoothing=10)
    assert PairFilter(params).reason(["a" * 10], ["b" * 40]) is None
    assert PairFilter(params).reason(["a" * 10], ["b" * 41]) == "length_ratio"


def test_corpus_filters_duplicates_keep_first() -> None:
    pairs = [
        (["Guten", "Tag", "."], ["Bun", "di", "."]),
        (["Guten", "Tag", "."], ["Bun", "di", "!"]),
        (["Guten", "Tag", "."], ["Bun", "di", "."]),
        (["Guten", "Tag", "."], ["Bun", "di", "."]),
    ]
    kept, report = filter_pairs(pairs)
    assert kept == [0, 1]
    assert report.to_dict() == {
        "seen": 4,
        "kept": 2,
        "empty": 0,
        "non_text": 0,
        "untranslated": 0,
        "too_long": 0,
        "length_ratio": 0,
        "duplicate": 2,
    }
    kept, _ = filter_pairs(pairs, FilterParams(deduplicate=False))
    assert kept == [0, 1, 2, 3]


def test_corpus_filters_report_sum_and_format() -> None:
    a = FilterReport(seen=3, kept=2, empty=1)
    b = FilterReport(seen=2, kept=1, duplicate=1)
    total = a + b
    assert total.to_dict()["seen"] == 5
    assert total.removed == 2
    assert total.format() == "kept 3 of 5 (empty 1, duplicate 1)"
    assert FilterReport().format() == "kept 0 of 0"


def test_corpus_filters_comparable_text_is_nfc_and_casefolded() -> None:
    decomposed = "Gru\u0308sse"
    assert comparable_text([decomposed, "AN", "Sie"]) == comparable_text(["grüsse", "an", "sie"])
