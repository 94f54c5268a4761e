"""Fixtures of the embedding-aligner tests: tiny random-weight BERT models built on the spot.

Nothing is downloaded. The WordPiece vocabulary is trained on DERMIT text when the corpus is
present (so that German and Romansh words split into realistic subwords) and on synthetic text
otherwise; nothing derived from DERMIT is written outside pytest's temporary folders.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="embedding aligners need the neural extra (torch)")
pytest.importorskip("transformers", reason="embedding aligners need the neural extra")

# The tiny models are far too small to profit from several threads, and OpenMP threads that
# spin-wait slow everything down on a busy machine.
torch.set_num_threads(1)

LAYER = 2
"""The tiny models have two layers; tests take the last one (the reference default, 8, is beyond)."""


def _training_text(folder: Path | None) -> list[str]:
    if folder is None:
        rng = random.Random(0)
        syllables = ["ka", "la", "mun", "tsch", "ri", "ster", "gen", "ung", "ai", "ü", "à", "ch"]
        return [
            " ".join(
                "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
                for _ in range(rng.randint(3, 20))
            )
            for _ in range(3000)
        ]
    from wordalign.corpus.dermit import iter_documents

    gold = folder / "gold_standard"
    lines = []
    for name in ("alignments_src_text.txt", "alignments_trg_text.txt"):
        text = (gold / name).read_text(encoding="utf-8")
        lines.extend(line.partition("\t")[2] for line in text.splitlines())
    for document in iter_documents(folder, years=[2021]):
        for lang in ("de", "rm"):
            lines.extend(p for p in document.content.get(lang, "").splitlines() if p.strip())
        if len(lines) > 4000:
            break
    return lines


@pytest.fixture(scope="session")
def tiny_vocab(request: pytest.FixtureRequest) -> list[str]:
    """A 2,000-token cased WordPiece vocabulary (DERMIT text when present, else synthetic)."""
    from wordalign.embed.random_model import train_wordpiece_vocab

    try:
        folder: Path | None = request.getfixturevalue("dermit_dir")
    except pytest.skip.Exception:
        folder = None
    return train_wordpiece_vocab(_training_text(folder), vocab_size=2000)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_vocab: list[str]) -> Path:
    """A 2-layer, 32-wide random BERT with a 512-subword limit (the reference packages' setting)."""
    from wordalign.embed.random_model import save_random_bert

    folder = tmp_path_factory.mktemp("tiny-bert")
    return save_random_bert(folder, tiny_vocab, max_position_embeddings=512, seed=1)


@pytest.fixture(scope="session")
def short_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_vocab: list[str]) -> Path:
    """The same architecture with a 64-subword limit, to exercise windowing."""
    from wordalign.embed.random_model import save_random_bert

    folder = tmp_path_factory.mktemp("short-bert")
    return save_random_bert(folder, tiny_vocab, max_position_embeddings=64, seed=2)
