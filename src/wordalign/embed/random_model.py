"""Random-weight BERT model folders, for tests and benchmarks that must not download anything.

The folder is a standard Hugging Face model folder (``config.json``, ``model.safetensors``,
``pytorch_model.bin``, ``vocab.txt`` and the tokenizer files), so ``--model FOLDER`` accepts it, and
so do the reference packages: PyPI ``awesome-align`` reads ``config.json``, ``pytorch_model.bin``
and ``vocab.txt`` through its own vendored copy of an old transformers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def train_wordpiece_vocab(texts: Iterable[str], vocab_size: int = 2000) -> list[str]:
    """A cased WordPiece vocabulary (special tokens first) trained with ``tokenizers``.

    Args:
        texts: Training text, one sentence per item.
        vocab_size: Size of the vocabulary, special tokens included.
    """
    from tokenizers import BertWordPieceTokenizer

    tokenizer = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
    tokenizer.train_from_iterator(
        texts, vocab_size=vocab_size, min_frequency=1, special_tokens=list(SPECIAL_TOKENS)
    )
    vocab = tokenizer.get_vocab()
    return sorted(vocab, key=vocab.__getitem__)


def synthetic_vocab(size: int, seed: int = 0) -> list[str]:
    """A vocabulary of ``size`` distinct tokens: specials, single characters, then random pieces.

    Used to build a model with the embedding matrix of a real one (mBERT: 119,547 tokens) without
    its vocabulary file.
    """
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzäöüàèéìòùABCDEFGHIJKLMNOPQRSTUVWXYZ"
    tokens = list(SPECIAL_TOKENS)
    seen = set(tokens)
    for ch in letters + "0123456789.,;:!?()-'\"/%&":
        for piece in (ch, "##" + ch):
            seen.add(piece)
            tokens.append(piece)
    while len(tokens) < size:
        piece = "".join(rng.choice(letters) for _ in range(rng.randint(2, 8)))
        if rng.random() < 0.4:
            piece = "##" + piece
        if piece not in seen:
            seen.add(piece)
            tokens.append(piece)
    return tokens[:size]


def save_random_bert(
    folder: str | Path,
    vocab: Sequence[str],
    *,
    hidden_size: int = 32,
    num_hidden_layers: int = 2,
    num_attention_heads: int = 2,
    intermediate_size: int | None = None,
    max_position_embeddings: int = 512,
    seed: int = 0,
    legacy_bin: bool = True,
) -> Path:
    """Write a BERT masked-LM model with random weights and the given WordPiece vocabulary.

    Args:
        folder: Output folder (created).
        vocab: Tokens in id order; must contain the BERT special tokens.
        hidden_size, num_hidden_layers, num_attention_heads, intermediate_size,
            max_position_embeddings: The ``BertConfig`` fields (intermediate size defaults to
            four times the hidden size, as in BERT).
        seed: Seed of the weight initialisation.
        legacy_bin: Also write ``pytorch_model.bin`` (what awesome-align reads).

    Returns:
        The folder.
    """
    import torch
    import transformers

    hf: Any = transformers

    missing = [t for t in SPECIAL_TOKENS if t not in vocab]
    if missing:
        raise ValueError(f"vocabulary lacks the special tokens {missing}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    config = hf.BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        intermediate_size=intermediate_size or 4 * hidden_size,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=list(vocab).index("[PAD]"),
    )
    torch.manual_seed(seed)
    model = hf.BertForMaskedLM(config).eval()
    model.save_pretrained(out)
    # awesome-align's vendored loader reads only pytorch_model.bin (torch.save of a state dict).
    if legacy_bin:
        torch.save(model.state_dict(), out / "pytorch_model.bin")

    (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    # transformers 5 takes ``vocab=`` (``vocab_file=`` is silently ignored, leaving 5 tokens).
    tokenizer = hf.BertTokenizerFast(
        vocab={t: i for i, t in enumerate(vocab)},
        do_lower_case=False,
        strip_accents=False,
        model_max_length=max_position_embeddings,
    )
    if len(tokenizer) != len(vocab):
        raise RuntimeError(
            f"tokenizer has {len(tokenizer)} tokens, vocabulary {len(vocab)}: not built from vocab"
        )
    tokenizer.save_pretrained(out)
    # Old tokenizers (awesome-align's) lower-case unless the config says otherwise.
    config_path = out / "tokenizer_config.json"
    tok_config = json.loads(config_path.read_text(encoding="utf-8"))
    tok_config.update(do_lower_case=False, model_max_length=max_position_embeddings)
    config_path.write_text(json.dumps(tok_config, indent=2), encoding="utf-8")
    (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    return out
