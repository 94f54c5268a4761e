"""The methods experiment (Tables 5 and 2) and its pictures, with a hand-made stand-in encoder.

The stand-in gives every word a one-hot vector of its meaning class (scaled so that
awesome-align's softmax is sharp), so every SimAlign method at both levels and awesome-align
link exactly the translations, and every score can be computed by hand.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy", reason="SimAlign's Match needs scipy (the neural extra)")

from wordalign.embed.encoder import SentenceEmbedding
from wordalign.errors import UnknownNameError, WordalignError
from wordalign.experiments import methods as experiment
from wordalign.experiments.pictures import (
    SYSTEM_COLOURS,
    render_alignment_png,
    render_alignment_svg,
    sentence_scores,
)
from wordalign.types import Alignment, SentencePair

CLASSES = {"das": 0, "la": 0, "il": 0, "haus": 1, "chasa": 1, "buch": 2, "cudesch": 2}
CLASSES |= {"ist": 3, "è": 3}


class FakeEncoder:
    """Stands in for :class:`wordalign.embed.encoder.Encoder`: one subword per word."""

    def embed(
        self, sentences: Sequence[Sequence[str]], *, show_progress: bool = False
    ) -> list[SentenceEmbedding]:
        out = []
        for words in sentences:
            vectors = np.zeros((len(words), 4), dtype=np.float32)
            for k, word in enumerate(words):
                vectors[k, CLASSES[word]] = 10.0
            out.append(SentenceEmbedding(vectors, np.arange(len(words)), len(words)))
        return out


def fake_load(model: str, device: str, layer: int, batch_size: int, precision: str) -> FakeEncoder:
    if model not in ("mbert", "xlmr", "fake"):
        raise WordalignError(f"cannot load model {model!r}: not here\nsecond line")
    return FakeEncoder()


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiment, "_load", fake_load)


PAIRS = [
    SentencePair(("das", "haus"), ("la", "chasa")),
    SentencePair(("das", "buch", "ist"), ("il", "cudesch", "è")),
]
# Predicted by every method: 0-0 1-1 | 0-0 1-1 2-2. Against this gold: |A| = 5, |S| = 5,
# |P| = 6, |A ∩ S| = 4, |A ∩ P| = 5, so P = 1, R = 0.8, F1 = 0.889, AER = 1 - 9/10 = 0.1.
GOLD = [
    Alignment.from_pharaoh("0-0 1-1"),
    Alignment.from_pharaoh("0-0 1-1 1-2 2p2"),
]


def test_paper_tables_hold_the_papers_numbers() -> None:
    assert len(experiment.PAPER_TABLE5) == 9
    assert experiment.PAPER_TABLE5["mbert", "subword", "match"].aer == 0.220
    assert experiment.PAPER_TABLE5["xlmr", "word", "argmax"].recall == 0.399
    assert ("mbert", "word", "match") not in experiment.PAPER_TABLE5  # not in the paper
    assert experiment.PAPER_TABLE2["awesome-finetuned"].aer == 0.090
    assert experiment.PAPER_TABLE2["eflomal"].precision == 0.831


def test_differences_never_print_minus_zero() -> None:
    assert [experiment._diff(v) for v in (-0.0004, 0.0004, -0.1664, None)] == [
        *("+0.000", "+0.000", "-0.166", "–")
    ]


def test_parse_list() -> None:
    assert experiment.parse_list(" a, b,,a ") == ["a", "b"]
    with pytest.raises(UnknownNameError, match="nosuch"):
        experiment.parse_list("word,nosuch", experiment.LEVELS, "level")
    with pytest.raises(WordalignError, match="no model given"):
        experiment.parse_list(" , ", what="model")


def test_planned_systems_are_the_row_keys() -> None:
    keys = experiment.planned_systems(
        ["mbert"],
        finetuned=["ft"],
        levels=["word"],
        methods=["match", "awesome"],
        statistical_methods=["eflomal"],
    )
    assert keys == ["mbert:word:match", "mbert:awesome", "ft:awesome-finetuned", "eflomal"]


def test_run_methods_rows_exact(fake_models: None) -> None:
    run = experiment.run_methods(PAIRS, GOLD, ["mbert", "xlmr"], finetuned=["fake"], progress=False)
    keys = [r.system for r in run.results]
    assert keys == experiment.planned_systems(["mbert", "xlmr"], finetuned=["fake"])
    assert len(keys) == 2 * 7 + 1
    for row in run.results:
        assert (row.precision, row.recall) == (1.0, 0.8) and row.aer == pytest.approx(0.1)
        assert row.f1 == pytest.approx(2 * 0.8 / 1.8)
        assert run.predictions[row.system][1] == Alignment.from_pharaoh("0-0 1-1 2-2")
    match = run.result("mbert:subword:match")
    assert match.paper == experiment.PAPER_TABLE5["mbert", "subword", "match"]
    assert match.aer_diff == pytest.approx(0.1 - 0.220)
    assert run.result("mbert:word:match").paper is None  # mBERT's word level is not in Table 5
    assert run.result("xlmr:word:argmax").paper is not None
    assert run.result("mbert:awesome").paper == experiment.PAPER_TABLE2["awesome"]
    assert run.result("xlmr:awesome").paper is None  # the paper's awesome-align row is mBERT
    finetuned = run.result("fake:awesome-finetuned")
    assert finetuned.family == "awesome-finetuned"
    assert finetuned.paper == experiment.PAPER_TABLE2["awesome-finetuned"]
    assert run.skipped == []

    markdown = experiment.render_markdown(run)
    assert (
        "| mbert:subword:argmax | mbert | subword | argmax | 1.000 | 0.800 | 0.889 | 0.100 "
        "| 0.894 | 0.622 | 0.266 | -0.166 | Table 5 |" in markdown
    )
    assert (
        "| mbert:word:argmax | mbert | word | argmax | 1.000 | 0.800 | 0.889 | 0.100 "
        "| – | – | – | – | – |" in markdown
    )
    assert (
        "| SimAlign | mbert:subword:argmax | 1.000 | 0.800 | 0.100 | 0.794 | 0.766 | 0.220 "
        "| -0.120 |" in markdown
    )
    assert "| fast_align | not run | – | – | – | 0.625 | 0.787 | 0.307 | – |" in markdown

    rows = experiment.render_csv(run).splitlines()
    assert rows[0].split(",")[:9] == [
        *("system", "family", "model", "level", "method"),
        *("precision", "recall", "f1", "aer"),
    ]
    assert rows[1].startswith("mbert:subword:argmax,simalign,mbert,subword,argmax,1.0,0.8,")
    assert rows[1].endswith(",Table 5,0.894,0.622,0.266," + repr(run.results[0].aer - 0.266))
    payload = json.loads(experiment.render_json(run))
    assert payload["sentences"] == 2
    assert len(payload["results"]) == 15 and len(payload["paper_table5"]) == 9
    assert [r["label"] for r in payload["table2"]][-1] == "awesome-align (fine-tuned)"


def test_a_model_that_cannot_load_is_skipped_with_one_line(fake_models: None) -> None:
    seen: list[str] = []
    run = experiment.run_methods(
        PAIRS,
        GOLD,
        ["nosuch", "mbert"],
        methods=["match"],
        levels=["word"],
        progress=False,
        on_skip=lambda s: seen.append(s.message()),
    )
    assert seen == ["nosuch: cannot load model 'nosuch': not here"]
    assert [r.system for r in run.results] == ["mbert:word:match"]
    assert "- nosuch: cannot load model 'nosuch': not here" in experiment.render_markdown(run)


def test_no_model_loads(fake_models: None) -> None:
    with pytest.raises(WordalignError, match=r"none of the models could be loaded \(a, b\)"):
        experiment.run_methods(PAIRS, GOLD, ["a", "b"], progress=False)


def test_run_methods_checks_its_arguments(fake_models: None) -> None:
    with pytest.raises(UnknownNameError, match="level"):
        experiment.run_methods(PAIRS, GOLD, ["mbert"], levels=["char"], progress=False)
    with pytest.raises(UnknownNameError, match="method"):
        experiment.run_methods(PAIRS, GOLD, ["mbert"], methods=["mwmf"], progress=False)
    with pytest.raises(WordalignError, match="2"):
        experiment.run_methods(PAIRS, GOLD[:1], ["mbert"], progress=False)
    with pytest.raises(WordalignError, match="IDs"):
        experiment.run_methods(PAIRS, GOLD, ["mbert"], ids=["0"], progress=False)


def test_statistical_rows_and_default_comparisons(fake_models: None) -> None:
    corpus = [SentencePair(("das", "haus"), ("la", "chasa"))] * 3
    run = experiment.run_methods(
        PAIRS,
        GOLD,
        ["mbert"],
        methods=["match", "awesome"],
        levels=["subword"],
        statistical_pairs=corpus,
        statistical_methods=["eflomal", "ibm1"],
        statistical_params={"eflomal": {"random_state": 0}},
        progress=False,
    )
    assert [r.system for r in run.results] == [
        "mbert:subword:match",
        "mbert:awesome",
        "eflomal",
        "ibm1",
    ]
    eflomal = run.result("eflomal")
    assert (eflomal.family, eflomal.model, eflomal.level) == ("eflomal", "", "")
    assert eflomal.paper == experiment.PAPER_TABLE2["eflomal"]
    assert run.result("ibm1").paper is None
    assert len(run.predictions["ibm1"]) == 2  # the gold pairs only, not the training pairs
    assert experiment.default_comparisons(run) == [("eflomal", "mbert:subword:match")]


def test_write_results(tmp_path: Path, fake_models: None) -> None:
    run = experiment.run_methods(
        PAIRS, GOLD, ["mbert"], finetuned=["fake"], ids=["0", "2"], progress=False
    )
    assert experiment.default_comparisons(run) == [("fake:awesome-finetuned", "mbert:awesome")]
    written = experiment.write_results(run, tmp_path, pictures=["2"])
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    stem = "pictures/sentence-2_fake-awesome-finetuned-vs-mbert-awesome"
    expected = ["methods.csv", "methods.html", "methods.json", "methods.md", f"{stem}.svg"]
    if any(n.endswith(".png") for n in names):
        expected.append(f"{stem}.png")
        assert (tmp_path / f"{stem}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert names == sorted(expected)
    assert ET.parse(tmp_path / f"{stem}.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"
    page = (tmp_path / "methods.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "<td>mbert:subword:argmax</td>" in page
    with pytest.raises(WordalignError, match="--overwrite"):
        experiment.write_results(run, tmp_path)
    with pytest.raises(WordalignError, match="no gold sentence with ID '1'"):
        experiment.write_results(run, tmp_path, pictures=["1"], overwrite=True)
    with pytest.raises(UnknownNameError, match="nosuch"):
        experiment.write_results(run, tmp_path, compare=[("nosuch", "")], overwrite=True)


def test_alignment_svg_draws_each_link_once(tmp_path: Path) -> None:
    pair = SentencePair(("a", "b<c", "d"), ("x", "y"))
    gold = Alignment.from_pharaoh("0-0 1-1 2p1")
    first = Alignment.from_pharaoh("0-0 2-1")
    second = Alignment.from_pharaoh("0-1")
    svg = render_alignment_svg(pair, gold, [("A", first), ("B", second)], title="T & U")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    boxes = [e for e in root.iter(f"{ns}rect") if e.get("stroke") == SYSTEM_COLOURS[0]]
    circles = [e for e in root.iter(f"{ns}circle") if e.get("stroke") == SYSTEM_COLOURS[1]]
    assert len(boxes) == 2 + 1 and len(circles) == 1 + 1  # links plus the legend's mark
    texts = [e.text for e in root.iter(f"{ns}text")]
    assert "b<c" in texts and "T & U" in texts
    assert "A: P 1.00 R 0.50 AER 0.25" in texts  # |A|=2, |S|=2, A∩S=1, A∩P=2
    assert "B: P 0.00 R 0.00 AER 1.00" in texts
    assert sentence_scores(gold, first) == (1.0, 0.5, 0.25)
    with pytest.raises(ValueError, match="at most two"):
        render_alignment_svg(pair, gold, [("A", first)] * 3)
    png = render_alignment_png(pair, gold, [("A", first), ("B", second)], title="T")
    if png is not None:
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
