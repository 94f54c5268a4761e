"""The encoder layer: subword-to-word maps, layer cut, windowing of long sentences, loading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wordalign.embed.encoder import (
    MODEL_ALIASES,
    load_encoder,
    resolve_device,
    resolve_model_name,
)
from wordalign.errors import WordalignError

LAYER = 2  # the tiny models' last layer (see conftest.py)


def test_importing_wordalign_does_not_import_torch() -> None:
    code = (
        "import sys, wordalign, wordalign.registry; "
        "from wordalign.embed import load_encoder; "
        "from wordalign.aligners.embedding import SimAlign, AwesomeAlign, match_links; "
        "print(sorted(m for m in ('torch', 'transformers', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_aliases() -> None:
    assert resolve_model_name("mbert") == MODEL_ALIASES["mbert"] == "bert-base-multilingual-cased"
    assert resolve_model_name("xlmr") == "xlm-roberta-base"
    assert resolve_model_name("some/folder") == "some/folder"


def test_devices() -> None:
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(WordalignError, match="unknown device"):
        resolve_device("tpu-ish")


def test_missing_model_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(WordalignError, match="cannot load model"):
        load_encoder(str(tmp_path / "no-such-model"), "cpu")


def test_layer_out_of_range(tiny_model_dir: Path) -> None:
    with pytest.raises(WordalignError, match="has no layer 9: it has 2 layers"):
        load_encoder(tiny_model_dir, "cpu", layer=9)


def test_layer_zero_is_the_embeddings(tiny_model_dir: Path) -> None:
    words = [["Die", "Regierung", "informiert"]]
    (zero,) = load_encoder(tiny_model_dir, "cpu", layer=0).embed(words)
    (first,) = load_encoder(tiny_model_dir, "cpu", layer=1).embed(words)
    assert zero.vectors.shape == first.vectors.shape
    assert not np.allclose(zero.vectors, first.vectors)


def test_subwords_map_to_words(tiny_model_dir: Path) -> None:
    encoder = load_encoder(tiny_model_dir, "cpu", layer=LAYER)
    words = ["Die", "Kinderimpfungen", "werden", "\u200b", "durchgeführt", "."]
    (emb,) = encoder.embed([words])
    per_word = [encoder.tokenizer.tokenize(w) for w in words]
    # Same subwords as tokenizing word by word (what simalign and awesome-align do); a word
    # that tokenizes to nothing becomes one unknown token so that it still gets a vector.
    expected = [p or [encoder.tokenizer.unk_token] for p in per_word]
    assert encoder.tokenizer.convert_ids_to_tokens(encoder.tokenize([words])[0].ids.tolist()) == [
        t for p in expected for t in p
    ]
    assert emb.word_ids.tolist() == [k for k, p in enumerate(expected) for _ in p]
    assert emb.vectors.shape == (sum(map(len, expected)), 32)
    assert emb.word_vectors().shape == (len(words), 32)


def test_hidden_state_of_the_cut_model_equals_the_full_model(tiny_model_dir: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    words = ["Allen", "anderen", "Kindern", "wird", "keine", "Impfung", "empfohlen"]
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModel.from_pretrained(tiny_model_dir).eval()
    inputs = tokenizer([words], is_split_into_words=True, return_tensors="pt")
    with torch.inference_mode():
        full = model(**inputs, output_hidden_states=True).hidden_states[1][0, 1:-1].numpy()
    (emb,) = load_encoder(tiny_model_dir, "cpu", layer=1).embed([words])
    np.testing.assert_allclose(emb.vectors, full, rtol=1e-5, atol=1e-5)


def test_batching_does_not_change_vectors(tiny_model_dir: Path) -> None:
    sentences = [["a", "b", "c"] * k for k in range(1, 9)]
    one_by_one = load_encoder(tiny_model_dir, "cpu", layer=LAYER, batch_size=1).embed(sentences)
    batched = load_encoder(tiny_model_dir, "cpu", layer=LAYER, batch_size=5).embed(sentences)
    for a, b in zip(one_by_one, batched, strict=True):
        np.testing.assert_allclose(a.vectors, b.vectors, rtol=1e-4, atol=1e-5)


def test_empty_sentences(tiny_model_dir: Path) -> None:
    encoder = load_encoder(tiny_model_dir, "cpu", layer=LAYER)
    empty, one = encoder.embed([[], ["Haus"]])
    assert empty.vectors.shape == (0, 32) and empty.n_words == 0
    assert empty.word_vectors().shape == (0, 32)
    assert one.n_words == 1


def test_long_sentence_is_windowed_not_cut(short_model_dir: Path) -> None:
    encoder = load_encoder(short_model_dir, "cpu", layer=LAYER)
    assert encoder.max_subwords == 62  # 64 positions minus [CLS] and [SEP]
    rng = np.random.default_rng(0)
    vocab = ["Kanton", "Graubünden", "la", "chasa", "Regierung", "da", "ils", "Impfung", "."]
    words = [str(w) for w in rng.choice(vocab, size=300)]
    (emb,) = encoder.embed([words])
    tokenized = encoder.tokenize([words])[0]
    assert emb.vectors.shape == (len(tokenized.ids), 32)
    assert len(tokenized.ids) > 3 * encoder.max_subwords
    assert np.array_equal(np.unique(emb.word_ids), np.arange(len(words)))
    assert emb.word_vectors().shape == (300, 32)
    assert np.isfinite(emb.vectors).all()

    # Each subword's vector is the one it gets in the window where it is most central.
    from wordalign.embed.windows import choose_window, plan_windows

    plan = plan_windows(len(tokenized.ids), encoder.max_subwords)
    chosen = choose_window(plan, len(tokenized.ids))
    for w, (a, b) in enumerate(plan):
        ids = tokenized.ids[a:b]
        alone = encoder.embed_tokenized([type(tokenized)(ids, np.zeros(len(ids), np.int64), 1)])[0]
        take = np.flatnonzero(chosen == w)
        np.testing.assert_allclose(emb.vectors[take], alone.vectors[take - a], rtol=1e-4, atol=1e-5)


def test_2000_word_sentence_aligns(short_model_dir: Path, tiny_vocab: list[str]) -> None:
    from wordalign.aligners.embedding import AwesomeAlign, SimAlignItermax

    # Whole-word vocabulary entries, so that the sentence is 2,000 subwords long.
    whole = [t for t in tiny_vocab if t.isalpha() and len(t) > 3][:50]
    words = [whole[k % len(whole)] for k in range(2000)]
    pair = (words, words[::-1])
    (a,) = SimAlignItermax(model=str(short_model_dir), layer=LAYER, device="cpu").align([pair])
    # Links reach the end of both sides (nothing past the 62-subword limit was cut).
    assert a.max_src() > 1900 and a.max_tgt() > 1900
    assert len({i for i, _ in a.links}) >= 1000
    (b,) = AwesomeAlign(model=str(short_model_dir), layer=LAYER, device="cpu").align([pair])
    assert len(b) >= 1000 and b.max_src() < 2000 and b.max_tgt() < 2000


def test_aligners_handle_empty_lines(tiny_model_dir: Path) -> None:
    from wordalign.aligners.embedding import AwesomeAlign, SimAlign

    pairs = [("", ""), ("das Haus", ""), ("das Haus", "la chasa"), ("", "la")]
    for aligner in (
        SimAlign(model=str(tiny_model_dir), method="match", layer=LAYER, device="cpu"),
        AwesomeAlign(model=str(tiny_model_dir), layer=LAYER, device="cpu"),
    ):
        out = aligner.align(pairs)
        assert [len(a) for a in out[:2]] == [0, 0] and len(out[3]) == 0
        assert len(out[2]) >= 1
        assert aligner.align([("", "")]) == [out[0]]


def test_bf16_autocast_is_close_to_fp32(tiny_model_dir: Path) -> None:
    words = ["Die", "Regierung", "hat", "das", "Gesetz", "beschlossen"]
    (fp32,) = load_encoder(tiny_model_dir, "cpu", layer=LAYER, precision="fp32").embed([words])
    (bf16,) = load_encoder(tiny_model_dir, "cpu", layer=LAYER, precision="bf16").embed([words])
    assert bf16.vectors.dtype == np.float32
    np.testing.assert_allclose(bf16.vectors, fp32.vectors, atol=0.1)
    assert not np.array_equal(bf16.vectors, fp32.vectors)  # autocast really ran in bf16
    with pytest.raises(WordalignError, match="unknown precision"):
        load_encoder(tiny_model_dir, "cpu", layer=LAYER, precision="fp8")  # type: ignore[arg-type]
