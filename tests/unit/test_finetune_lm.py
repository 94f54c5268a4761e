"""MLM/TLM at the masked positions only (the same loss and gradients as scoring every position),
the corpus-vocabulary softmax, models without a masked-LM head, what the folders hold, resuming
without optimizer state, and progress lines off a terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="fine-tuning needs the neural extra (torch)")
pytest.importorskip("transformers", reason="fine-tuning needs the neural extra")

from wordalign.errors import WordalignError  # noqa: E402
from wordalign.finetuning import finetune  # noqa: E402
from wordalign.finetuning._model import masked_lm_scores  # noqa: E402
from wordalign.finetuning.mlm import (  # noqa: E402
    corpus_vocabulary,
    masked_lm_loss,
    masked_lm_loss_at,
)
from wordalign.types import SentencePair  # noqa: E402

FAST: dict[str, Any] = dict(align_layer=1, device="cpu", progress=False, batch_size=2)
PAIRS = [
    SentencePair.from_strings("ka lamun tsch ster", "rister gen ai"),
    SentencePair.from_strings("ai ü chà", "kala ung ster mun"),
    SentencePair.from_strings("mun ri genung", "tschai gen lala"),
    SentencePair.from_strings("ster ster ka kari", "ü à ri"),
]


def _batch(model: Any, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random ids with a padded last row, and labels at about a third of the real positions."""
    size = model.get_input_embeddings().weight.shape[0]
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, size, (3, 9), generator=generator)
    attention = torch.ones_like(ids)
    attention[2, 6:] = 0
    chosen = (torch.rand(ids.shape, generator=generator) < 0.35) & attention.bool()
    chosen[1] = False  # a row without a predicted position counts as 0
    chosen[0, 1] = True
    labels = ids.masked_fill(~chosen, -100)
    return ids, attention, labels


