"""Sentence segmentation: hand-written cases per language, and coverage of the gold sentences.

The sentences are made up in the style of the corpus; none is copied from it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from wordalign.corpus.dermit import Document, iter_documents
from wordalign.corpus.segment import (
    segment,
    segment_and_tokenize,
    segment_document,
    split_paragraphs,
)


def _check(text: str, lang: str, expected: list[str]) -> None:
    assert segment(text, lang) == expected
    # The sentences are the text, cut: nothing is lost or added but whitespace.
    assert "".join(expected).replace(" ", "") == "".join(text.split())


# -- German ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Abbreviations.
        (
            "Pro Person sind z.B. 5 Fr. vorgesehen. Der Rat prüft bzw. entscheidet. "
            "Das Amt (u.a. Dr. Beispiel) informiert inkl. Anhang.",
            [
                "Pro Person sind z.B. 5 Fr. vorgesehen.",
                "Der Rat prüft bzw. entscheidet.",
                "Das Amt (u.a. Dr. Beispiel) informiert inkl. Anhang.",
            ],
        ),
        (
            "Gemäss Art. 3 Abs. 2 gilt dies. Nr. 5 ist neu. Die Kosten betragen ca. 40 Mio. "
            "Franken bzw. 1 Mrd. Euro in St. Gallen.",
            [
                "Gemäss Art. 3 Abs. 2 gilt dies.",
                "Nr. 5 ist neu.",
                "Die Kosten betragen ca. 40 Mio. Franken bzw. 1 Mrd. Euro in St. Gallen.",
            ],
        ),
        # "Art" is also a word: before a capital it ends a sentence.
        (
            "Das ist ein Projekt dieser Art. Weitere folgen.",
            ["Das ist ein Projekt dieser Art.", "Weitere folgen."],
        ),
        # Abbreviations that may end a sentence end one before a sentence starter.
        (
            "Es gibt Äpfel, Birnen usw. Die Ernte war gut. Das Defizit beträgt 2 Mio. Die "
            "Regierung zahlt 3 Mio. Franken.",
            [
                "Es gibt Äpfel, Birnen usw.",
                "Die Ernte war gut.",
                "Das Defizit beträgt 2 Mio.",
                "Die Regierung zahlt 3 Mio. Franken.",
            ],
        ),
        # Ordinals and dates.
        (
            "Am 8. Januar tagte der Rat. Im 19. Jahrhundert war das anders. Die Frist läuft "
            "bis am 1. März 2024. Danach gilt die 2. Etappe.",
            [
                "Am 8. Januar tagte der Rat.",
                "Im 19. Jahrhundert war das anders.",
                "Die Frist läuft bis am 1. März 2024.",
                "Danach gilt die 2. Etappe.",
            ],
        ),
        # A number before a word that starts sentences ends the sentence; a year always does.
        (
            "Die Zahl sank um 85. Die Lage bleibt stabil. Das war 2021. Heute ist alles anders.",
            [
                "Die Zahl sank um 85.",
                "Die Lage bleibt stabil.",
                "Das war 2021.",
                "Heute ist alles anders.",
            ],
        ),
        # Numbers, times, initials.
        (
            "Der Betrag beträgt 1.5 Mio. Franken. Um 13.30 Uhr beginnt die Sitzung mit "
            "M. Muster und H.-P. Beispiel. Sie dauert 2.5 Stunden.",
            [
                "Der Betrag beträgt 1.5 Mio. Franken.",
                "Um 13.30 Uhr beginnt die Sitzung mit M. Muster und H.-P. Beispiel.",
                "Sie dauert 2.5 Stunden.",
            ],
        ),
        # Enumeration labels become segments of their own (as in the gold standard); a date at
        # the start of a sentence does not.
        (
            "1. Die Regierung genehmigt den Kredit. 2. Der Rat nimmt Kenntnis. "
            "3. Januar: Start der Anmeldung.",
            [
                "1.",
                "Die Regierung genehmigt den Kredit.",
                "2.",
                "Der Rat nimmt Kenntnis.",
                "3. Januar: Start der Anmeldung.",
            ],
        ),
        # A label after a colon stays in its sentence.
        (
            "Es gilt: 1. Die Frist läuft ab; 2. Der Rat entscheidet. Das ist alles.",
            ["Es gilt: 1. Die Frist läuft ab; 2. Der Rat entscheidet.", "Das ist alles."],
        ),
        # URLs and e-mail addresses.
        (
            "Informationen gibt es unter www.beispiel.ch. Fragen an info@beispiel.ch. "
            "Die Seite https://www.beispiel.ch/a.b wird aktualisiert.",
            [
                "Informationen gibt es unter www.beispiel.ch.",
                "Fragen an info@beispiel.ch.",
                "Die Seite https://www.beispiel.ch/a.b wird aktualisiert.",
            ],
        ),
        # Quotes and brackets after the period, and quotes opening the next sentence.
        (
            "Er sagte: «Wir sind bereit.» Dann begann die Sitzung. Der Titel lautet "
            '"Neue Wege". «Gut», meinte sie. (Siehe Beilage.) Das Projekt läuft.',
            [
                "Er sagte: «Wir sind bereit.»",
                "Dann begann die Sitzung.",
                'Der Titel lautet "Neue Wege".',
                "«Gut», meinte sie.",
                "(Siehe Beilage.)",
                "Das Projekt läuft.",
            ],
        ),
        # Question and exclamation marks; a lower-case word continues the sentence.
        (
            "Wie geht es weiter? Die Regierung entscheidet! Die Frage «wozu?» bleibt offen.",
            [
                "Wie geht es weiter?",
                "Die Regierung entscheidet!",
                "Die Frage «wozu?» bleibt offen.",
            ],
        ),
        (
            "Die Zahl ist gross, d. h. sie wächst. Tel. +41 81 000 00 00 ist erreichbar.",
            ["Die Zahl ist gross, d. h. sie wächst.", "Tel. +41 81 000 00 00 ist erreichbar."],
        ),
    ],
)
def test_segment_german(text: str, expected: list[str]) -> None:
    _check(text, "de", expected)


# -- Romansh ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "La regenza ha decidì p.ex. da sustegnair il project resp. la lavur. Il cussegl "
            "ha approvà l'art. 3 al. 2. Quai vala er per nr. 5 cf. la missiva.",
            [
                "La regenza ha decidì p.ex. da sustegnair il project resp. la lavur.",
                "Il cussegl ha approvà l'art. 3 al. 2.",
                "Quai vala er per nr. 5 cf. la missiva.",
            ],
        ),
        # Dates: Romansh writes "ils 8 da schaner", ordinals are followed by lower case.
        (
            "Ils 8 da schaner ha la regenza tractà la fatschenta. Il 19. tschientaner era "
            "different. Quai vala dal 1. da schaner 2023 fin ils 31 da december 2026.",
            [
                "Ils 8 da schaner ha la regenza tractà la fatschenta.",
                "Il 19. tschientaner era different.",
                "Quai vala dal 1. da schaner 2023 fin ils 31 da december 2026.",
            ],
        ),
        (
            "Var 5 miu. francs vegnan dads. Ils resultats èn buns. Il total munta a 7 miu. "
            "Il cussegl è cuntent.",
            [
                "Var 5 miu. francs vegnan dads.",
                "Ils resultats èn buns.",
                "Il total munta a 7 miu.",
                "Il cussegl è cuntent.",
            ],
        ),
        # "nov" (new) is a word in Romansh, not an abbreviation of a month.
        (
            "Il project è nov. El cumenza oz.",
            ["Il project è nov.", "El cumenza oz."],
        ),
        (
            "Tge fa la regenza? Ella decida! «Nus essan pronts.» Las infurmaziuns èn sin "
            "www.beispiel.ch. Dr. M. Muster dat ca. 3 referats.",
            [
                "Tge fa la regenza?",
                "Ella decida!",
                "«Nus essan pronts.»",
                "Las infurmaziuns èn sin www.beispiel.ch.",
                "Dr. M. Muster dat ca. 3 referats.",
            ],
        ),
        # "è" is a word, not an initial; "m" after a number is a unit.
        (
            "La via è lunga 300 m. Quai è. Il traject da s. Martin è serrà.",
            ["La via è lunga 300 m.", "Quai è.", "Il traject da s. Martin è serrà."],
        ),
        (
            "1. La regenza approva il credit. 2. Il cussegl prenda enconuschientscha.",
            ["1.", "La regenza approva il credit.", "2.", "Il cussegl prenda enconuschientscha."],
        ),
    ],
)
def test_segment_romansh(text: str, expected: list[str]) -> None:
    _check(text, "rm", expected)


# -- Italian ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Il Governo ha deciso, ad es. in merito all'art. 5 cpv. 2 n. 3, ecc. di procedere. "
            "Il sig. Rossi ha informato.",
            [
                "Il Governo ha deciso, ad es. in merito all'art. 5 cpv. 2 n. 3, ecc. di procedere.",
                "Il sig. Rossi ha informato.",
            ],
        ),
        (
            "Sono previsti 5 mio. di franchi. Mele, pere ecc. Il raccolto è buono.",
            ["Sono previsti 5 mio. di franchi.", "Mele, pere ecc.", "Il raccolto è buono."],
        ),
        # An acronym is not an abbreviation ("AG", not "ag." for agosto).
        (
            "Il Cantone partecipa alla Esempio AG. L'affare segue.",
            ["Il Cantone partecipa alla Esempio AG.", "L'affare segue."],
        ),
        (
            "Il 1° gennaio 2024 entra in vigore. Il termine scade il 5 nov. Il Governo decide.",
            [
                "Il 1° gennaio 2024 entra in vigore.",
                "Il termine scade il 5 nov. Il Governo decide.",
            ],
        ),
    ],
)
def test_segment_italian(text: str, expected: list[str]) -> None:
    _check(text, "it", expected)


def test_romansh_is_not_segmented_as_italian() -> None:
    text = "Il project è nov. Il cussegl decida."
    assert segment(text, "rm") == ["Il project è nov.", "Il cussegl decida."]
    assert segment(text, "it") == [text]


# -- paragraphs and documents -----------------------------------------------------------------------


def test_split_paragraphs() -> None:
    text = " Erster Absatz.\n\nZweiter\u00a0Absatz.\n \n\n  \nDritter\nAbsatz mit Zeilen.  \n"
    assert split_paragraphs(text) == [
        "Erster Absatz.",
        "Zweiter Absatz.",
        "Dritter Absatz mit Zeilen.",
    ]
    assert split_paragraphs("") == []
    assert split_paragraphs(" \n \n ") == []


def test_line_breaks() -> None:
    # A blank line always ends a sentence, even without punctuation.
    assert segment("Ausblick\n\nDie Lage ist gut.", "de") == ["Ausblick", "Die Lage ist gut."]
    # A single line break after an unpunctuated heading joins it to the next sentence, as the
    # gold standard does; after a sentence end it separates, whatever follows.
    assert segment("Neue Regeln\n Die Lage ist gut.", "de") == ["Neue Regeln Die Lage ist gut."]
    assert segment("Der Bau beginnt.  \n©Foto Beispiel \nDie Kosten", "de") == [
        "Der Bau beginnt.",
        "©Foto Beispiel Die Kosten",
    ]
    assert segment("Das gilt ab 1.\nJanuar", "de") == ["Das gilt ab 1. Januar"]
    # A bulleted line is a segment of its own.
    assert segment("Auskunft:\n - Frau A, Amt B \n - Herr C\n• Punkt D", "de") == [
        "Auskunft:",
        "- Frau A, Amt B",
        "- Herr C",
        "• Punkt D",
    ]
    assert segment("Kosten: 5 - 7 Franken", "de") == ["Kosten: 5 - 7 Franken"]


def test_segments_are_normalized_and_never_empty() -> None:
    assert segment("Gru\u0308sse\u00a0aus  Chur.   Bis bald!", "de") == [
        "Grüsse aus Chur.",
        "Bis bald!",
    ]
    assert segment("", "de") == []
    assert segment(" . ", "de") == ["."]


def test_segment_document_keeps_the_title_whole() -> None:
    doc = Document(
        id="1",
        date="2024-01-01",
        year=2024,
        title={"de": "Regierung tagt. Neue Beschlüsse", "rm": "", "it": "Il Governo"},
        content={
            "de": "Erster Satz. Zweiter Satz.\n \nDritter Satz.",
            "rm": "Ina frasa.",
            "it": "",
        },
    )
    assert segment_document(doc, "de") == [
        "Regierung tagt. Neue Beschlüsse",
        "Erster Satz.",
        "Zweiter Satz.",
        "Dritter Satz.",
    ]
    assert segment_document(doc, "rm") == ["Ina frasa."]
    assert segment_document(doc, "it") == ["Il Governo"]


def test_segment_and_tokenize() -> None:
    doc = Document(
        id="1",
        date="2024-01-01",
        year=2024,
        title={"de": "Neu: «Regeln» für alle", "rm": "", "it": ""},
        content={"de": "Der Rat tagt: heute.", "rm": "L'uffizi decida.", "it": ""},
    )
    segments, tokens = segment_and_tokenize(doc, "de")
    assert segments == ["Neu: «Regeln» für alle", "Der Rat tagt: heute."]
    assert tokens == [
        ["Neu:", '"Regeln"', "für", "alle"],
        ["Der", "Rat", "tagt", ":", "heute", "."],
    ]
    _, tokens = segment_and_tokenize(doc, "de", gold_titles=False)
    assert tokens[0] == ["Neu", ":", '"', "Regeln", '"', "für", "alle"]
    assert segment_and_tokenize(doc, "rm") == (
        ["L'uffizi decida."],
        [["L'", "uffizi", "decida", "."]],
    )
    assert segment_and_tokenize(doc, "it") == ([], [])


# -- coverage of the gold sentences -----------------------------------------------------------------

_QUOTES = str.maketrans({**dict.fromkeys("«»„“”", '"'), "’": "'"})


def _key(text: str) -> str:
    """Compare sentences without whitespace, case and typographic quotes."""
    return "".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split()).lower()


@pytest.fixture(scope="module")
def segmented(dermit_dir: Path) -> dict[str, dict[str, list[str]]]:
    """Per language, the tokens of every segment of the corpus, by the segment's key."""
    docs = list(iter_documents(dermit_dir))
    out: dict[str, dict[str, list[str]]] = {}
    for lang in ("de", "rm"):
        table = out[lang] = {}
        for doc in docs:
            for seg, tokens in zip(*segment_and_tokenize(doc, lang), strict=True):
                table.setdefault(_key(seg), tokens)
    return out


