"""Trilingual lexical priors: table composition through a pivot, and their use by eflomal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner
from wordalign.aligners.statistical.eflomal import Eflomal
from wordalign.aligners.statistical.pivot import LexicalPrior, WordTable, pivot_prior
from wordalign.errors import WordalignError

FAST = {"rel_iterations": 0.2, "progress": False}


def _table(rows: tuple[str, ...], cols: tuple[str, ...], entries: dict) -> WordTable:
    r = [rows.index(a) for a, _ in entries]
    c = [cols.index(b) for _, b in entries]
    return WordTable.from_counts(
        rows, cols, np.array(r), np.array(c), np.array(list(entries.values())), 0.0, 10
    )


def _as_dict(table: WordTable) -> dict[tuple[str, str], float]:
    out = {}
    for r, word in enumerate(table.row_words):
        for e in range(table.ptr[r], table.ptr[r + 1]):
            out[word, table.col_words[table.cols[e]]] = float(table.probs[e])
    return out


def test_composition_through_the_pivot_is_hand_computed() -> None:
    # p(it | de) from counts: haus -> casa 8, libro 2; buch -> libro 5.
    de_it = _table(("haus", "buch"), ("casa", "libro"),
                   {("haus", "casa"): 8.0, ("haus", "libro"): 2.0, ("buch", "libro"): 5.0})  # fmt: skip
    # p(rm | it): casa -> chasa 1; libro -> cudesch 3, chasa 1.
    it_rm = _table(("libro", "casa"), ("cudesch", "chasa"),
                   {("casa", "chasa"): 4.0, ("libro", "cudesch"): 3.0, ("libro", "chasa"): 1.0})  # fmt: skip
    assert _as_dict(de_it) == pytest.approx(
        {("haus", "casa"): 0.8, ("haus", "libro"): 0.2, ("buch", "libro"): 1.0}
    )
    composed = de_it.compose(it_rm, 0.0, 10)
    # haus: chasa = .8 * 1 + .2 * .25 = .85, cudesch = .2 * .75 = .15; buch: .25 / .75.
    assert _as_dict(composed) == pytest.approx(
        {("haus", "chasa"): 0.85, ("haus", "cudesch"): 0.15, ("buch", "cudesch"): 0.75, ("buch", "chasa"): 0.25}
    )  # fmt: skip
    # Pruning keeps the best entry of each row (top_k=1) and renormalises it to one.
    assert _as_dict(de_it.compose(it_rm, 0.0, 1)) == {
        ("haus", "chasa"): 1.0,
        ("buch", "cudesch"): 1.0,
    }


def test_a_pivot_word_missing_from_the_second_table_carries_no_mass() -> None:
    a = _table(("x",), ("p", "q"), {("x", "p"): 1.0, ("x", "q"): 1.0})
    b = _table(("p",), ("y",), {("p", "y"): 1.0})
    assert _as_dict(a.compose(b, 0.0, 10)) == {("x", "y"): 1.0}


def _trilingual(
    n: int,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """A toy src-tgt corpus where one word pair occurs once, and pivot corpora where it is common."""
    rng = np.random.default_rng(0)
    words = [f"w{k}" for k in range(8)]
    src_tgt, src_piv, tgt_piv = [], [], []
    for _ in range(n):
        ws = list(rng.choice(words, 3, replace=False))
        # The target side in random order: no jump is preferred, so only words decide.
        ts = list(rng.permutation(ws))
        src_tgt.append((" ".join(f"s{w}" for w in ws), " ".join(f"t{w}" for w in ts)))
        src_piv.append((" ".join(f"s{w}" for w in ws), " ".join(f"p{w}" for w in ws)))
        tgt_piv.append((" ".join(f"t{w}" for w in ws), " ".join(f"p{w}" for w in ws)))
    for _ in range(20):
        src_piv.append(("srare sw0", "prare pw0"))
        tgt_piv.append(("trare tw0", "prare pw0"))
    return src_tgt, src_piv, tgt_piv


def test_pivot_prior_links_a_word_pair_through_the_pivot(tmp_path: Path) -> None:
    src_tgt, src_piv, tgt_piv = _trilingual(40)
    prior = pivot_prior(src_piv, tgt_piv, weight=5.0, **FAST)
    assert isinstance(prior, LexicalPrior)
    assert _as_dict(prior.forward)[("srare", "trare")] > 0.9
    assert _as_dict(prior.reverse)[("trare", "srare")] > 0.9
    # Two words seen only here: the src-tgt data cannot tell which goes with which.
    test = [("srare sfoo", "tfoo trare")]
    aligner = Eflomal(symmetrize="intersection", **FAST)
    out = aligner.fit_align([*src_tgt, *test], prior=prior)
    assert out[-1].to_pharaoh() == "0-1 1-0"
    # The prior stays with the model for new text, also after saving it.
    aligner.save(tmp_path / "m")
    loaded = Aligner.load(tmp_path / "m")
    assert isinstance(loaded, Eflomal) and loaded.prior_stats_["forward"].lex_count.sum() > 0
    assert loaded.align([("sbar srare", "trare tbar")])[0].to_pharaoh() == "0-1 1-0"


def test_pivot_bitexts_without_a_shared_pivot_word_are_refused() -> None:
    _, src_piv, tgt_piv = _trilingual(10)
    other = [(s, t.replace("p", "q")) for s, t in tgt_piv]
    with pytest.raises(WordalignError, match="share no pivot word"):
        pivot_prior(src_piv, other, **FAST)


def test_a_prior_of_other_languages_is_refused() -> None:
    src_tgt, src_piv, tgt_piv = _trilingual(10)
    prior = pivot_prior(src_piv, tgt_piv, **FAST)
    foreign = [(s.replace("s", "z"), t) for s, t in src_tgt]
    with pytest.raises(WordalignError, match="none of its src words"):
        Eflomal(**FAST).fit(foreign, prior=prior)


def test_bad_weight_is_refused() -> None:
    with pytest.raises(WordalignError, match="weight"):
        pivot_prior([("a", "b")], [("c", "b")], weight=0.0)
