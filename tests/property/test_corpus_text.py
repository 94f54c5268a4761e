"""Invariants of normalization, segmentation and tokenization on arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.corpus.segment import segment
from wordalign.corpus.tokenize import normalize, tokenize, tokenize_title

# Letters of the three languages, digits, the punctuation the rules look at, and odd spaces.
_ALPHABET = "aeiouäöüèàéLSDZrmnstlcdpx01289 .,;:!?…'’\"«»„“()-‑/%@\n\u00a0\u202f\u00ad\u0308"
_TEXT = st.text(alphabet=_ALPHABET, max_size=80)
_LANGS = st.sampled_from(["de", "rm", "it", "en"])
_QUOTES = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "’": "'"})


def _letters(text: str) -> str:
    return "".join(normalize(text).translate(_QUOTES).split())


@settings(max_examples=300, deadline=None)
@given(_TEXT, _LANGS)
def test_tokens_keep_every_character(text: str, lang: str) -> None:
    tokens = tokenize(text, lang)
    assert all(token and not any(char.isspace() for char in token) for token in tokens)
    assert "".join(tokens) == _letters(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _LANGS)
def test_tokenizing_tokens_again_changes_nothing(text: str, lang: str) -> None:
    # What the gold agreement test relies on: gold tokens joined by spaces come back unchanged.
    tokens = tokenize(text, lang)
    assert tokenize(" ".join(tokens), lang) == tokens


@settings(max_examples=300, deadline=None)
@given(_TEXT, _LANGS)
def test_title_tokens_keep_every_character(text: str, lang: str) -> None:
    tokens = tokenize_title(text, lang)
    assert all(tokens)
    assert "".join(tokens) == _letters(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _LANGS)
def test_segments_partition_the_text(text: str, lang: str) -> None:
    segments = segment(text, lang)
    assert all(seg and seg == normalize(seg) for seg in segments)
    assert "".join("".join(segments).split()) == "".join(normalize(text).split())


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once
    assert once == once.strip()
