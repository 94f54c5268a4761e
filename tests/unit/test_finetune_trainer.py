"""Fine-tuning on the tiny random BERT: weights change, the folder aligns, each objective
trains, the SO target equals awesome extraction, resuming equals an uninterrupted run."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="fine-tuning needs the neural extra (torch)")
pytest.importorskip("transformers", reason="fine-tuning needs the neural extra")


from wordalign.aligners.embedding import AwesomeAlign  # noqa: E402
from wordalign.errors import WordalignError  # noqa: E402
from wordalign.finetuning import FinetuneResult, finetune, latest_checkpoint  # noqa: E402
from wordalign.types import SentencePair  # noqa: E402

LAYER = 1  # the tiny model has 2 layers; PSI classifies with the one above (2)
FAST: dict[str, Any] = dict(align_layer=LAYER, device="cpu", progress=False, batch_size=2)


def synthetic_pairs(n: int, seed: int = 0) -> list[SentencePair]:
    rng = random.Random(seed)
    syllables = ["ka", "la", "mun", "tsch", "ri", "ster", "gen", "ung", "ai", "ü", "à", "ch"]

    def sentence() -> str:
        return " ".join(
            "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(2, 8))
        )

    return [SentencePair.from_strings(sentence(), sentence()) for _ in range(n)]


PAIRS = synthetic_pairs(12)


def encoder_weights(folder: Path) -> dict[str, Any]:
    """The encoder's weights as the aligners load them (the pooler, absent from the folders
    and drawn anew on every load, left out)."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(folder)
    return {
        k: v.detach().clone() for k, v in model.state_dict().items() if not k.startswith("pooler.")
    }


