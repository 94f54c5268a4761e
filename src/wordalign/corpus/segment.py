"""Rule-based sentence segmentation for German, Romansh and Italian, offline.

Dolev (2023, Sect. 3.2) segmented DERMIT with NLTK's pretrained Punkt models, using the Italian
one for Romansh extended by Romansh abbreviations. Those models are a separate download, so
wordalign segments with its own rules instead, tuned on the corpus and its gold standard:

* a document is its title (one segment, never split) followed by its paragraphs;
* paragraphs are separated by blank lines; a single line break inside a paragraph is a space,
  as in the gold standard, which keeps an unpunctuated subheading together with the sentence
  that follows it (see :func:`split_paragraphs`), except after sentence-final punctuation and
  before a bulleted line, where it ends the sentence;
* a sentence ends at ``.``, ``?``, ``!`` or ``…`` (plus closing quotes and brackets) followed by
  a space and a capital letter, a digit or an opening quote or bracket, except after

  - an abbreviation of the language (``z.B.``, ``Nr.``, ``Art.``, ``St.``, ``Mio.``; Romansh
    ``p.ex.``, ``resp.``, ``nr.``, ``al.``; Italian ``ecc.``, ``ad es.``, ``cpv.``, ``n.``),
    Romansh having a list of its own;
  - an initial (``M. Müller``, ``H.-P. Meier``) or a dotted abbreviation (``u.a.``, ``q.v.d.``);
  - an ordinal: in German a number of up to three digits before a word that does not usually
    begin a sentence (``8. Januar``, ``19. Jahrhundert``), in every language a number before a
    lower-case word (``ils 19. tschientaner``);
  - an enumeration label at the start of a sentence (``1. Die Regierung ...``).

Numbers (``1.5``, ``13.30``), URLs and e-mail addresses never contain a boundary, as there is
no space after their periods.

Example:
    >>> segment("Am 8. Januar tagte der Rat, u.a. mit Dr. H.-P. Meier. Er sprach 20 Min.", "de")
    ['Am 8. Januar tagte der Rat, u.a. mit Dr. H.-P. Meier.', 'Er sprach 20 Min.']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wordalign.corpus.tokenize import normalize, tokenize, tokenize_title

if TYPE_CHECKING:
    from wordalign.corpus.dermit import Document

__all__ = [
    "ABBREVIATIONS",
    "segment",
    "segment_and_tokenize",
    "segment_document",
    "split_paragraphs",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(word.rstrip(".") for word in text.split())


# Abbreviations are written without their final period and compared in lower case. The lists
# come from reading the corpus: words before a period that is followed by a lower-case word or
# a number (Punkt's abbreviation evidence, Kiss & Strunk 2006), checked by hand.
_COMMON = _words(
    """
    tel fax dr prof lic dipl ing mag phil oec iur med rer pol jur ca nr art fr lit mio mia mrd
    st inkl incl resp vs max min cf cfr etc ecc ziff abs al cpv sig sta vet techn mob frs fig
    i.p i.d i.e i.c i.r a.i a.d e.u.v q.v.d p.ex p.es p.e z.b u.a d.h
    """
)
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": _COMMON
    | _words(
        """
        bzw usw geb sog bspw ggf evtl vgl allg bzgl gem abb jh jhd hrsg mwst sfr kap bd ff
        zit ggü exkl zzgl sen jun lt rz vorm nachm std str ref lic.iur lic.phil dr.med
        u.ä o.ä z.t z.h u.u a.o i.a i.v m.e s.o s.u u.a.m v.a
        jan feb febr apr jun jul aug sep sept okt nov dez eidg stv dt kt hr evang kant chr bsp
        betr parz mind gde
        """
    ),
    "rm": _COMMON
    | _words(
        """
        p.ex resp nr art al cf miu mia ca incl tr insch sgr sra dna dr chap cif pag
        e.a u.a.v v.d tschient sc u.s.v ff
        """
    ),
    "it": _COMMON
    | _words(
        """
        ecc es art cpv n sig sigg dott dott.ssa ing avv geom arch rag risp mio mil
        compr cell cost lett pag vol ill org guard sen c.p cod ca
        genn febbr apr magg giu lug sett ott nov dic on ted
        """
    ),
}
"""Per-language abbreviations (lower case, without the final period) that do not end a sentence."""

# Abbreviations that are also words ("Art und Weise", "nr" in no language, but cheap to treat
# alike): they only continue a sentence before a number ("Art. 3", "nr. 8", "cpv. 2").
_NUMERIC_ABBREVIATIONS = _words("art nr abs ziff lit al cpv n no kap pag vol")

# Abbreviations that often end a sentence: they end one when a sentence starter follows.
_FINAL_ABBREVIATIONS = _words("usw etc ecc mio mia mrd miu inkl incl u.a.m")

# German words that begin sentences but rarely follow an ordinal: a number and a period before
# one of them end a sentence ("... um 85. Die Zahl"), before any other capitalized word they are
# an ordinal ("am 8. Januar", "im 19. Jahrhundert"). Counted on the corpus: after "N." the
# capitalized word is a month or a noun in 96% of cases.
_DE_STARTERS = _words(
    """
    Die Der Das Dies Diese Dieser Dieses Diesem Diesen Den Dem Des Ein Eine Einer Eines Einem
    Es Er Sie Wir Ich Ihr Man Im In Am An Auf Aus Bei Beim Mit Nach Von Vom Zum Zur Für Seit
    Ab Bis Auch Zudem Damit Dabei Dadurch Deshalb Daher Darum Dafür Davon Dazu Danach Darauf
    Darin Daraus Hierzu Hierfür Hier So Somit Zusätzlich Weiter Weitere Weiterhin Insgesamt
    Ausserdem Außerdem Heute Nun Jetzt Gleichzeitig Als Wie Wenn Was Wer Wo Warum Weil Da Dass
    Ob Bereits Neben Gemäss Gemäß Laut Unter Über Vor Um Trotz Während Aufgrund Rund Total
    Und Oder Aber Doch Denn Sondern Jedoch Allerdings Zurzeit Derzeit Durch Gegen Ohne Alle
    Viele Einige Keine Kein Jede Jeder Jedes Mehr Diesmal Zuletzt Zuerst Erst Schliesslich
    Schließlich Anschliessend Ebenfalls Ebenso Zugleich Zwar Neu Dank Gestützt Infolge
    Entsprechend Insbesondere Vorerst Zunächst Letztes Bisher Künftig Ferner Sodann
    """
)

_MONTHS = _words(
    """
    Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember
    """
)

_BOUNDARY = re.compile(r"([.!?…]+)([\"'»«“”„’)\]]*)(\s+)(?=(\S+))")
_OPEN_PUNCT = "\"'«»„“‘([©-–•"
_DOTTED = re.compile(r"^(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}\.?$")
_INITIAL = re.compile(r"^[^\W\d_](?:\.-?[^\W\d_])*$")
_ONE_LETTER_WORDS = frozenset("èéàòùì")  # Romansh and Italian words, not initials: "Quai è."
_ORDINAL = re.compile(r"^\d{1,3}$")
_ROMAN = re.compile(r"^(?=[IVXLC]{2})[IVXLC]+$")  # "die XXIV. Olympischen Spiele"
_URL_TAIL = re.compile(r"(?:^|[./@])(?:ch|com|org|net|it|de|li|at|eu|info)$", re.I)
_LIST_ITEM = re.compile(r"\n[^\S\n]*(?=[-–•·*▪] )")  # a line that starts with a bullet
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_LABEL_AT_START = re.compile(r"^[\s\"'«»„“(\[]*$")
_LABEL_IN_LIST = re.compile(r"[:;][\s\"'«»„“(\[]*$")


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at blank lines; strip them, drop empty ones.

    A blank line is a line break followed by another, with only spaces or tabs between
    (DERMIT writes ``"\\n\\n"`` and ``"\\n \\n"``). A single line break inside a paragraph
    joins its lines with a space: in the gold standard an unpunctuated subheading on its own
    line is part of the sentence that follows it.
    """
    return [normalize(part) for part in _raw_paragraphs(text)]


