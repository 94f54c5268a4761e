"""Text normalization and word tokenization in the conventions of the DERMIT gold standard.

The German-Romansh gold standard of Dolev (2023) was tokenized in the style of NLTK's Treebank
tokenizer, with Romance elisions split after the apostrophe. :func:`tokenize` reproduces those
conventions without NLTK, so that sentences of a rebuilt corpus tokenize the way the gold does:

* punctuation is split off words: ``,`` ``;`` ``:`` ``?`` ``!`` ``(`` ``)`` ``…`` and quotes, but a
  comma or colon between digits stays (``9,8``, ``13:30``);
* a period is split off only at the end of the sentence; inside it a period stays with its word,
  so abbreviations and ordinals keep theirs (``z.B.``, ``St.``, ``ca.``, ``8. Januar``,
  ``19. tschientaner``), and so do numbers, URLs and e-mail addresses (``13.30``,
  ``www.gr.ch/corona``);
* Romansh and Italian elisions are split after the apostrophe: ``l'annunzia`` → ``l'``
  ``annunzia``; the typographic apostrophe ``’`` is written ``'``;
* guillemets and typographic double quotes are written ``"`` (``«Emna Rumantscha»`` →
  ``"`` ``Emna`` ``Rumantscha`` ``"``);
* numbers keep their separators (``1'000``, ``3.5``, ``2022/23``, ``10‑20``); ``%`` is split off;
* hyphens stay inside words and at their end (``Covid-19-Impfung``, ``Gesundheits-``);
* in Romansh, a day number before ``da`` is split from its period (``ils 1. da schaner`` →
  ``1`` ``.`` ``da``), and so is an abbreviation before a final bracket (``60 miu.).`` →
  ``miu`` ``.`` ``)`` ``.``), as the gold writes them.

Titles are written untokenized in most of the gold (split at spaces only):
:func:`tokenize_title` does that.

Example:
    >>> tokenize("L'uffizi ha publitgà ils 15 da matg 2022 la «Strategia».", "rm")
    ["L'", 'uffizi', 'ha', 'publitgà', 'ils', '15', 'da', 'matg', '2022', 'la', '"', 'Strategia', '"', '.']
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "tokenize", "tokenize_title"]

# Invisible characters that must not split or join words.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]")

_DOUBLE_QUOTES = '"«»„“”‟'
_SINGLE_QUOTES = "'‘’‚‹›"
_OPENERS = "([{" + _DOUBLE_QUOTES + _SINGLE_QUOTES + "¿¡"
_CLOSERS = ")]}" + _DOUBLE_QUOTES + "»"
_SPLIT_ALWAYS = ",;!?…%"
_QUOTE_MAP = {**dict.fromkeys(_DOUBLE_QUOTES, '"'), "’": "'", "‘": "'", "‚": "'"}
_QUOTE_RE = re.compile(f"[{''.join(_QUOTE_MAP)}]")

_URL_OR_MAIL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$|^[^@\s]+@[^@\s]+\.[^@\s]+$", re.I)
# An elided Romance word: up to six letters, then an apostrophe, then a letter or digit.
_ELISION = re.compile(r"^([^\W\d_]{1,6}')(?=[^\W_])")
# A chunk that needs no splitting: letters and digits, inner hyphens, no punctuation at all.
_PLAIN = re.compile(r"[^\W_]+(?:-[^\W_]+)*-?\Z")
_INNER_SPLIT = re.compile(r"([!?…%;]|(?<!\d),|,(?!\d))")
_DAY_NUMBER = re.compile(r"^\d{1,2}\.$")


def normalize(text: str) -> str:
    """Unicode NFC, every kind of space as one ASCII space, invisible characters removed.

    Decomposed umlauts (``u`` + U+0308) become ``ü``; no-break spaces, tabs and line breaks
    become single spaces; soft hyphens and zero-width characters disappear; the result has no
    leading or trailing space.
    """
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)  # first, so that "u\u00ad\u0308" composes too
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() splits at every Unicode space: no-break (U+00A0), narrow no-break (U+202F),
    # the U+2000 block, line and paragraph separators.
    return " ".join(text.split())


def _map_quotes(text: str) -> str:
    if _QUOTE_RE.search(text) is None:
        return text
    return _QUOTE_RE.sub(lambda match: _QUOTE_MAP[match.group()], text)


def tokenize(sentence: str, lang: str) -> list[str]:
    """Split one sentence into tokens in the conventions of the DERMIT gold standard.

    Args:
        sentence: One sentence (or a title); normalized first with :func:`normalize`.
        lang: ``"de"``, ``"rm"`` or ``"it"``; other codes are tokenized like German, without
            splitting elisions.

    Returns:
        The tokens, none empty; ``[]`` for a blank sentence.
    """
    text = _map_quotes(normalize(sentence))
    chunks = text.split(" ")
    if chunks == [""]:
        return []
    romance = lang in ("rm", "it")
    tokens: list[str] = []
    append, plain = tokens.append, _PLAIN.match
    last = chunks.pop()
    for chunk in chunks:
        if plain(chunk):
            append(chunk)
        else:
            tokens.extend(_split_chunk(chunk, final=False, romance=romance))
    tokens.extend(_split_chunk(last, final=True, romance=romance))
    if lang == "rm":
        if ". da " in text:
            tokens = _split_day_numbers(tokens)
        abbreviation = tokens[-3] if len(tokens) >= 3 and tokens[-2] == ")" else ""
        if abbreviation.endswith(".") and abbreviation[-2:-1].isalpha():
            # "(onn precedent 60 miu.)." -> "miu . ) .": the gold's Punkt model (Italian) did
            # not know Romansh abbreviations and cut the sentence there.
            tokens[-3:-2] = [abbreviation[:-1], "."]
    return tokens


def tokenize_title(title: str, lang: str) -> list[str]:
    """Split a document title into tokens the way the gold standard writes titles.

    The gold standard left most titles untokenized: they are split at spaces only, with the
    quotes and apostrophes of :func:`tokenize` (``«`` → ``"``, ``’`` → ``'``), so
    ``Coronavirus: Ils tests`` stays ``Coronavirus:`` ``Ils`` ``tests``. Use it for the first
    segment of :func:`~wordalign.corpus.segment.segment_document` when the corpus should match
    the gold; titles without punctuation tokenize the same either way.

    Args:
        title: The title.
        lang: Language code (unused: titles are treated alike in every language).

    Returns:
        The tokens; ``[]`` for a blank title.
    """
    del lang
    text = _map_quotes(normalize(title))
    return text.split(" ") if text else []


def _split_chunk(chunk: str, *, final: bool, romance: bool) -> list[str]:
    head: list[str] = []
    tail: list[str] = []
    # Leading punctuation: brackets, quotes, inverted marks.
    while len(chunk) > 1 and chunk[0] in _OPENERS:
        head.append(chunk[0])
        chunk = chunk[1:]
    # Trailing punctuation, peeled from the right. The sentence's own final period is split off
    # once (Treebank convention); any other period stays with its word.
    period_taken = not final
    while len(chunk) > 1:
        char = chunk[-1]
        if (
            char in _CLOSERS
            or char in _SPLIT_ALWAYS
            or char == ":"
            or (char == "'" and head and head[-1] == "'")
        ):
            tail.append(char)
            chunk = chunk[:-1]
        elif char == "." and not period_taken and not chunk.endswith(".."):
            period_taken = True
            tail.append(char)
            chunk = chunk[:-1]
        elif chunk.endswith("...") and len(chunk) > 3:
            tail.append("...")
            chunk = chunk[:-3]
        else:
            break
    middle = _split_inner(chunk, romance=romance)
    return head + middle + tail[::-1]


def _split_inner(chunk: str, *, romance: bool) -> list[str]:
    if not chunk:
        return []
    if _PLAIN.match(chunk) or _URL_OR_MAIL.match(chunk):
        return [chunk]
    parts: list[str] = []
    if romance and "'" in chunk:
        while True:
            match = _ELISION.match(chunk)
            if match is None:
                break
            parts.append(match.group(1))
            chunk = chunk[match.end() :]
        if _PLAIN.match(chunk):
            parts.append(chunk)
            return parts
    # Characters split everywhere inside a word (never part of numbers or names here); what
    # lies between them is tokenized like a word of its own.
    pieces = [piece for piece in _INNER_SPLIT.split(chunk) if piece]
    if len(pieces) == 1:
        parts.append(chunk)
        return parts
    for piece in pieces:
        parts.extend(_split_chunk(piece, final=False, romance=romance))
    return parts


def _split_day_numbers(tokens: list[str]) -> list[str]:
    # Romansh dates "ils 1. da schaner": the gold splits the period of the day number.
    out: list[str] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if _DAY_NUMBER.match(token) and following == "da":
            out.extend((token[:-1], "."))
        else:
            out.append(token)
    return out
