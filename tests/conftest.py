"""Fixtures shared by the whole test suite.

The tiny random-weight models (BERT with a WordPiece vocabulary, XLM-R with a Unigram one) are
built on the spot, nothing is downloaded; tests that ask for them skip when the neural extra
(torch, transformers) is not installed. Their vocabularies are trained on DERMIT text when the
corpus is present (German and Romansh words then split into realistic subwords) and on synthetic
text otherwise; nothing derived from DERMIT is written outside pytest's temporary folders.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def _dermit_dir() -> Path | None:
    env = os.environ.get("WORDALIGN_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "dermit")
    for folder in candidates:
        if (folder / "gold_standard" / "alignments_pharaoh.txt").is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def dermit_dir() -> Path:
    """The DERMIT data folder (WORDALIGN_DATA or ../shared/dermit); skips the test when absent."""
    folder = _dermit_dir()
    if folder is None:
        pytest.skip(
            "DERMIT data not found: set WORDALIGN_DATA or place it in ../shared/dermit "
            "(research-use data, not shipped with wordalign)"
        )
    return folder


@pytest.fixture(scope="session")
def gold_files(dermit_dir: Path) -> dict[str, Path]:
    """Paths of the development half of the DE-RM gold standard."""
    gold = dermit_dir / "gold_standard"
    return {
        "src": gold / "alignments_src_text.txt",
        "tgt": gold / "alignments_trg_text.txt",
        "alignments": gold / "alignments_pharaoh.txt",
    }


def _neural() -> Any:
    """torch, once the neural extra is known to be there (else the asking test skips)."""
    torch = pytest.importorskip("torch", reason="needs the neural extra (torch)")
    pytest.importorskip("transformers", reason="needs the neural extra (transformers)")
    # The tiny models are far too small to profit from several threads, and OpenMP threads
    # that spin-wait slow everything down on a busy machine.
    torch.set_num_threads(1)
    return torch


def _real_model_module() -> Any:
    """bench/real_model.py, imported by path (bench/ is not a package)."""
    import importlib.util
    import sys

    name = "wordalign_bench_real_model"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "real_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_real_model() -> Any:
    """The module bench/real_model.py (it builds the real encoder's folder)."""
    return _real_model_module()


@pytest.fixture(scope="session")
def e5_small() -> Path:
    """The Hugging Face folder of the real multilingual-e5-small encoder (12 layers, hidden 384),
    built once into $WORDALIGN_CACHE/models from ../shared/models (or $WORDALIGN_MODELS); skips
    the test when that source or the neural extra is absent, as on a user's fresh clone."""
    _neural()
    pytest.importorskip("safetensors", reason="building the e5 model needs safetensors")
    real_model = _real_model_module()
    folder: Path | None = real_model.e5_small_folder()
    if folder is None:
        pytest.skip(
            f"real model source not found: {real_model.models_dir() / real_model.SOURCE} "
            f"(set {real_model.ENV_MODELS} to the folder holding it)"
        )
    return folder


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
def training_text(request: pytest.FixtureRequest) -> list[str]:
    """Text to train the tiny vocabularies on: DERMIT when present, else synthetic."""
    try:
        folder: Path | None = request.getfixturevalue("dermit_dir")
    except pytest.skip.Exception:
        folder = None
    return _training_text(folder)


@pytest.fixture(scope="session")
def tiny_vocab(training_text: list[str]) -> list[str]:
    """A 2,000-token cased WordPiece vocabulary."""
    _neural()
    from wordalign.embed.random_model import train_wordpiece_vocab

    return train_wordpiece_vocab(training_text, vocab_size=2000)


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


@pytest.fixture(scope="session")
def tiny_xlmr_dir(training_text: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random XLM-RoBERTa with a Unigram (SentencePiece-style) vocabulary and a
    64-subword limit: the second tokenizer family (``▁`` word prefixes, ``<s>`` ... ``</s>``,
    positions offset by the padding index)."""
    import json

    torch = _neural()
    from tokenizers import SentencePieceUnigramTokenizer
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM, XLMRobertaTokenizer

    trainer = SentencePieceUnigramTokenizer()
    trainer.train_from_iterator(
        training_text,
        vocab_size=1500,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        unk_token="<unk>",
    )
    pieces = [tuple(v) for v in json.loads(trainer.to_str())["model"]["vocab"]]
    tokenizer = XLMRobertaTokenizer(vocab=[*pieces, ("<mask>", 0.0)])
    assert len(tokenizer) == len(pieces) + 1  # built from our vocabulary, not a default one
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=64 + tokenizer.pad_token_id + 1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(3)
    out = tmp_path_factory.mktemp("tiny-xlmr")
    XLMRobertaForMaskedLM(config).eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
