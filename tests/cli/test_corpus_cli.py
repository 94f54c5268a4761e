"""``wordalign corpus sentalign`` and ``wordalign corpus build`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordalign.cli.main import main

SRC = [
    "Der Kanton zahlt im Jahr 2021 einen Beitrag von 250 000 Franken.",
    "Das Projekt beginnt im Sommer.",
    "Die Regierung hat das Programm für die Region Surselva genehmigt.",
]
TGT = [
    "Il chantun paja l'onn 2021 ina contribuziun da 250 000 francs.",
    "Il project cumenza la stad.",
    "Quai è ina frasa supplementara senza correspundenza en il text original tudestg.",
    "La Regenza ha approvà il program per la regiun Surselva.",
]


@pytest.fixture
def documents(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "doc.de"
    tgt = tmp_path / "doc.rm"
    src.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(TGT) + "\n", encoding="utf-8")
    return src, tgt


def test_corpus_cli_sentalign_writes_beads(
    documents: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    src, tgt = documents
    args = ["corpus", "sentalign", "--src", str(src), "--tgt", str(tgt)]
    assert main([*args, "--src-lang", "de", "--tgt-lang", "rm"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(s, t) for s, t, _ in rows] == [
        (SRC[0], TGT[0]),
        (SRC[1], TGT[1]),
        ("", TGT[2]),
        (SRC[2], TGT[3]),
    ]
    assert all(0.0 <= float(score) <= 1.0 for _, _, score in rows)
    assert float(rows[2][2]) == 0.0


def test_corpus_cli_sentalign_segment_and_out_file(
    documents: tuple[Path, Path], tmp_path: Path
) -> None:
    src, tgt = documents
    # Raw text: the sentences of a paragraph on one line.
    src.write_text(" ".join(SRC) + "\n", encoding="utf-8")
    out = tmp_path / "beads.tsv"
    args = ["corpus", "sentalign", "--src", str(src), "--tgt", str(tgt), "--segment"]
    assert main([*args, "--src-lang", "de", "--tgt-lang", "rm", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert [r.split("\t")[0] for r in rows] == [SRC[0], SRC[1], "", SRC[2]]
    # An existing output is not replaced without --overwrite.
    assert main([*args, "--out", str(out)]) == 2
    assert main([*args, "--out", str(out), "--overwrite"]) == 0


def test_corpus_cli_sentalign_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "a.txt"
    tgt = tmp_path / "b.txt"
    src.write_text("Der Hund schläft im Garten.\n", encoding="utf-8")
    tgt.write_text("La giat maglia en chasa.\nIl chaun dorma en l'iert.\n", encoding="utf-8")
    dictionary = tmp_path / "dict.tsv"
    dictionary.write_text("hund\tchaun\nGarten\tiert\nschläft\tdorma\n", encoding="utf-8")
    args = ["corpus", "sentalign", "--src", str(src), "--tgt", str(tgt)]
    assert main([*args, "--dictionary", str(dictionary)]) == 0
    rows = [line.split("\t")[:2] for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        ["", "La giat maglia en chasa."],
        ["Der Hund schläft im Garten.", "Il chaun dorma en l'iert."],
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Ein Satz.\n\nNoch einer.\n", "doc.de:2: empty line"),
        ("Ein\tSatz.\n", "doc.de:1: tab in a sentence"),
    ],
)
def test_corpus_cli_sentalign_bad_input(
    documents: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    src, tgt = documents
    src.write_text(content, encoding="utf-8")
    assert main(["corpus", "sentalign", "--src", str(src), "--tgt", str(tgt)]) == 2
    assert message in capsys.readouterr().err


def test_corpus_cli_sentalign_bad_dictionary(
    documents: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, tgt = documents
    dictionary = tmp_path / "dict.tsv"
    dictionary.write_text("hund chaun\n", encoding="utf-8")
    args = ["corpus", "sentalign", "--src", str(src), "--tgt", str(tgt)]
    assert main([*args, "--dictionary", str(dictionary)]) == 2
    assert "dict.tsv:1: expected 'source word<TAB>target word'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pairs", "de-en"], "bad language pair 'de-en'"),
        (["--years", "20x1"], "--years '20x1'"),
        (["--jobs", "0"], "--jobs 0"),
    ],
)
def test_corpus_cli_build_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    args = ["corpus", "build", "--data", str(data), "--out", str(tmp_path / "out"), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.data
def test_corpus_cli_build_one_year(
    dermit_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pairs"
    args = ["corpus", "build", "--data", str(dermit_dir), "--pairs", "de-rm", "--out", str(out)]
    assert main([*args, "--years", "1997", "--jobs", "1", "--no-progress"]) == 0
    assert "| DE-RM |" in capsys.readouterr().out
    assert (out / "de-rm.tsv").stat().st_size > 0
    assert main([*args, "--years", "1997", "--jobs", "1", "--no-progress"]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_corpus_cli_download_complete_cache_fetches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wordalign.corpus.dermit import dermit_files

    # Every file present already: download_dermit skips them all and touches no network (the
    # URL points nowhere to make sure).
    monkeypatch.setenv("WORDALIGN_DERMIT_URL", "http://127.0.0.1:9/")
    for rel in dermit_files():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n", encoding="utf-8")
    assert main(["corpus", "download", "--cache", str(tmp_path), "--no-progress"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