def test_finetune_changes_weights_and_the_folder_aligns(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tuned"
    result = finetune(tiny_model_dir, [*PAIRS, SentencePair((), ("x",))], out, max_steps=3, **FAST)
    assert isinstance(result, FinetuneResult)
    assert (result.steps, result.start_step, result.objectives) == (3, 0, ("tlm", "so"))
    assert (result.pairs, result.skipped_pairs) == (len(PAIRS), 1)
    assert all(len(v) == 3 and all(map(math.isfinite, v)) for v in result.losses.values())
    summary = result.to_dict()
    assert summary["out_dir"] == str(out) and set(summary["last_losses"]) == {"tlm", "so"}
    before, after = encoder_weights(tiny_model_dir), encoder_weights(out)
    assert before.keys() == after.keys()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert "encoder.layer.0.attention.self.query.weight" in changed
    # The encoder alone (what the aligners load), the trained head's own weights for resuming,
    # no optimizer state unless asked for.
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["architectures"] == ["BertModel"]
    checkpoint = out / "checkpoint-3"
    assert (checkpoint / "lm_head.pt").is_file() and not (checkpoint / "optimizer.pt").exists()
    head = torch.load(checkpoint / "lm_head.pt", weights_only=True)
    assert head and all(k.startswith("cls.") for k in head)
    assert "cls.predictions.decoder.weight" not in head  # tied to the input embeddings

    alignments = AwesomeAlign(model=str(out), layer=LAYER, device="cpu", progress=False).align(
        PAIRS[:3]
    )
    assert len(alignments) == 3 and all(len(a) > 0 for a in alignments)
    for pair, alignment in zip(PAIRS, alignments, strict=False):
        assert all(i < len(pair.src) and j < len(pair.tgt) for i, j in alignment.links)


@pytest.mark.parametrize("objective", ["mlm", "tlm", "so", "psi", "co"])
def test_finetune_each_objective_has_a_finite_loss_and_a_gradient(
    objective: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    # One step with one batch: Adam moves a weight only where its gradient is nonzero.
    result = finetune(
        tiny_model_dir,
        PAIRS,
        tmp_path / objective,
        objectives=[objective],
        max_steps=1,
        gradient_accumulation_steps=1,
        **FAST,
    )
    (loss,) = result.losses[objective]
    assert math.isfinite(loss)
    before, after = encoder_weights(tiny_model_dir), encoder_weights(tmp_path / objective)
    assert not torch.equal(
        before["encoder.layer.0.attention.self.query.weight"],
        after["encoder.layer.0.attention.self.query.weight"],
    )


def test_finetune_so_target_is_the_awesome_extraction(tiny_model_dir: Path) -> None:
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from wordalign.finetuning._model import hidden_states_at, prepare
    from wordalign.finetuning.data import encode_pairs, side_batch, special_tokens
    from wordalign.finetuning.so import directional_probabilities, subword_links, word_links

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForMaskedLM.from_pretrained(tiny_model_dir).eval()
    prepare(model)
    specials = special_tokens(tokenizer)
    corpus = encode_pairs(tokenizer, PAIRS, 500, specials)
    src = side_batch([p.src for p in corpus.pairs], specials)
    tgt = side_batch([p.tgt for p in corpus.pairs], specials)
    t = torch.from_numpy
    with torch.no_grad():
        src_hidden = hidden_states_at(model, t(src.input_ids), t(src.attention_mask), LAYER)
        tgt_hidden = hidden_states_at(model, t(tgt.input_ids), t(tgt.attention_mask), LAYER)
        forward, backward = directional_probabilities(
            src_hidden, tgt_hidden, t(src.content_mask), t(tgt.content_mask)
        )
        links = subword_links(forward, backward, t(src.content_mask), t(tgt.content_mask), 1e-3)
        words = word_links(links, t(src.word_ids), t(tgt.word_ids))
    expected = AwesomeAlign(model=str(tiny_model_dir), layer=LAYER, device="cpu").align(PAIRS)
    for k, alignment in enumerate(expected):
        assert {tuple(ij) for ij in words[k].nonzero().tolist()} == set(alignment.links)


def test_finetune_epochs_set_the_steps_and_long_pairs_are_cut(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    messages: list[str] = []
    settings: dict[str, Any] = {**FAST, "gradient_accumulation_steps": 2, "block_size": 8}
    result = finetune(tiny_model_dir, PAIRS, tmp_path, epochs=2, log=messages.append, **settings)
    # 12 pairs in batches of 2 = 6 batches an epoch; 2 epochs of 2 batches a step = 6 steps
    assert result.steps == 6 and len(result.losses["so"]) == 6
    assert result.truncated_pairs > 0 and result.settings["block_size"] == 8
    assert messages == [
        f"cut {result.truncated_pairs} pair(s) longer than 8 subwords to that length"
    ]


class _Stop(Exception):
    pass


def _stop_at(step: int) -> Callable[[int, Mapping[str, float]], None]:
    def callback(done: int, losses: Mapping[str, float]) -> None:
        if done == step:
            raise _Stop

    return callback


def test_finetune_resumes_to_the_same_weights_as_an_uninterrupted_run(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    settings: dict[str, Any] = dict(
        objectives="tlm,so,psi", max_steps=4, save_steps=1, seed=3, save_optimizer=True, **FAST
    )
    interrupted = tmp_path / "interrupted"
    with pytest.raises(_Stop):
        finetune(tiny_model_dir, PAIRS, interrupted, callback=_stop_at(2), **settings)
    assert sorted(p.name for p in interrupted.glob("checkpoint-*")) == [
        "checkpoint-1",
        "checkpoint-2",
    ]
    assert latest_checkpoint(interrupted) == interrupted / "checkpoint-2"
    messages: list[str] = []
    resumed = finetune(tiny_model_dir, PAIRS, interrupted, log=messages.append, **settings)
    assert messages == [f"resuming from {interrupted / 'checkpoint-2'} (step 2 of 4)"]
    assert (resumed.start_step, resumed.steps) == (2, 4)

    whole = finetune(tiny_model_dir, PAIRS, tmp_path / "whole", **settings)
    assert resumed.losses == whole.losses and len(whole.losses["psi"]) == 4
    a, b = encoder_weights(interrupted), encoder_weights(tmp_path / "whole")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)

    # Run again: nothing left to train, the same model.
    again = finetune(tiny_model_dir, PAIRS, interrupted, log=messages.append, **settings)
    assert (again.start_step, again.steps) == (4, 4) and again.losses == whole.losses


def test_finetune_refuses_to_resume_with_other_settings(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=1, **FAST)
    with pytest.raises(WordalignError, match=r"other settings \(seed 42 there, 7 now\)"):
        finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=2, seed=7, **FAST)
    with pytest.raises(WordalignError, match="data"):
        finetune(tiny_model_dir, PAIRS[:-1], tmp_path, max_steps=2, **FAST)
    fresh = finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=1, seed=7, overwrite=True, **FAST)
    assert fresh.start_step == 0 and fresh.settings["seed"] == 7


def test_finetune_refuses_a_folder_holding_another_model(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(WordalignError, match="holds a model but no fine-tuning checkpoint"):
        finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=1, **FAST)
    assert finetune(tiny_model_dir, PAIRS, tmp_path, max_steps=1, overwrite=True, **FAST).steps == 1


ERROR_CASES: list[tuple[dict[str, Any], str]] = [
    (dict(align_layer=3), "align layer 3 does not exist: the model has 2 layers"),
    (dict(batch_size=0), "batch size must be positive"),
    (dict(mlm_probability=1.5), "mlm probability"),
    (dict(objectives="psi", pairs=PAIRS[:1]), "needs at least two pairs"),
    (dict(pairs=[SentencePair(("a",), ())]), "no sentence pair with words on both sides"),
]


@pytest.mark.parametrize(("change", "message"), ERROR_CASES)
def test_finetune_errors(
    change: dict[str, Any], message: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    kwargs: dict[str, Any] = {**FAST, "max_steps": 1, **change}
    pairs = kwargs.pop("pairs", PAIRS)
    with pytest.raises(WordalignError, match=message):
        finetune(tiny_model_dir, pairs, tmp_path, **kwargs)


def test_finetune_import_does_not_import_torch() -> None:
    code = (
        "import sys, wordalign.finetuning, wordalign.cli.main\n"
        "wordalign.cli.main.build_parser()\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
