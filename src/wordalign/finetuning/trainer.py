"""Fine-tuning an encoder for word alignment, as awesome-align does (Dou & Neubig 2021).

:func:`finetune` trains any Hugging Face masked-language model on a parallel corpus with the
objectives of the paper (MLM, TLM, SO, PSI, CO; TLM + SO by default, the paper's recommendation)
and the reference's defaults (``awesome_align/run_train.py``: AdamW at 2e-5 with a linear
schedule, batches of 2 pairs with gradients accumulated over 4, one epoch, masking probability
0.15, alignment layer 8, softmax threshold 1e-3, gradient norm clipped at 1). The result is a
standard model folder for ``wordalign align --method awesome --model DIR`` (and SimAlign).

MLM and TLM score only the masked positions (the head runs on their hidden states alone: the
same loss as scoring every position, without a ``(batch, length, vocabulary)`` tensor), and with
``mlm_vocab="corpus"`` restrict the softmax to the subword ids the training corpus uses. A model
folder without a masked-LM head (a ``BertModel`` such as multilingual-e5) is refused for MLM and
TLM unless ``new_head`` allows training a randomly initialised head, which is then named on
stderr.

The output folder and the checkpoints hold the encoder (what the aligners load with
``AutoModel``), not the masked-LM wrapper unless ``save_lm_head``; a checkpoint also holds the
trained head's own weights when MLM or TLM train it (``lm_head.pt``, without the output
projection tied to the input embeddings), the schedule, random states and losses, and the
optimizer state only with ``save_optimizer`` (twice the model's size). Checkpoints are written to
``OUT/checkpoint-STEP`` every ``save_steps`` steps and at the end; calling :func:`finetune` again
with the same settings continues from the latest one, and with ``save_optimizer`` ends with the
same weights as an uninterrupted run (without it, AdamW's moments start afresh on resuming).

torch is imported only when :func:`finetune` runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wordalign.errors import UnknownNameError, WordalignError
from wordalign.types import SentencePair

if TYPE_CHECKING:
    import torch

    from wordalign.finetuning.data import EncodedCorpus, SpecialTokens
    from wordalign.finetuning.psi import PsiHead

logger = logging.getLogger(__name__)

OBJECTIVES = ("mlm", "tlm", "so", "psi", "co")
"""Objective names, in the order their losses are computed (the reference's order: SO and CO
share one forward pass and come first)."""

DEFAULT_OBJECTIVES = ("tlm", "so")
"""The combination Dou & Neubig (2021, §4) recommend (the paper's Romansh model used it too)."""

MLM_VOCABS = ("full", "corpus")
"""What the MLM and TLM softmax runs over: the model's whole vocabulary (the reference), or the
subword ids of the training corpus (faster for large vocabularies)."""

CHECKPOINT_PREFIX = "checkpoint-"
STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"
LM_HEAD_FILE = "lm_head.pt"
_LM_OBJECTIVES = ("mlm", "tlm")
_SETTING_DEFAULTS = {"mlm_vocab": "full"}  # settings older checkpoints were written without
RESULT_FILE = "finetune.json"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_ORDER = ("so", "co", "mlm", "tlm", "psi")


def parse_objectives(objectives: str | Sequence[str]) -> tuple[str, ...]:
    """Objective names from ``"tlm,so"`` or a sequence, checked and without repeats.

    Raises:
        UnknownNameError: for a name not in :data:`OBJECTIVES`.
        WordalignError: when no objective is given.
    """
    names = objectives.split(",") if isinstance(objectives, str) else list(objectives)
    chosen: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in OBJECTIVES:
            raise UnknownNameError("fine-tuning objective", raw.strip(), OBJECTIVES)
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise WordalignError(f"no fine-tuning objective given; choose from {', '.join(OBJECTIVES)}")
    return tuple(name for name in OBJECTIVES if name in chosen)


@dataclass(frozen=True)
class FinetuneResult:
    """What a fine-tuning run did.

    Attributes:
        out_dir: The folder holding the fine-tuned model (and the checkpoints).
        steps: Optimizer steps done in all, resumed ones included.
        start_step: The step this call resumed from (0 for a fresh run).
        objectives: The objectives trained.
        losses: Per objective, its loss at every step (mean over the step's batches; for MLM
            and TLM the mean of their two masked passes), from step 1 on.
        seconds: Wall time of this call.
        pairs: Sentence pairs trained on.
        skipped_pairs: Input pairs left out for an empty side.
        truncated_pairs: Pairs with a side cut to the model's length limit.
        settings: The settings that fix the training trajectory (a resume must match them).
    """

    out_dir: Path
    steps: int
    start_step: int
    objectives: tuple[str, ...]
    losses: dict[str, list[float]]
    seconds: float
    pairs: int
    skipped_pairs: int = 0
    truncated_pairs: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    def last_losses(self, window: int = 10) -> dict[str, float]:
        """Mean loss of each objective over the last ``window`` steps."""
        return {
            name: sum(values[-window:]) / len(values[-window:])
            for name, values in self.losses.items()
            if values
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "out_dir": str(self.out_dir),
            "steps": self.steps,
            "start_step": self.start_step,
            "objectives": list(self.objectives),
            "last_losses": self.last_losses(),
            "losses": {name: list(values) for name, values in self.losses.items()},
            "seconds": self.seconds,
            "pairs": self.pairs,
            "skipped_pairs": self.skipped_pairs,
            "truncated_pairs": self.truncated_pairs,
            "settings": dict(self.settings),
        }


def latest_checkpoint(out_dir: str | Path, max_step: int | None = None) -> Path | None:
    """The complete checkpoint with the highest step in ``out_dir`` (at most ``max_step``)."""
    folder = Path(out_dir)
    if not folder.is_dir():
        return None
    best: tuple[int, Path] | None = None
    for child in folder.iterdir():
        match = _CHECKPOINT.match(child.name)
        if match is None or not (child / STATE_FILE).is_file():
            continue
        step = int(match.group(1))
        if max_step is not None and step > max_step:
            continue
        if best is None or step > best[0]:
            best = (step, child)
    return None if best is None else best[1]


def _check_positive(name: str, value: float, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero) or math.isnan(value):
        what = "non-negative" if allow_zero else "positive"
        raise WordalignError(f"{name} must be {what}, not {value}")


def _data_digest(pairs: Sequence[SentencePair]) -> str:
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(" ".join(pair.src).encode("utf-8"))
        digest.update(b"\x00")
        digest.update(" ".join(pair.tgt).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def finetune(
    model: str | Path,
    pairs: Sequence[SentencePair],
    out_dir: str | Path,
    *,
    objectives: str | Sequence[str] = DEFAULT_OBJECTIVES,
    max_steps: int | None = None,
    epochs: float = 1.0,
    batch_size: int = 2,
    gradient_accumulation_steps: int = 4,
    learning_rate: float = 2e-5,
    weight_decay: float = 0.0,
    adam_epsilon: float = 1e-8,
    max_grad_norm: float = 1.0,
    warmup_steps: int = 0,
    mlm_probability: float = 0.15,
    align_layer: int = 8,
    threshold: float = 1e-3,
    tlm_full: bool = False,
    mlm_vocab: str = "full",
    new_head: bool = False,
    block_size: int | None = None,
    save_steps: int = 500,
    keep_checkpoints: int = 2,
    save_optimizer: bool = False,
    save_lm_head: bool = False,
    seed: int = 42,
    device: str = "auto",
    overwrite: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    callback: Callable[[int, Mapping[str, float]], None] | None = None,
) -> FinetuneResult:
    """Fine-tune an encoder for word alignment and save it as a Hugging Face model folder.

    Args:
        model: Hub name, local folder or alias (``mbert``, ``xlmr``) of a masked-language model.
        pairs: Pre-tokenized sentence pairs (pairs with an empty side are left out).
        out_dir: Folder for the fine-tuned model and the checkpoints.
        objectives: Names from ``mlm``, ``tlm``, ``so``, ``psi``, ``co`` (a sequence or
            ``"tlm,so"``).
        max_steps: Optimizer steps to take in all; ``None`` for ``epochs`` passes.
        epochs: Passes over the pairs when ``max_steps`` is ``None`` (may be fractional).
        batch_size: Pairs per batch (the reference's ``--per_gpu_train_batch_size``, 2).
        gradient_accumulation_steps: Batches per optimizer step (4).
        learning_rate: Peak AdamW learning rate (2e-5).
        weight_decay: AdamW weight decay, not applied to biases and LayerNorm weights (0).
        adam_epsilon: AdamW epsilon (1e-8).
        max_grad_norm: Gradient norm clip (1.0).
        warmup_steps: Steps of linear warm-up before the linear decay to 0 (0).
        mlm_probability: Share of subwords masked by MLM and TLM (0.15).
        align_layer: Hidden state the alignments are taken from (8).
        threshold: Softmax threshold of the self-training alignments (1e-3).
        tlm_full: Train TLM on both concatenation orders in every batch, not one at random.
        mlm_vocab: ``full``: the MLM/TLM softmax runs over the whole vocabulary (the
            reference); ``corpus``: over the subword ids of ``pairs`` only (an approximation,
            several times faster for a 250,000-id vocabulary).
        new_head: Allow MLM/TLM on a model without a masked-LM head (a ``BertModel`` folder):
            the head starts random and its weights are named in a warning. Without it such a
            model is refused for MLM and TLM (SO, CO and PSI need no head).
        block_size: Longest input in subwords, special tokens included (default: the model's
            limit); longer sentences are cut, and TLM/PSI cut each sentence to half of it.
        save_steps: Write a checkpoint every this many steps (0: only at the end).
        keep_checkpoints: Checkpoints to keep (the newest; 0 keeps all).
        save_optimizer: Also write the optimizer state into every checkpoint (twice the
            model's size), so that a resumed run ends with the same weights as an uninterrupted
            one; without it a resumed run starts AdamW's moments afresh.
        save_lm_head: Save the masked-LM model (encoder and head) instead of the encoder alone.
        seed: Seed of data order, masking, negatives, dropout and the PSI head.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        overwrite: Start afresh: delete the checkpoints in ``out_dir`` instead of resuming, and
            replace a model already there (without it, a folder holding a model but no
            checkpoint is refused).
        progress: Show the progress with the losses, rate and time left
            (:func:`wordalign._progress.bar`: a bar on a terminal, a line at least every 30 s
            elsewhere, as long as a batch takes less).
        log: Receives one-line messages (resuming, pairs left out, a new head); default: this
            module's logger (at INFO level, WARNING for a new head).
        callback: Called after every step (and its checkpoint) with the step number and the
            step's losses; an exception it raises stops training.

    Returns:
        A :class:`FinetuneResult`.

    Raises:
        UnknownNameError: for an unknown objective.
        WordalignError: for a bad setting, a model that cannot be loaded, no usable pairs, or
            checkpoints in ``out_dir`` written with other settings.
        MissingDependencyError: when torch or transformers is missing.

    Example:
        >>> result = finetune("mbert", pairs, "mbert-de-rm", max_steps=20000)  # doctest: +SKIP
        >>> result.to_dict()["steps"]  # doctest: +SKIP
        20000
    """
    chosen = parse_objectives(objectives)
    for name, value in (
        ("batch size", batch_size),
        ("gradient accumulation steps", gradient_accumulation_steps),
        ("learning rate", learning_rate),
        ("epochs", epochs),
        ("adam epsilon", adam_epsilon),
        ("max grad norm", max_grad_norm),
    ):
        _check_positive(name, value)
    for name, value in (
        ("weight decay", weight_decay),
        ("warmup steps", warmup_steps),
        ("save steps", save_steps),
        ("keep checkpoints", keep_checkpoints),
    ):
        _check_positive(name, value, allow_zero=True)
    if max_steps is not None:
        _check_positive("max steps", max_steps)
    if not 0 < mlm_probability < 1:
        raise WordalignError(f"mlm probability must be in (0, 1), not {mlm_probability}")
    if not 0 <= threshold < 1:
        raise WordalignError(f"threshold must be in [0, 1), not {threshold}")
    if mlm_vocab not in MLM_VOCABS:
        raise UnknownNameError("mlm vocabulary", mlm_vocab, MLM_VOCABS)

    from wordalign.embed.encoder import _import_torch, resolve_device, resolve_model_name

    torch = _import_torch()
    say = log if log is not None else logger.info
    warn = log if log is not None else logger.warning
    started = time.perf_counter()
    target = resolve_device(device)
    name = resolve_model_name(model)
    out = Path(out_dir)
    if overwrite:
        _remove_checkpoints(out)
    existing = latest_checkpoint(out)
    if existing is None and not overwrite and (out / "config.json").exists():
        raise WordalignError(
            f"{out}: holds a model but no fine-tuning checkpoint to resume from "
            "(use overwrite to replace it)"
        )
    tokenizer = _load_tokenizer(str(existing) if existing is not None else name)
    from wordalign.finetuning._model import model_limit
    from wordalign.finetuning.data import encode_pairs, special_tokens

    try:
        specials = special_tokens(tokenizer)
    except ValueError as exc:
        raise WordalignError(f"model {name!r}: {exc}; it cannot be fine-tuned") from None
    with torch.random.fork_rng(devices=[]):
        # Weights the folder lacks (a new head) are drawn from the seed, not from whatever state
        # the global generator is in.
        torch.manual_seed(seed)
        network, missing = _load_network(str(existing) if existing is not None else name)
    head_keys = _missing_head_keys(network, missing) if existing is None else []
    uses_head = [o for o in chosen if o in _LM_OBJECTIVES]
    if head_keys and uses_head and not new_head:
        raise WordalignError(
            f"model {name!r} has no masked-language-model head ({', '.join(head_keys)} would "
            f"start random), which {'/'.join(uses_head)} train through; choose objectives that "
            "need none (so, co, psi) or allow a new head (new_head, --new-head)"
        )
    if head_keys and uses_head:
        warn(
            f"warning: model {name!r} has no masked-language-model head: "
            f"{', '.join(head_keys)} are initialised randomly for {'/'.join(uses_head)}"
        )
    limit = model_limit(network, tokenizer)
    block = limit if block_size is None else min(block_size, limit)
    if block // 2 - specials.n_special < 1:
        raise WordalignError(f"block size {block} leaves no room for a sentence pair")
    corpus = encode_pairs(tokenizer, pairs, block - specials.n_special, specials)
    if not corpus.pairs:
        raise WordalignError("no sentence pair with words on both sides to fine-tune on")
    if "psi" in chosen and len(corpus.pairs) < 2:
        raise WordalignError("parallel sentence identification (psi) needs at least two pairs")
    if corpus.n_empty:
        say(f"left out {corpus.n_empty} pair(s) with an empty side")
    if corpus.n_truncated:
        say(f"cut {corpus.n_truncated} pair(s) longer than {block} subwords to that length")

    n_layers = int(getattr(network.config, "num_hidden_layers", 0))
    if not 1 <= align_layer <= n_layers:
        raise WordalignError(
            f"align layer {align_layer} does not exist: the model has {n_layers} layers"
        )

    per_epoch = -(-len(corpus.pairs) // batch_size)
    if max_steps is not None:
        total = max_steps
    else:
        total = max(1, int(epochs * per_epoch // gradient_accumulation_steps))
    settings: dict[str, Any] = {
        # A local folder by its absolute path, so that resuming from another directory works.
        "model": str(Path(name).resolve()) if Path(name).exists() else name,
        "objectives": list(chosen),
        "batch_size": batch_size,
        "gradient_accumulation_steps": gradient_accumulation_steps,
        "learning_rate": learning_rate,
        "weight_decay": weight_decay,
        "adam_epsilon": adam_epsilon,
        "max_grad_norm": max_grad_norm,
        "warmup_steps": warmup_steps,
        "mlm_probability": mlm_probability,
        "align_layer": align_layer,
        "threshold": threshold,
        "tlm_full": tlm_full,
        "mlm_vocab": mlm_vocab,
        "block_size": block,
        "seed": seed,
        "data": _data_digest(pairs),
    }

    resume_from = latest_checkpoint(out, max_step=total)
    if resume_from is not None and resume_from != existing:
        network, _ = _load_network(str(resume_from))
    if resume_from is None and existing is not None:
        raise WordalignError(
            f"{existing}: is beyond the {total} step(s) asked for; ask for more steps, "
            "another output folder, or overwrite to start afresh"
        )
    state: dict[str, Any] = {}
    if resume_from is not None:
        state = json.loads((resume_from / STATE_FILE).read_text(encoding="utf-8"))
        _check_settings(resume_from, state.get("settings", {}), settings)
        say(f"resuming from {resume_from} (step {state['step']} of {total})")
    elif len(network.get_input_embeddings().weight) < len(tokenizer):
        network.resize_token_embeddings(len(tokenizer))

    trainer = _Trainer(
        torch=torch,
        network=network,
        tokenizer=tokenizer,
        specials=specials,
        corpus=corpus,
        objectives=chosen,
        settings=settings,
        device=target,
        total=total,
        out=out,
        save_optimizer=save_optimizer,
        save_lm_head=save_lm_head,
        log=say,
    )
    devices = [target.index or 0] if target.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        trainer.setup(resume_from, state)
        trainer.run(
            save_steps=save_steps,
            keep_checkpoints=keep_checkpoints,
            progress=progress,
            callback=callback,
        )
    trainer.save_final()
    result = FinetuneResult(
        out_dir=out,
        steps=trainer.step,
        start_step=trainer.start_step,
        objectives=chosen,
        losses=trainer.losses,
        seconds=time.perf_counter() - started,
        pairs=len(corpus.pairs),
        skipped_pairs=corpus.n_empty,
        truncated_pairs=corpus.n_truncated,
        settings=settings,
    )
    from wordalign.io.files import atomic_write_text

    atomic_write_text(out / RESULT_FILE, json.dumps(result.to_dict(), indent=1) + "\n")
    return result


def _remove_checkpoints(out: Path) -> None:
    if not out.is_dir():
        return
    for child in out.iterdir():
        if child.is_dir() and _CHECKPOINT.match(child.name.removeprefix(".").removesuffix(".tmp")):
            shutil.rmtree(child)


def _check_settings(checkpoint: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    changed = [key for key in new if old.get(key, _SETTING_DEFAULTS.get(key)) != new[key]]
    if changed:
        what = ", ".join(f"{key} {old.get(key)!r} there, {new[key]!r} now" for key in changed)
        raise WordalignError(
            f"{checkpoint}: was written with other settings ({what}); use the same settings "
            "to resume, another output folder, or overwrite to start afresh"
        )


@contextmanager
def _quiet_hf() -> Iterator[None]:
    """Silence transformers' load reports and progress bars (noise for users) inside the block."""
    from transformers.utils import logging

    hf_logging: Any = logging
    verbosity = hf_logging.get_verbosity()
    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bar:
            hf_logging.enable_progress_bar()


def _load_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    tokenizer = _load_with(AutoTokenizer, name)
    if not getattr(tokenizer, "is_fast", False):
        raise WordalignError(
            f"model {name!r} has no fast tokenizer: wordalign needs one to map subwords to words"
        )
    return tokenizer


class _WithLoadingInfo:
    """``cls.from_pretrained`` that also returns what the weights file lacked."""

    def __init__(self, cls: Any) -> None:
        self.cls = cls

    def from_pretrained(self, name: str, **options: Any) -> Any:
        return self.cls.from_pretrained(name, output_loading_info=True, **options)


def _load_network(name: str) -> tuple[Any, list[str]]:
    """The masked-LM model, and the names of the weights its folder lacked (initialised
    randomly by transformers)."""
    from transformers import AutoModelForMaskedLM

    network, info = _load_with(_WithLoadingInfo(AutoModelForMaskedLM), name)
    return network, sorted(str(key) for key in info.get("missing_keys", ()))


def _missing_head_keys(network: Any, missing: Sequence[str]) -> list[str]:
    """The head's weights among ``missing`` (those outside the encoder)."""
    prefix = f"{network.base_model_prefix}."
    return [key for key in missing if not key.startswith(prefix)]


def _load_with(cls: Any, name: str) -> Any:
    from wordalign.embed.encoder import _from_pretrained

    try:
        with _quiet_hf():
            return _from_pretrained(cls, name)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WordalignError(f"cannot load model {name!r}: {first}") from None


def _linear_schedule(warmup: int, total: int) -> Callable[[int], float]:
    """Linear warm-up to the peak, then linear decay to 0 at ``total`` (the reference's
    ``get_linear_schedule_with_warmup``)."""

    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


class _Trainer:
    """The training loop's state: model, optimizer, schedule, random states and losses."""

    def __init__(
        self,
        *,
        torch: Any,
        network: Any,
        tokenizer: Any,
        specials: SpecialTokens,
        corpus: EncodedCorpus,
        objectives: tuple[str, ...],
        settings: dict[str, Any],
        device: torch.device,
        total: int,
        out: Path,
        save_optimizer: bool = False,
        save_lm_head: bool = False,
        log: Callable[[str], None] = logger.info,
    ) -> None:
        from wordalign.finetuning._model import prepare

        self.torch = torch
        self.network = network.to(device)
        prepare(self.network)
        self.tokenizer = tokenizer
        self.specials = specials
        self.corpus = corpus
        self.objectives = objectives
        self.settings = settings
        self.device = device
        self.total = total
        self.out = out
        self.save_optimizer = save_optimizer
        self.save_lm_head = save_lm_head
        self.log = log
        self.bar: Any = None
        self.vocab: tuple[torch.Tensor, torch.Tensor] | None = None
        self.step = 0
        self.start_step = 0
        self.losses: dict[str, list[float]] = {name: [] for name in objectives}
        self.psi_head: PsiHead | None = None
        n_layers = int(network.config.num_hidden_layers)
        # The reference classifies with the layer above the alignment layer (align_layer + 1).
        self.psi_layer = min(int(settings["align_layer"]) + 1, n_layers)

    def setup(self, checkpoint: Path | None, state: Mapping[str, Any]) -> None:
        """Seed, build the optimizer and schedule; restore them from ``checkpoint`` if given."""
        torch = self.torch
        seed = int(self.settings["seed"])
        torch.manual_seed(seed)
        self.generator = torch.Generator().manual_seed(seed)
        if "psi" in self.objectives:
            from wordalign.finetuning.psi import PsiHead

            init = torch.Generator().manual_seed(seed + 1)
            config = self.network.config
            head = PsiHead(
                int(config.hidden_size), float(getattr(config, "initializer_range", 0.02)), init
            )
            self.psi_head = head.to(self.device)
        if self.settings.get("mlm_vocab") == "corpus" and any(
            o in _LM_OBJECTIVES for o in self.objectives
        ):
            from wordalign.finetuning.mlm import corpus_vocabulary

            size = max(
                int(self.network.get_input_embeddings().weight.shape[0]),
                self.specials.vocab_size,
            )
            sides = [side.ids for p in self.corpus.pairs for side in (p.src, p.tgt)]
            used, lookup = corpus_vocabulary(sides, size)
            self.vocab = (self._tensor(used), self._tensor(lookup))
        named = list(self.network.named_parameters())
        if self.psi_head is not None:
            named += [(f"psi_head.{n}", p) for n, p in self.psi_head.named_parameters()]
        no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
        groups = [
            {
                "params": [p for n, p in named if not any(nd in n for nd in no_decay)],
                "weight_decay": float(self.settings["weight_decay"]),
            },
            {
                "params": [p for n, p in named if any(nd in n for nd in no_decay)],
                "weight_decay": 0.0,
            },
        ]
        self.params = [p for _, p in named]
        options = {
            "lr": float(self.settings["learning_rate"]),
            "eps": float(self.settings["adam_epsilon"]),
        }
        try:
            # The fused kernel: the same update, several times faster on a CPU (e5-small's
            # 118M parameters: 0.3-0.9 s a step instead of 5 s); not every device has it.
            self.optimizer = torch.optim.AdamW(groups, fused=True, **options)
        except (RuntimeError, ValueError):
            self.optimizer = torch.optim.AdamW(groups, **options)
        self.schedule = _linear_schedule(int(self.settings["warmup_steps"]), self.total)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self.schedule)
        if checkpoint is None:
            return
        load = self._load_file
        if (checkpoint / LM_HEAD_FILE).is_file():
            self.network.load_state_dict(load(checkpoint / LM_HEAD_FILE), strict=False)
        if (checkpoint / OPTIMIZER_FILE).is_file():
            self.optimizer.load_state_dict(load(checkpoint / OPTIMIZER_FILE))
        else:
            self.log(
                f"{checkpoint}: holds no optimizer state (written without save_optimizer): "
                "AdamW's moments start afresh, so the result differs from an uninterrupted run"
            )
        self.scheduler.load_state_dict(load(checkpoint / "scheduler.pt"))
        # The schedule follows this run's step total (it may differ from the interrupted run's).
        for group, base in zip(self.optimizer.param_groups, self.scheduler.base_lrs, strict=True):
            group["lr"] = base * self.schedule(self.scheduler.last_epoch)
        rng = load(checkpoint / "rng.pt")
        torch.set_rng_state(rng["torch"])
        self.generator.set_state(rng["generator"])
        if self.device.type == "cuda" and rng.get("cuda") is not None:
            torch.cuda.set_rng_state(rng["cuda"], self.device)
        if self.psi_head is not None:
            self.psi_head.load_state_dict(load(checkpoint / "psi_head.pt"))
        self.step = self.start_step = int(state["step"])
        saved = state.get("losses", {})
        self.losses = {name: list(saved.get(name, []))[: self.step] for name in self.objectives}

    def _load_file(self, path: Path) -> Any:
        return self.torch.load(path, map_location=self.device, weights_only=True)

    def run(
        self,
        *,
        save_steps: int,
        keep_checkpoints: int,
        progress: bool,
        callback: Callable[[int, Mapping[str, float]], None] | None,
    ) -> None:
        """Train from the current step to the total."""
        bar = self.bar = _progress_bar(self.total, self.step, progress)
        try:
            while self.step < self.total:
                losses = self._train_step()
                self.step += 1
                for name, value in losses.items():
                    self.losses[name].append(value)
                if bar is not None:
                    bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()}, refresh=False)
                    bar.update(1)
                if (save_steps and self.step % save_steps == 0) or self.step == self.total:
                    self.save_checkpoint(keep_checkpoints)
                if callback is not None:
                    callback(self.step, losses)
        finally:
            self.bar = None
            if bar is not None:
                bar.close()

    def _train_step(self) -> dict[str, float]:
        from wordalign.finetuning.data import batch_indices

        accumulation = int(self.settings["gradient_accumulation_steps"])
        batch_size = int(self.settings["batch_size"])
        seed = int(self.settings["seed"])
        totals = dict.fromkeys(self.objectives, 0.0)
        for micro in range(accumulation):
            batch_no = self.step * accumulation + micro
            indices = batch_indices(len(self.corpus.pairs), batch_size, seed, batch_no)
            for name, value in self._batch_losses(indices.tolist(), accumulation).items():
                totals[name] += value / accumulation
            if self.bar is not None:
                self.bar.update(0)  # off a terminal: a line when 30 s have passed, mid-step too
        self.torch.nn.utils.clip_grad_norm_(self.params, float(self.settings["max_grad_norm"]))
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return totals

    def _tensor(self, array: Any) -> torch.Tensor:
        tensor: torch.Tensor = self.torch.from_numpy(array).to(self.device)
        return tensor

    def _backward(self, loss: torch.Tensor, accumulation: int) -> float:
        scaled: Any = loss / accumulation
        scaled.backward()
        return float(loss.detach().item())

    def _batch_losses(self, indices: list[int], accumulation: int) -> dict[str, float]:
        """Forward and backward passes of every objective on one batch (gradients accumulate)."""
        from wordalign.finetuning._model import hidden_states_at
        from wordalign.finetuning.data import joint_batch, side_batch
        from wordalign.finetuning.mlm import mask_tokens

        torch = self.torch
        pairs = [self.corpus.pairs[k] for k in indices]
        layer = int(self.settings["align_layer"])
        probability = float(self.settings["mlm_probability"])
        half = int(self.settings["block_size"]) // 2 - self.specials.n_special
        losses: dict[str, float] = {}
        src = side_batch([p.src for p in pairs], self.specials)
        tgt = side_batch([p.tgt for p in pairs], self.specials)

        if "so" in self.objectives or "co" in self.objectives:
            from wordalign.finetuning.co import co_loss
            from wordalign.finetuning.so import directional_probabilities, so_loss

            src_ids, src_att = self._tensor(src.input_ids), self._tensor(src.attention_mask)
            tgt_ids, tgt_att = self._tensor(tgt.input_ids), self._tensor(tgt.attention_mask)
            src_content, tgt_content = (
                self._tensor(src.content_mask),
                self._tensor(tgt.content_mask),
            )
            guide = None
            if "so" in self.objectives:
                guide = self._guide(src, tgt)
            self.network.train()
            src_hidden = hidden_states_at(self.network, src_ids, src_att, layer)
            tgt_hidden = hidden_states_at(self.network, tgt_ids, tgt_att, layer)
            forward, backward = directional_probabilities(
                src_hidden, tgt_hidden, src_content, tgt_content
            )
            total = torch.zeros((), device=self.device)
            if guide is not None:
                loss = so_loss(forward, backward, guide, src_content, tgt_content)
                losses["so"] = float(loss.detach().item())
                total = total + loss
            if "co" in self.objectives:
                loss = co_loss(forward, backward, src_content, tgt_content)
                losses["co"] = float(loss.detach().item())
                total = total + loss
            (total / accumulation).backward()

        self.network.train()
        if "mlm" in self.objectives:
            values = []
            for side in (src, tgt):
                inputs, labels = mask_tokens(
                    torch.from_numpy(side.input_ids),
                    torch.from_numpy(side.content_mask),
                    self.specials,
                    probability,
                    self.generator,
                )
                loss = self._lm_loss(inputs, self._tensor(side.attention_mask), labels)
                values.append(self._backward(loss, accumulation))
            losses["mlm"] = sum(values) / len(values)

        if "tlm" in self.objectives:
            from wordalign.finetuning.tlm import tlm_orders, tlm_rows

            coin = float(torch.rand((), generator=self.generator).item())
            values = []
            for target_first in tlm_orders(bool(self.settings["tlm_full"]), coin):
                joint = joint_batch(tlm_rows(pairs, target_first), self.specials, half)
                ids = torch.from_numpy(joint.input_ids)
                # One pass predicts masked subwords of the second sentence, one of the first.
                for maskable in (joint.second_mask, joint.first_mask):
                    inputs, labels = mask_tokens(
                        ids, torch.from_numpy(maskable), self.specials, probability, self.generator
                    )
                    loss = self._lm_loss(inputs, self._tensor(joint.attention_mask), labels)
                    values.append(self._backward(loss, accumulation))
            losses["tlm"] = sum(values) / len(values)

        if "psi" in self.objectives and self.psi_head is not None:
            from wordalign.finetuning.psi import draw_psi_rows, psi_loss, row_sides

            rows = draw_psi_rows(indices, len(self.corpus.pairs), self.generator)
            joint = joint_batch(row_sides(rows, self.corpus.pairs), self.specials, half)
            hidden = hidden_states_at(
                self.network,
                self._tensor(joint.input_ids),
                self._tensor(joint.attention_mask),
                self.psi_layer,
            )
            labels_t = torch.tensor([r.label for r in rows], device=self.device)
            losses["psi"] = self._backward(psi_loss(self.psi_head(hidden), labels_t), accumulation)
        return losses

    def _lm_loss(
        self, inputs: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor
    ) -> torch.Tensor:
        """The MLM loss of one masked batch, scored at the masked positions only."""
        from wordalign.finetuning._model import masked_lm_scores
        from wordalign.finetuning.mlm import masked_lm_loss_at

        scores, targets, rows = masked_lm_scores(
            self.network, inputs.to(self.device), attention_mask, labels.to(self.device), self.vocab
        )
        return masked_lm_loss_at(scores, targets, rows, int(labels.shape[0]))

    def _guide(self, src: Any, tgt: Any) -> torch.Tensor:
        """The SO target from the current model, dropout off and without gradients."""
        from wordalign.finetuning._model import hidden_states_at
        from wordalign.finetuning.so import directional_probabilities, so_guide, subword_links

        torch = self.torch
        layer = int(self.settings["align_layer"])
        src_content, tgt_content = self._tensor(src.content_mask), self._tensor(tgt.content_mask)
        self.network.eval()
        with torch.no_grad():
            src_hidden = hidden_states_at(
                self.network, self._tensor(src.input_ids), self._tensor(src.attention_mask), layer
            )
            tgt_hidden = hidden_states_at(
                self.network, self._tensor(tgt.input_ids), self._tensor(tgt.attention_mask), layer
            )
            forward, backward = directional_probabilities(
                src_hidden, tgt_hidden, src_content, tgt_content
            )
            links = subword_links(
                forward, backward, src_content, tgt_content, float(self.settings["threshold"])
            )
            guide = so_guide(links, self._tensor(src.word_ids), self._tensor(tgt.word_ids))
        return guide

    def save_checkpoint(self, keep: int) -> Path:
        """Write ``OUT/checkpoint-STEP`` (via a temporary folder, renamed when complete)."""
        torch = self.torch
        self.out.mkdir(parents=True, exist_ok=True)
        final = self.out / f"{CHECKPOINT_PREFIX}{self.step}"
        tmp = self.out / f".{final.name}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        self._save_model(tmp)
        if not self.save_lm_head and any(o in _LM_OBJECTIVES for o in self.objectives):
            torch.save(self._head_state(), tmp / LM_HEAD_FILE)
        if self.save_optimizer:
            torch.save(self.optimizer.state_dict(), tmp / OPTIMIZER_FILE)
        torch.save(self.scheduler.state_dict(), tmp / "scheduler.pt")
        rng = {
            "torch": torch.get_rng_state(),
            "generator": self.generator.get_state(),
            "cuda": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }
        torch.save(rng, tmp / "rng.pt")
        if self.psi_head is not None:
            torch.save(self.psi_head.state_dict(), tmp / "psi_head.pt")
        state = {
            "step": self.step,
            "total_steps": self.total,
            "settings": self.settings,
            "losses": self.losses,
        }
        (tmp / STATE_FILE).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        if keep:
            self._prune(keep)
        return final

    def _save_model(self, folder: Path) -> None:
        """The encoder (or with ``save_lm_head`` the masked-LM model) and the tokenizer."""
        model = self.network if self.save_lm_head else self.network.base_model
        with _quiet_hf():
            model.save_pretrained(folder)
            self.tokenizer.save_pretrained(folder)

    def _head_state(self) -> dict[str, Any]:
        """The weights outside the encoder, less those shared with it (the output projection
        tied to the input embeddings)."""
        base = self.network.base_model
        prefix = f"{self.network.base_model_prefix}."
        shared = {t.data_ptr() for t in base.state_dict().values()}
        return {
            key: tensor
            for key, tensor in self.network.state_dict().items()
            if not key.startswith(prefix) and tensor.data_ptr() not in shared
        }

    def _prune(self, keep: int) -> None:
        steps = sorted(
            int(m.group(1))
            for child in self.out.iterdir()
            if (m := _CHECKPOINT.match(child.name)) is not None
        )
        for step in steps[:-keep]:
            shutil.rmtree(self.out / f"{CHECKPOINT_PREFIX}{step}", ignore_errors=True)

    def save_final(self) -> None:
        """The fine-tuned model and tokenizer in ``OUT`` itself (each file replaced atomically)."""
        tmp = self.out / ".final.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        self._save_model(tmp)
        for path in tmp.iterdir():
            os.replace(path, self.out / path.name)
        tmp.rmdir()


def _progress_bar(total: int, initial: int, enabled: bool) -> Any:
    """A display over steps with the losses as postfix (:func:`wordalign._progress.bar`: a bar
    on a terminal, a line at least every 30 s elsewhere); None when not ``enabled``."""
    if not enabled:
        return None
    from wordalign._progress import bar

    return bar(total=total, desc="fine-tuning", initial=initial, unit="step")
