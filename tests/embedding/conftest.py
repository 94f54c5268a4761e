"""The embedding-aligner tests need the neural extra; their tiny models are fixtures of
tests/conftest.py, the toy gold pairs that the experiments' tests share are here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wordalign.types import Alignment, SentencePair

torch = pytest.importorskip("torch", reason="embedding aligners need the neural extra (torch)")
pytest.importorskip("transformers", reason="embedding aligners need the neural extra")

# The tiny models are far too small to profit from several threads, and OpenMP threads that
# spin-wait slow everything down on a busy machine.
torch.set_num_threads(1)

LAYER = 2
"""The tiny models have two layers; tests take the last one (the reference default, 8, is beyond)."""

# Four gold pairs of toy words (one with an empty source side) for the methods experiment and
# the layer sweep; every word is in the tiny models' vocabulary.
TOY_PAIRS = [
    SentencePair(("kala", "mun", "tschri"), ("lamun", "ka", "ri", "tschü")),
    SentencePair(("gen", "ungai"), ("chgen", "ung", "ster")),
    SentencePair((), ("ka",)),
    SentencePair(("à", "kastergen", "ri", "lala", "ü"), ("ri", "à", "kastergen")),
]
TOY_GOLD = [
    Alignment.from_pharaoh("0-1 1-0 2-3"),
    Alignment.from_pharaoh("0-0 1-1 1p2"),
    Alignment(),
    Alignment.from_pharaoh("0-1 1-2 2-0"),
]


@pytest.fixture
def toy_pairs() -> list[SentencePair]:
    """:data:`TOY_PAIRS` (a fresh list)."""
    return list(TOY_PAIRS)


@pytest.fixture
def toy_gold() -> list[Alignment]:
    """:data:`TOY_GOLD`, the gold alignments of :data:`TOY_PAIRS` (a fresh list)."""
    return list(TOY_GOLD)


@pytest.fixture
def toy_data_dir(tmp_path: Path) -> Callable[..., Path]:
    """A function writing the toy pairs as a DERMIT folder (``gold_standard/`` with the three
    gold files) below ``tmp_path``; with ``index=True`` each line starts with an INDEX column
    (0, 2, 4, ...), else the IDs are the line numbers. It returns the folder."""

    def write(*, index: bool = False) -> Path:
        root = tmp_path / "data"
        gold = root / "gold_standard"
        gold.mkdir(parents=True)
        for name, lines in (
            ("alignments_src_text.txt", [" ".join(p.src) for p in TOY_PAIRS]),
            ("alignments_trg_text.txt", [" ".join(p.tgt) for p in TOY_PAIRS]),
            ("alignments_pharaoh.txt", [g.to_pharaoh() for g in TOY_GOLD]),
        ):
            prefixes = [f"{2 * k}\t" if index else "" for k in range(len(lines))]
            text = "".join(f"{p}{line}\n" for p, line in zip(prefixes, lines, strict=True))
            (gold / name).write_text(text, encoding="utf-8")
        return root

    return write
