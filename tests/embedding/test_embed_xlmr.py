"""The encoder and SimAlign on an XLM-R-style model (SentencePiece pieces, RoBERTa positions)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.embedding import SimAlign
from wordalign.embed.encoder import load_encoder
from wordalign.io.bitext import read_parallel

LAYER = 2  # the tiny models' last layer (see conftest.py)


def test_limit_and_special_tokens(tiny_xlmr_dir: Path) -> None:
    encoder = load_encoder(tiny_xlmr_dir, "cpu", layer=LAYER)
    assert encoder.max_subwords == 62  # 64 usable positions minus <s> and </s>
    tok = encoder.tokenizer
    assert encoder._prefix == [tok.bos_token_id] and encoder._suffix == [tok.eos_token_id]
    words = ["Guten", "Tag"] * 100
    (emb,) = encoder.embed([words])
    assert emb.n_words == 200 and np.array_equal(np.unique(emb.word_ids), np.arange(200))


@pytest.mark.data
def test_links_equal_simalign(tiny_xlmr_dir: Path, gold_files: dict[str, Path]) -> None:
    simalign = pytest.importorskip("simalign", reason="pip install wordalign[peers]")
    logging.getLogger("simalign").setLevel(logging.WARNING)
    encoder = load_encoder(tiny_xlmr_dir, "cpu", layer=LAYER)
    # simalign truncates at the model limit; compare on pairs that fit.
    pairs = [
        p
        for p in list(read_parallel(gold_files["src"], gold_files["tgt"]))[:150]
        if max(len(t.ids) for t in encoder.tokenize([p.src, p.tgt])) <= encoder.max_subwords
    ]
    assert len(pairs) > 100
    for level, token_type in (("subword", "bpe"), ("word", "word")):
        reference = simalign.SentenceAligner(
            model=str(tiny_xlmr_dir), token_type=token_type, matching_methods="ai", layer=LAYER
        )
        expected = [reference.get_word_aligns(list(p.src), list(p.tgt)) for p in pairs]
        for method, key in (("argmax", "inter"), ("itermax", "itermax")):
            ours = SimAlign(
                model=str(tiny_xlmr_dir), method=method, level=level, layer=LAYER, device="cpu"
            ).align(pairs)
            assert [sorted(a) for a in ours] == [e[key] for e in expected], (method, level)