def _raw_paragraphs(text: str) -> list[str]:
    return [part for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def segment(text: str, lang: str) -> list[str]:
    """Split a paragraph (or a whole text) into sentences.

    Blank lines always end a sentence (see :func:`split_paragraphs`); so does a single line
    break after sentence-final punctuation, whatever follows it, or before a bulleted line
    (``- ``, ``• ``). The segments are normalized
    (NFC, single spaces; see :func:`~wordalign.corpus.tokenize.normalize`) and never empty.

    Args:
        text: The text.
        lang: ``"de"``, ``"rm"`` or ``"it"``; other codes use the rules shared by the three.

    Returns:
        The sentences, in order.
    """
    sentences: list[str] = []
    for paragraph in _raw_paragraphs(text):
        for item in _LIST_ITEM.split(paragraph):
            sentences.extend(_segment_paragraph(item, lang))
    return sentences


def segment_document(doc: Document, lang: str) -> list[str]:
    """The segments of one language of a document: its title whole, then its sentences.

    An empty title is left out, so every segment has text.
    """
    title = normalize(doc.title.get(lang, ""))
    segments = [title] if title else []
    segments.extend(segment(doc.content.get(lang, ""), lang))
    return segments


def segment_and_tokenize(
    doc: Document, lang: str, *, gold_titles: bool = True
) -> tuple[list[str], list[list[str]]]:
    """The segments of :func:`segment_document` and their tokens.

    Args:
        doc: The document.
        lang: Its language to use.
        gold_titles: Tokenize the title as the gold standard writes titles, split at spaces
            only (:func:`~wordalign.corpus.tokenize.tokenize_title`); otherwise like any
            sentence (:func:`~wordalign.corpus.tokenize.tokenize`).

    Returns:
        ``(segments, tokens)``, two lists of the same length.
    """
    segments = segment_document(doc, lang)
    tokens = [tokenize(seg, lang) for seg in segments]
    if gold_titles and segments and normalize(doc.title.get(lang, "")):
        tokens[0] = tokenize_title(segments[0], lang)
    return segments, tokens


def _segment_paragraph(paragraph: str, lang: str) -> list[str]:
    abbreviations = ABBREVIATIONS.get(lang, _COMMON)
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        preceding = paragraph[start : match.start(1)]
        if _is_boundary(
            preceding,
            match.group(1),
            match.group(2),
            "\n" in match.group(3),
            match.group(4),
            lang,
            abbreviations,
        ):
            _append(sentences, normalize(paragraph[start : match.end(2)]))
            start = match.end(3)
    _append(sentences, normalize(paragraph[start:]))
    return sentences


def _append(sentences: list[str], sentence: str) -> None:
    if not sentence:
        return
    if sentences and not any(char.isalnum() for char in sentence):
        # Stray punctuation ("... globale . Die") belongs to the sentence before it.
        sentences[-1] = f"{sentences[-1]} {sentence}"
        return
    sentences.append(sentence)


def _is_boundary(
    preceding: str,
    punct: str,
    closers: str,
    line_break: bool,
    next_word: str,
    lang: str,
    abbreviations: frozenset[str],
) -> bool:
    first = next_word.lstrip(_OPEN_PUNCT)[:1]
    capital = first.isupper() or first.isdigit()
    if punct != ".":
        # ?, !, … and runs such as "?!" or "...".
        return capital or line_break
    word = preceding.rsplit(maxsplit=1)[-1].lstrip(_OPEN_PUNCT) if preceding.strip() else ""
    if not word or closers:
        # "... (vgl. Beilage.)" or '... Markt".': the quote or bracket closes the sentence.
        return capital or line_break
    starter = next_word.strip(_OPEN_PUNCT + ",:;")
    key = word.lower()
    if "'" in key or "’" in key:
        key = re.split("['’]", key)[-1]  # an elided article before it: "l'art. 3"
    if key in abbreviations and not (len(word) > 1 and word.isupper()):  # "AG." is no "ag."
        if key in _NUMERIC_ABBREVIATIONS:
            return capital and not first.isdigit()
        if key in _FINAL_ABBREVIATIONS:
            return _starts_sentence(starter, lang)
        return False
    if _INITIAL.match(word) and word not in _ONE_LETTER_WORDS:
        # "M. Muster", "H.-P. Muster", "z. B."; but a unit after a number ends a sentence.
        return capital and len(word) == 1 and word.islower() and _after_number(preceding, word)
    if _DOTTED.match(word) and not _URL_TAIL.search(word):
        return False
    if not capital:
        return line_break and not _ORDINAL.match(word)
    if _ORDINAL.match(word) or _ROMAN.match(word):
        before = preceding[: len(preceding) - len(word)]
        if _LABEL_AT_START.match(before):
            # An enumeration label ("1. Allgemeiner Alarm"): its own segment, as in the gold.
            return starter not in _MONTHS
        if _LABEL_IN_LIST.search(before):
            return False  # "die Punkte: 1. Die Regierung ..., 2. ..." stay one sentence
        if lang == "de":
            return starter in _DE_STARTERS or next_word.endswith(":")
    return True


def _after_number(preceding: str, word: str) -> bool:
    before = preceding[: len(preceding) - len(word)].rstrip()
    return before[-1:].isdigit()


def _starts_sentence(word: str, lang: str) -> bool:
    if lang == "de":
        return word in _DE_STARTERS
    return word[:1].isupper() and not word.isupper()
