"""The sentence-pair pipeline on two years of DERMIT (the data is read, never committed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wordalign.corpus.build import BuildParams, build_corpus, parse_pairs
from wordalign.errors import WordalignError

YEARS = [2003, 2004]
PAIRS = ("de-rm", "de-it", "rm-it")


@pytest.fixture(scope="module")
def built(dermit_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same build twice: once in this process, once with two worker processes."""
    first = tmp_path_factory.mktemp("build1")
    second = tmp_path_factory.mktemp("build2")
    build_corpus(dermit_dir, first, years=YEARS, n_jobs=1, show_progress=False)
    build_corpus(dermit_dir, second, years=YEARS, n_jobs=2, show_progress=False)
    return first, second


@pytest.mark.data
@pytest.mark.parametrize("pair", PAIRS)
def test_corpus_build_writes_two_columns_and_matching_meta(
    built: tuple[Path, Path], pair: str
) -> None:
    out, _ = built
    lines = (out / f"{pair}.tsv").read_text(encoding="utf-8").splitlines()
    meta = (out / f"{pair}.meta.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1000  # two years of press releases
    assert len(meta) == len(lines)
    for line in lines:
        src, tgt = line.split("\t")  # exactly two columns
        assert src.strip() and tgt.strip()
        assert src == src.strip() and "  " not in src and "  " not in tgt
    for row in meta:
        doc_id, src_pos, tgt_pos, score = row.split("\t")
        assert doc_id[:4] in {str(y) for y in YEARS}
        assert src_pos.isdigit() and tgt_pos.isdigit()  # 1-1 beads only by default
        assert 0.0 <= float(score) <= 1.0
    assert len(set(lines)) == len(lines)  # duplicates filtered


@pytest.mark.data
def test_corpus_build_is_deterministic_across_runs_and_jobs(built: tuple[Path, Path]) -> None:
    first, second = built
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted(
        [f"{p}.tsv" for p in PAIRS] + [f"{p}.meta.tsv" for p in PAIRS] + ["stats.json", "stats.md"]
    )
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.data
def test_corpus_build_stats_count_the_written_pairs(built: tuple[Path, Path]) -> None:
    out, _ = built
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert list(stats["pairs"]) == list(PAIRS)
    for pair, entry in stats["pairs"].items():
        lines = (out / f"{pair}.tsv").read_text(encoding="utf-8").splitlines()
        assert entry["sentences"] == len(lines) == entry["filters"]["kept"]
        assert entry["tokens"][0] == sum(len(x.split("\t")[0].split(" ")) for x in lines)
        assert entry["filters"]["seen"] == entry["beads"]["1-1"]
        assert entry["types"][0] > 0 and entry["types"][1] > 0
    assert "| DE-RM |" in (out / "stats.md").read_text(encoding="utf-8")
    assert "research use only" in (out / "stats.md").read_text(encoding="utf-8")


@pytest.mark.data
def test_corpus_build_merges_add_joined_pairs(dermit_dir: Path, tmp_path: Path) -> None:
    result = build_corpus(
        dermit_dir,
        tmp_path,
        pairs="de-rm",
        years=[1997],
        params=BuildParams(merges=True),
        n_jobs=1,
        show_progress=False,
    )
    assert [p.pair for p in result.pairs] == ["de-rm"]
    meta = (tmp_path / "de-rm.meta.tsv").read_text(encoding="utf-8").splitlines()
    assert len(meta) == result.pairs[0].sentences
    merged = sum(
        1
        for b, n in result.pairs[0].beads.items()
        if b not in {"1-1", "1-0", "0-1"}
        for _ in range(n)
    )
    assert result.pairs[0].filters.seen == result.pairs[0].beads.get("1-1", 0) + merged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de-rm", (("de", "rm"),)),
        ("de-rm, rm-it,de-rm", (("de", "rm"), ("rm", "it"))),
        (["it-de"], (("it", "de"),)),
    ],
)
def test_corpus_build_parse_pairs(
    text: str | list[str], expected: tuple[tuple[str, str], ...]
) -> None:
    assert parse_pairs(text) == expected


@pytest.mark.parametrize("text", ["de", "de-de", "de-en", "de-rm-it", ""])
def test_corpus_build_parse_pairs_rejects(text: str) -> None:
    with pytest.raises(WordalignError, match="pair"):
        parse_pairs(text)