def _loss_and_grads(model: Any, compute: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    model.zero_grad(set_to_none=True)
    loss = compute()
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return loss.detach(), grads


@pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_xlmr_dir"])
def test_finetune_masked_positions_loss_equals_the_full_logits_loss(
    folder: str, request: pytest.FixtureRequest
) -> None:
    from transformers import AutoModelForMaskedLM

    model = AutoModelForMaskedLM.from_pretrained(request.getfixturevalue(folder)).eval()
    ids, attention, labels = _batch(model)

    def full() -> torch.Tensor:
        logits = model(input_ids=ids, attention_mask=attention).logits
        return masked_lm_loss(logits, labels)

    def gathered() -> torch.Tensor:
        scores, targets, rows = masked_lm_scores(model, ids, attention, labels)
        assert scores.shape == (int((labels != -100).sum()), logits_width)
        return masked_lm_loss_at(scores, targets, rows, ids.shape[0])

    logits_width = model.get_output_embeddings().weight.shape[0]
    old, old_grads = _loss_and_grads(model, full)
    new, new_grads = _loss_and_grads(model, gathered)
    torch.testing.assert_close(new, old, rtol=1e-6, atol=1e-6)
    assert new_grads.keys() == old_grads.keys()
    for name in old_grads:
        torch.testing.assert_close(new_grads[name], old_grads[name], rtol=1e-5, atol=1e-7)


def test_finetune_corpus_vocabulary_softmax_is_the_full_softmax_over_those_ids(
    tiny_model_dir: Path,
) -> None:
    from transformers import AutoModelForMaskedLM

    model = AutoModelForMaskedLM.from_pretrained(tiny_model_dir).eval()
    ids, attention, labels = _batch(model, seed=1)
    size = model.get_output_embeddings().weight.shape[0]
    used, lookup = corpus_vocabulary([ids[0].numpy(), ids[1:].reshape(-1).numpy()], size)
    assert list(used) == sorted(set(ids.reshape(-1).tolist()))
    assert (lookup[used] == range(len(used))).all() and (lookup >= 0).sum() == len(used)
    vocab = (torch.from_numpy(used), torch.from_numpy(lookup))

    scores, targets, _ = masked_lm_scores(model, ids, attention, labels, vocab)
    assert scores.shape == (int((labels != -100).sum()), len(used))
    logits = model(input_ids=ids, attention_mask=attention).logits
    chosen = labels != -100
    torch.testing.assert_close(scores, logits[chosen][:, vocab[0]], rtol=1e-5, atol=1e-6)
    assert torch.equal(vocab[0][targets], labels[chosen])
    # The decoder is put back.
    assert isinstance(model.get_output_embeddings(), torch.nn.Linear)
    assert model(input_ids=ids, attention_mask=attention).logits.shape[-1] == size


def test_finetune_corpus_vocabulary_option_trains(tiny_model_dir: Path, tmp_path: Path) -> None:
    full = finetune(
        tiny_model_dir, PAIRS, tmp_path / "full", objectives="mlm,tlm", max_steps=2, **FAST
    )
    part = finetune(
        tiny_model_dir,
        PAIRS,
        tmp_path / "corpus",
        objectives="mlm,tlm",
        max_steps=2,
        mlm_vocab="corpus",
        **FAST,
    )
    assert part.settings["mlm_vocab"] == "corpus"
    for name in ("mlm", "tlm"):
        # Fewer competitors in the softmax: a smaller loss on the same masked positions.
        assert all(a < b for a, b in zip(part.losses[name], full.losses[name], strict=True))
    with pytest.raises(WordalignError, match="unknown mlm vocabulary 'some'"):
        finetune(tiny_model_dir, PAIRS, tmp_path / "x", mlm_vocab="some", max_steps=1, **FAST)


@pytest.fixture(scope="module")
def headless_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT saved as a ``BertModel`` (no masked-LM head), as multilingual-e5 comes."""
    from transformers import AutoModel

    folder = tmp_path_factory.mktemp("headless-bert")
    AutoModel.from_pretrained(tiny_model_dir).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        if (tiny_model_dir / name).exists():
            shutil.copy(tiny_model_dir / name, folder / name)
    return folder


def test_finetune_refuses_mlm_without_a_head_unless_allowed(
    headless_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(WordalignError, match=r"has no masked-language-model head \(cls\.") as info:
        finetune(headless_dir, PAIRS, tmp_path / "refused", max_steps=1, **FAST)
    assert "tlm train through" in str(info.value) and "--new-head" in str(info.value)
    assert not (tmp_path / "refused").exists()

    messages: list[str] = []
    first = finetune(
        headless_dir,
        PAIRS,
        tmp_path / "new",
        max_steps=1,
        new_head=True,
        log=messages.append,
        **FAST,
    )
    (warning,) = messages
    assert warning.startswith("warning: model ") and "\n" not in warning
    assert "cls.predictions.transform.dense.weight" in warning
    assert warning.endswith("are initialised randomly for tlm")
    # The new head is drawn from the seed: the same run gives the same losses.
    torch.manual_seed(123)  # the global generator's state does not matter
    again = finetune(headless_dir, PAIRS, tmp_path / "again", max_steps=1, new_head=True, **FAST)
    assert again.losses == first.losses

    # SO needs no head: no word about it.
    messages.clear()
    finetune(
        headless_dir,
        PAIRS,
        tmp_path / "so",
        objectives="so",
        max_steps=1,
        log=messages.append,
        **FAST,
    )
    assert messages == []


def test_finetune_new_head_warning_is_a_logged_warning_by_default(
    headless_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # At WARNING level: without logging set up, Python writes it to stderr.
    finetune(headless_dir, PAIRS, tmp_path, objectives="mlm", max_steps=1, new_head=True, **FAST)
    (record,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert record.name == "wordalign.finetuning.trainer"
    assert "has no masked-language-model head" in record.getMessage()
    assert record.getMessage().endswith("initialised randomly for mlm")


def test_finetune_folders_hold_the_encoder_or_the_masked_lm_model(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    from wordalign.aligners.embedding import SimAlign

    out = tmp_path / "full"
    finetune(
        tiny_model_dir, PAIRS, out, max_steps=1, save_lm_head=True, save_optimizer=True, **FAST
    )
    for folder in (out, out / "checkpoint-1"):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        assert config["architectures"] == ["BertForMaskedLM"]
    assert (out / "checkpoint-1" / "optimizer.pt").is_file()
    assert not (out / "checkpoint-1" / "lm_head.pt").exists()  # in the model itself
    # SO alone trains no head: none saved.
    finetune(tiny_model_dir, PAIRS, tmp_path / "so", objectives="so", max_steps=1, **FAST)
    assert not (tmp_path / "so" / "checkpoint-1" / "lm_head.pt").exists()
    aligner = SimAlign(model=str(tmp_path / "so"), layer=1, device="cpu", progress=False)
    assert len(aligner.align(PAIRS[:2])) == 2


def test_finetune_resumes_without_optimizer_state_with_a_note(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=1, **FAST)
    messages: list[str] = []
    result = finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=2, log=messages.append, **FAST)
    assert (result.start_step, result.steps) == (1, 2)
    assert messages[0] == f"resuming from {tmp_path / 'checkpoint-1'} (step 1 of 2)"
    assert "holds no optimizer state" in messages[1] and "start afresh" in messages[1]


def test_finetune_progress_off_a_terminal_writes_lines_within_steps(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    from wordalign._progress import LineProgress

    monkeypatch.delenv("WORDALIGN_PROGRESS", raising=False)
    # Every update is 30 s later: each batch writes a line.
    monkeypatch.setitem(LineProgress.__init__.__kwdefaults__, "interval", 0.0)
    settings = {**FAST, "progress": True, "gradient_accumulation_steps": 2}
    finetune(tiny_model_dir, PAIRS, tmp_path, objectives="so", max_steps=2, **settings)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("wordalign: fine-tuning: 0/2 step, ? step/s")
    # A line after each batch (two a step) and one after each step; the last is the end line.
    assert len(lines) >= 1 + 2 * (2 + 1)
    assert any(
        line.startswith("wordalign: fine-tuning: 1/2 step,") and "left" in line for line in lines
    )
    assert lines[-1].startswith("wordalign: fine-tuning: 2/2 step,") and "so=" in lines[-1]


def test_finetune_real_e5_small_is_refused_for_tlm_without_new_head(
    e5_small: Path, tmp_path: Path
) -> None:
    # multilingual-e5-small is a BertModel: its head would be random (issue 15.4b).
    with pytest.raises(WordalignError, match=r"no masked-language-model head \(cls\.predictions"):
        finetune(e5_small, PAIRS, tmp_path, max_steps=1, device="cpu", progress=False)
    assert not tmp_path.joinpath("checkpoint-1").exists()