def _gold_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t", 1)[1] for line in handle]


@pytest.mark.data
@pytest.mark.slow
def test_gold_sentences_are_segments(
    segmented: dict[str, dict[str, list[str]]], gold_files: dict[str, Path]
) -> None:
    # Measured on the shared gold half: 98.3% for German and for Romansh. Of the 5 misses per
    # language, 3 are gold lines whose numbers were anonymized as "@", the others were cut by
    # NLTK's Punkt at "4." / "nr." or lost their second sentence in the gold.
    for side, lang in (("src", "de"), ("tgt", "rm")):
        gold = _gold_lines(gold_files[side])
        found = sum(_key(sentence) in segmented[lang] for sentence in gold) / len(gold)
        print(f"{lang}: {found:.1%} of {len(gold)} gold sentences are segments")  # pytest -s
        assert found >= 0.97, (lang, found)


@pytest.mark.data
@pytest.mark.slow
def test_found_gold_sentences_have_the_gold_tokens(
    segmented: dict[str, dict[str, list[str]]], gold_files: dict[str, Path]
) -> None:
    # Measured on the shared gold half: de 294/295 (99.7%), rm 284/295 (96.3%) with titles
    # tokenized by tokenize_title (de 98.0%, rm 93.2% without). The Romansh misses: six gold
    # lines that write elisions as "l ' x", four titles the gold did tokenize, one "eco - score".
    for side, lang in (("src", "de"), ("tgt", "rm")):
        found = equal = 0
        for sentence in _gold_lines(gold_files[side]):
            tokens = segmented[lang].get(_key(sentence))
            if tokens is None:
                continue
            found += 1
            equal += tokens == unicodedata.normalize("NFC", sentence).split()
        print(f"{lang}: {equal}/{found} found gold sentences have the gold tokens")  # pytest -s
        assert equal / found >= 0.95, (lang, equal, found)
