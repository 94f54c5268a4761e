"""Choosing awesome-align's threshold and temperature: strict sweeps, curves per temperature,
:meth:`AwesomeAlign.sweep_embedded` on hand-made vectors, and the CLI flags (no encoder)."""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import pytest

from wordalign.aligners.embedding import AwesomeAlign
from wordalign.embed.encoder import SentenceEmbedding
from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.evaluation.metrics import evaluate
from wordalign.evaluation.threshold import ThresholdCurves, parse_thresholds, sweep_thresholds
from wordalign.types import Alignment


def _sentence(vectors: list[list[float]], word_ids: list[int] | None = None) -> SentenceEmbedding:
    ids = np.arange(len(vectors)) if word_ids is None else np.array(word_ids)
    return SentenceEmbedding(np.array(vectors, dtype=np.float32), ids, int(ids.max()) + 1)


# dot products [[1, .6], [0, .8]]. At temperature 1 the strengths (the smaller softmax of each
# pair's row and column) are 0.599, 0.401 / 0.269, 0.550; at temperature 4: .525, .475 / .438, .5125.
PAIR = (_sentence([[1.0, 0.0], [0.0, 1.0]]), _sentence([[1.0, 0.0], [0.6, 0.8]]))
GOLD = [Alignment([(0, 0), (1, 1)])]
THRESHOLDS = [0.3, 0.45, 0.58, 0.65]


def test_parse_thresholds_mixes_ranges_and_values() -> None:
    assert parse_thresholds("0.001,0.1:0.3:0.1") == [0.001, 0.1, 0.2, 0.3]
    assert parse_thresholds("0.1:0.2:0.1,0.5") == [0.1, 0.2, 0.5]
    with pytest.raises(WordalignError, match="bad thresholds"):
        parse_thresholds("0.1,0.2:0.1:0.1")
    with pytest.raises(WordalignError, match="more than"):
        parse_thresholds("0:1:0.0002,0:1:0.0002")


def test_strict_sweep_keeps_scores_above_the_threshold() -> None:
    pred = [Alignment([(0, 0), (1, 1)], scores={(0, 0): 0.5, (1, 1): 0.9})]
    at_least = sweep_thresholds(GOLD, pred, [0.5])
    above = sweep_thresholds(GOLD, pred, [0.5], strict=True)
    assert at_least.rows[0].result.pred_links == 2
    assert above.rows[0].result.pred_links == 1


def test_sweep_finds_the_known_optimum() -> None:
    aligner = AwesomeAlign(progress=False)
    curves = aligner.sweep_embedded([PAIR], GOLD, THRESHOLDS, temperatures=[4.0, 1.0])
    by_temperature = dict(curves.curves)
    # T = 1: links {00, 01, 11}, {00, 11}, {00}, {}; T = 4: all four, {00, 01, 11}, {}, {}
    aer_1 = [row.result.aer for row in by_temperature[1.0].rows]
    aer_4 = [row.result.aer for row in by_temperature[4.0].rows]
    np.testing.assert_allclose(aer_1, [0.2, 0.0, 1 / 3, 1.0])
    np.testing.assert_allclose(aer_4, [1 / 3, 0.2, 1.0, 1.0])
    temperature, row = curves.best()
    assert (temperature, row.threshold, row.result.aer) == (1.0, 0.45, 0.0)
    assert curves.best_curve() is by_temperature[1.0]
    text = curves.format()
    assert "best: temperature 1, threshold 0.45" in text
    assert curves.to_dict()["best"] == {"temperature": 1.0, **row.to_dict()}


def test_sweep_rows_are_the_aligners_links() -> None:
    rng = np.random.default_rng(0)
    embedded, gold = [], []
    for _ in range(20):
        m, n = (int(v) for v in rng.integers(1, 7, size=2))
        # two subwords for the first word of each side
        src = _sentence(rng.normal(size=(m + 1, 4)).tolist(), [0, *range(m)])
        tgt = _sentence(rng.normal(size=(n + 1, 4)).tolist(), [0, *range(n)])
        embedded.append((src, tgt))
        links = [(i, j) for i, j in itertools.product(range(m), range(n)) if rng.random() < 0.3]
        gold.append(Alignment(links[: len(links) // 2], links[len(links) // 2 :]))
    embedded.append((_sentence([[1.0]]), SentenceEmbedding(np.zeros((0, 1)), np.zeros(0), 0)))
    gold.append(Alignment())
    thresholds = [0.001, 0.05, 0.2, 0.35, 0.5, 0.8]
    for similarity, center in (("dot", False), ("cosine", True), ("cosine", False)):
        aligner = AwesomeAlign(similarity=similarity, center=center, progress=False)
        curves = aligner.sweep_embedded(embedded, gold, thresholds, [0.1, 1.0])
        for temperature, curve in curves.curves:
            for row in curve.rows:
                aligner.set_params(threshold=row.threshold, temperature=temperature)
                expected = evaluate(gold, aligner.align_embedded(embedded))
                assert row.result == expected, (similarity, center, temperature, row.threshold)


def test_sweep_refuses_bad_settings() -> None:
    aligner = AwesomeAlign(progress=False)
    with pytest.raises(WordalignError, match="only softmax"):
        AwesomeAlign(extraction="entmax15").sweep_embedded([PAIR], GOLD, [0.1])
    with pytest.raises(WordalignError, match="temperature"):
        aligner.sweep_embedded([PAIR], GOLD, [0.1], temperatures=[0.0])
    with pytest.raises(WordalignError, match="no temperatures"):
        aligner.sweep_embedded([PAIR], GOLD, [0.1], temperatures=[])
    with pytest.raises(WordalignError, match="no thresholds"):
        aligner.sweep_embedded([PAIR], GOLD, [])
    with pytest.raises(LengthMismatchError):
        aligner.sweep_embedded([PAIR, PAIR], GOLD, [0.1])
    with pytest.raises(LengthMismatchError):
        aligner.sweep([("a", "b"), ("c", "d")], GOLD, [0.1])  # before any encoder loads
    with pytest.raises(WordalignError, match="similarity"):
        AwesomeAlign(similarity="euclid").align_embedded([PAIR])  # type: ignore[arg-type]
    with pytest.raises(WordalignError, match="temperature"):
        AwesomeAlign(temperature=-1).align_embedded([PAIR])


def test_threshold_curves_need_a_value() -> None:
    with pytest.raises(ValueError, match="no temperature"):
        ThresholdCurves("temperature", ())


def test_temperature_changes_the_links_as_computed() -> None:
    # strengths at T = 1 and T = 4 as in the comment of PAIR; at T = 0.1 the dot products
    # [[10, 6], [0, 8]] give the diagonal more than 0.88 and the rest less than 0.12.
    plain = AwesomeAlign(threshold=0.45, progress=False).align_embedded([PAIR])
    assert plain[0].sure == {(0, 0), (1, 1)}
    cold = AwesomeAlign(threshold=0.45, temperature=0.1, progress=False).align_embedded([PAIR])
    assert cold[0].sure == {(0, 0), (1, 1)}
    hot = AwesomeAlign(threshold=0.45, temperature=4.0, progress=False).align_embedded([PAIR])
    assert hot[0].sure == {(0, 0), (0, 1), (1, 1)}


# -- the command line ---------------------------------------------------------------------------


def test_align_flags_reach_awesome_and_help_shows_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from wordalign.cli.align import build_aligner
    from wordalign.cli.main import build_parser

    argv = ["align", "--method", "awesome", "--similarity", "cosine", "--center"]
    argv += ["--temperature", "0.05", "--threshold", "0.35", "--param", "map=m.npz"]
    params = build_aligner(build_parser().parse_args(argv)).get_params()
    assert params["similarity"] == "cosine" and params["center"] is True
    assert params["temperature"] == 0.05 and params["threshold"] == 0.35
    assert params["map"] == "m.npz"
    defaults = build_aligner(build_parser().parse_args(["align", "--method", "awesome"]))
    assert defaults.get_params() == AwesomeAlign().get_params()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["align", "--method", "awesome", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--temperature T awesome: scores are divided by T" in text
    assert "(default: 1.0)" in text and "(default: dot)" in text and "(default: 0.001)" in text
    assert "--center, --no-center" in text


def test_tune_options_fail_before_anything_loads() -> None:
    from wordalign.cli import tune

    parser = argparse.ArgumentParser(prog="wordalign")
    tune.add_parser(parser.add_subparsers())
    base = ["tune", "--bitext", "missing.tsv", "--gold", "missing.txt"]
    for extra, message in (
        (["--thresholds", "0.1:x"], "bad thresholds"),
        (["--temperatures", "0.05,0"], "not positive"),
        (["--temperatures", "a"], "bad temperatures"),
        (["--plot", "curve.pdf"], "must end in .svg or .png"),
    ):
        args = parser.parse_args([*base, *extra])
        with pytest.raises(WordalignError, match=message):
            tune.run(args)
    assert tune.parse_temperatures("0.03, 0.05") == [0.03, 0.05]
