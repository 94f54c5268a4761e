"""Contextual subword vectors from any Hugging Face encoder, mapped back to words.

Both reference packages embed a sentence pair by feeding the pre-tokenized words to the tokenizer
(simalign: ``is_split_into_words=True``; awesome-align: ``tokenize(word)`` word by word) and taking
one hidden layer (8 by default, Jalili Sabet et al. 2020 §3; Dou & Neubig 2021 §2.1). The
:class:`Encoder` produces the same subword sequence, so their alignments can be reproduced
exactly, but it embeds many sentences per forward pass (batched by length), stops the network
at the requested layer, and embeds sentences longer than the model's limit in overlapping windows
instead of truncating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from wordalign.embed.windows import choose_window, plan_windows
from wordalign.errors import MissingDependencyError, WordalignError

if TYPE_CHECKING:
    import torch

MODEL_ALIASES: dict[str, str] = {
    "mbert": "bert-base-multilingual-cased",
    "xlmr": "xlm-roberta-base",
}
"""Short model names accepted wherever a model is asked for."""

Precision = Literal["auto", "fp32", "bf16", "fp16"]


def _import_torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f"embedding aligners need torch and transformers ({exc.name} is missing): "
            "pip install wordalign[neural]"
        ) from None
    return torch


def resolve_model_name(model: str | Path) -> str:
    """The hub name or folder behind ``model`` (aliases ``mbert`` and ``xlmr`` expanded)."""
    name = str(model)
    return MODEL_ALIASES.get(name, name)


def resolve_device(device: str = "auto") -> torch.device:
    """A torch device from ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.

    ``auto`` takes the first CUDA GPU, else Apple's MPS, else the CPU.

    Raises:
        WordalignError: for an unknown or unavailable device.
    """
    th = _import_torch()
    resolved: torch.device
    if device == "auto":
        if th.cuda.is_available():
            resolved = th.device("cuda")
        elif th.backends.mps.is_available():
            resolved = th.device("mps")
        else:
            resolved = th.device("cpu")
        return resolved
    try:
        resolved = th.device(device)
    except (RuntimeError, ValueError):
        raise WordalignError(
            f"unknown device {device!r}; use auto, cpu, cuda, cuda:N or mps"
        ) from None
    if resolved.type == "cuda":
        count = th.cuda.device_count()
        if count == 0:
            raise WordalignError(f"device {device!r}: no CUDA GPU is available")
        if resolved.index is not None and resolved.index >= count:
            raise WordalignError(f"device {device!r}: only {count} CUDA GPU(s) available")
    elif resolved.type == "mps" and not th.backends.mps.is_available():
        raise WordalignError(f"device {device!r}: MPS is not available")
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise WordalignError(f"unsupported device {device!r}; use auto, cpu, cuda, cuda:N or mps")
    return resolved


@dataclass(frozen=True, slots=True)
class SentenceEmbedding:
    """Subword vectors of one sentence and the word each subword belongs to.

    Attributes:
        vectors: ``(n_subwords, dim)`` float32 hidden states (special tokens removed).
        word_ids: ``(n_subwords,)`` int64 word index of each subword (non-decreasing; every word
            in ``range(n_words)`` has at least one subword).
        n_words: Number of words in the sentence.
    """

    vectors: np.ndarray
    word_ids: np.ndarray
    n_words: int

    def word_vectors(self) -> np.ndarray:
        """``(n_words, dim)``: the mean of each word's subword vectors (SimAlign's word level)."""
        if self.n_words == 0:
            return np.zeros((0, self.vectors.shape[1]), dtype=self.vectors.dtype)
        starts = np.flatnonzero(np.r_[True, self.word_ids[1:] != self.word_ids[:-1]])
        counts = np.diff(np.r_[starts, len(self.word_ids)])
        sums = np.add.reduceat(self.vectors, starts, axis=0)
        means: np.ndarray = sums / counts[:, None].astype(self.vectors.dtype)
        return means


@dataclass(frozen=True, slots=True)
class _Tokenized:
    ids: np.ndarray
    word_ids: np.ndarray
    n_words: int


class Encoder:
    """A loaded encoder that turns pre-tokenized sentences into subword vectors.

    Build it with :func:`load_encoder`. The model is cut after ``layer`` (the layers above it do
    not influence ``hidden_states[layer]``), which saves a third of the work for layer 8 of 12.
    In fp32 on the CPU its linear layers are swapped for oneDNN ones (:mod:`wordalign.embed.onednn`),
    so the model is for inference only.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        layer: int = 8,
        device: str = "auto",
        batch_size: int = 32,
        precision: Precision = "auto",
        name: str = "",
    ) -> None:
        torch = _import_torch()
        self.name = name
        self.tokenizer = tokenizer
        self.device = resolve_device(device)
        if batch_size < 1:
            raise WordalignError(f"batch size must be positive, not {batch_size}")
        self.batch_size = batch_size
        _check_layer(name, model.config, layer)
        n_layers = int(getattr(model.config, "num_hidden_layers", 0))
        self.layer = layer if layer >= 0 else n_layers + 1 + layer
        self.precision = _resolve_precision(torch, precision, self.device)
        self.model = _truncate_layers(model, self.layer).to(self.device).eval()
        if self.device.type == "cpu" and self.precision == "fp32":
            from wordalign.embed.onednn import use_onednn_linears

            # MKL's fp32 matrix products are slow on non-Intel CPUs; see embed/onednn.py.
            use_onednn_linears(self.model)

        probe = tokenizer([["a"]], is_split_into_words=True)
        ids = probe["input_ids"][0]
        where = [k for k, w in enumerate(probe.word_ids(0)) if w is not None]
        self._prefix = list(ids[: where[0]])
        self._suffix = list(ids[where[-1] + 1 :])
        self.max_subwords = self._model_limit() - len(self._prefix) - len(self._suffix)
        if self.max_subwords < 1:
            raise WordalignError(f"model {name!r} accepts no input beyond its special tokens")
        pad = tokenizer.pad_token_id
        self._pad_id = int(pad) if pad is not None else 0
        unk = tokenizer.unk_token_id
        self._unk_id = int(unk) if unk is not None else self._pad_id

    def _model_limit(self) -> int:
        config = self.model.config
        limit = int(getattr(config, "max_position_embeddings", 0) or 10**9)
        if "roberta" in str(getattr(config, "model_type", "")):
            # RoBERTa-style position ids start after the padding index (XLM-R: 514 -> 512).
            pad = getattr(config, "pad_token_id", None)
            limit -= (1 if pad is None else int(pad)) + 1
        tok_limit = int(getattr(self.tokenizer, "model_max_length", 0) or 0)
        if 0 < tok_limit < 10**6:
            limit = min(limit, tok_limit)
        return limit

    @property
    def dim(self) -> int:
        """Width of the vectors."""
        return int(self.model.config.hidden_size)

    def tokenize(self, sentences: Sequence[Sequence[str]]) -> list[_Tokenized]:
        """Subword ids and word ids of each sentence, without special tokens.

        A word the tokenizer turns into nothing (a lone control character) becomes the unknown
        token, so that every word has a vector.
        """
        out: list[_Tokenized] = []
        for start in range(0, len(sentences), 1024):
            chunk = [list(s) for s in sentences[start : start + 1024]]
            nonempty = [k for k, s in enumerate(chunk) if s]
            encoded = self._encode([chunk[k] for k in nonempty]) if nonempty else None
            row_of = {k: r for r, k in enumerate(nonempty)}
            for k, words in enumerate(chunk):
                if k not in row_of or encoded is None:
                    out.append(_Tokenized(np.zeros(0, np.int64), np.zeros(0, np.int64), 0))
                    continue
                row = row_of[k]
                ids = np.asarray(encoded["input_ids"][row], dtype=np.int64)
                word_ids = np.asarray(encoded.word_ids(row), dtype=np.int64)
                if len(np.unique(word_ids)) < len(words):
                    ids, word_ids = self._fill_empty_words(ids, word_ids, len(words))
                out.append(_Tokenized(ids, word_ids, len(words)))
        return out

    def _encode(self, words: list[list[str]]) -> Any:
        hf_logging = _hf_logging()
        verbosity = hf_logging.get_verbosity()
        # Long sentences are windowed later; the tokenizer's "longer than the maximum" warning
        # would be a false alarm.
        hf_logging.set_verbosity_error()
        try:
            return self.tokenizer(
                words,
                is_split_into_words=True,
                add_special_tokens=False,
                return_attention_mask=False,
                return_token_type_ids=False,
            )
        finally:
            hf_logging.set_verbosity(verbosity)

    def _fill_empty_words(
        self, ids: np.ndarray, word_ids: np.ndarray, n_words: int
    ) -> tuple[np.ndarray, np.ndarray]:
        new_ids: list[int] = []
        new_words: list[int] = []
        k = 0
        for w in range(n_words):
            if k < len(word_ids) and word_ids[k] == w:
                while k < len(word_ids) and word_ids[k] == w:
                    new_ids.append(int(ids[k]))
                    new_words.append(w)
                    k += 1
            else:
                new_ids.append(self._unk_id)
                new_words.append(w)
        return np.asarray(new_ids, dtype=np.int64), np.asarray(new_words, dtype=np.int64)

    def embed(
        self, sentences: Sequence[Sequence[str]], *, show_progress: bool = False
    ) -> list[SentenceEmbedding]:
        """Vectors of every subword of every sentence, in input order.

        Args:
            sentences: Pre-tokenized sentences (lists of words); empty ones are allowed.
            show_progress: Show a progress bar over the forward passes.
        """
        return self.embed_tokenized(self.tokenize(sentences), show_progress=show_progress)

    def embed_tokenized(
        self, tokenized: Sequence[_Tokenized], *, show_progress: bool = False
    ) -> list[SentenceEmbedding]:
        """Like :meth:`embed`, for the output of :meth:`tokenize`."""
        return self._embed_layers(tokenized, [self.layer], show_progress)[self.layer]

    def _forward(self, torch: Any, input_ids: np.ndarray, attention: np.ndarray) -> Any:
        """The hidden states (embeddings and every layer kept) of one batch."""
        ids = torch.from_numpy(input_ids).to(self.device)
        mask = torch.from_numpy(attention).to(self.device)
        if self.precision == "fp32":
            outputs = self.model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        else:
            dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
            with torch.autocast(device_type=self.device.type, dtype=dtype):
                outputs = self.model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        return outputs.hidden_states

    def embed_layers(
        self,
        sentences: Sequence[Sequence[str]],
        layers: Sequence[int],
        *,
        show_progress: bool = False,
    ) -> dict[int, list[SentenceEmbedding]]:
        """Vectors of every subword at several hidden states, from one forward pass.

        Each layer's vectors are those :meth:`embed` gives with the encoder loaded at that
        layer (same subwords, batches, windows and precision), at the cost of one forward pass
        up to the deepest layer asked for: a layer sweep embeds its sentences once.

        Args:
            sentences: Pre-tokenized sentences (lists of words); empty ones are allowed.
            layers: Hidden states to take, each in ``0..layer`` (0 = the embeddings;
                :attr:`layer` is the depth the encoder was loaded with).
            show_progress: Show a progress bar over the forward passes.

        Returns:
            For each layer asked for, one embedding per sentence, in input order.

        Raises:
            WordalignError: for a layer outside ``0..layer`` (load the encoder with ``layer``
                set to the deepest one wanted: the layers above it were dropped).
        """
        wanted = list(dict.fromkeys(int(x) for x in layers))
        for x in wanted:
            if not 0 <= x <= self.layer:
                raise WordalignError(
                    f"layer {x} is not available: this encoder was loaded with layer={self.layer}"
                    f" (hidden states 0..{self.layer}); load it with the deepest layer wanted"
                )
        return self._embed_layers(self.tokenize(sentences), wanted, show_progress)

    def _embed_layers(
        self, tokenized: Sequence[_Tokenized], wanted: list[int], show_progress: bool
    ) -> dict[int, list[SentenceEmbedding]]:
        torch = _import_torch()
        from wordalign._progress import progress

        segments: list[tuple[int, int, int]] = []  # (sentence, start, end)
        plans: list[list[tuple[int, int]]] = []
        for s, tok in enumerate(tokenized):
            plan = plan_windows(len(tok.ids), self.max_subwords) if len(tok.ids) else []
            plans.append(plan)
            segments.extend((s, a, b) for a, b in plan)
        # Longest first: similar lengths share a batch, so little padding is computed.
        order = sorted(range(len(segments)), key=lambda k: segments[k][2] - segments[k][1])[::-1]
        batches = [order[k : k + self.batch_size] for k in range(0, len(order), self.batch_size)]
        pieces: dict[int, dict[int, np.ndarray]] = {x: {} for x in wanted}
        n_pre = len(self._prefix)
        with torch.inference_mode():
            for batch in progress(
                batches, total=len(batches), desc="embedding", enabled=show_progress
            ):
                lengths = [segments[k][2] - segments[k][1] for k in batch]
                width = n_pre + max(lengths) + len(self._suffix)
                input_ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
                attention = np.zeros((len(batch), width), dtype=np.int64)
                content = np.zeros((len(batch), width), dtype=bool)
                for r, k in enumerate(batch):
                    s, a, b = segments[k]
                    row = [*self._prefix, *tokenized[s].ids[a:b].tolist(), *self._suffix]
                    input_ids[r, : len(row)] = row
                    attention[r, : len(row)] = 1
                    content[r, n_pre : n_pre + b - a] = True
                hidden = self._forward(torch, input_ids, attention)
                # Special tokens and padding are dropped by the content mask.
                keep = torch.from_numpy(content).to(hidden[0].device)
                for x in wanted:
                    flat_np = hidden[x][keep].float().cpu().numpy()
                    offset = 0
                    for k, n in zip(batch, lengths, strict=True):
                        pieces[x][k] = flat_np[offset : offset + n]
                        offset += n

        out: dict[int, list[SentenceEmbedding]] = {x: [] for x in wanted}
        k = 0
        for s, tok in enumerate(tokenized):
            plan = plans[s]
            for x in wanted:
                if len(plan) <= 1:
                    empty = np.zeros((0, self.dim), dtype=np.float32)
                    vectors = pieces[x][k] if plan else empty
                else:
                    vectors = np.empty((len(tok.ids), self.dim), dtype=np.float32)
                    chosen = choose_window(plan, len(tok.ids))
                    for w, (a, _) in enumerate(plan):
                        take = np.flatnonzero(chosen == w)
                        vectors[take] = pieces[x][k + w][take - a]
                out[x].append(SentenceEmbedding(vectors, tok.word_ids, tok.n_words))
            k += len(plan)
        return out


def _resolve_precision(torch: Any, precision: str, device: Any) -> str:
    if precision not in ("auto", "fp32", "bf16", "fp16"):
        raise WordalignError(f"unknown precision {precision!r}; use auto, fp32, bf16 or fp16")
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def _truncate_layers(model: Any, layer: int) -> Any:
    """Drop the transformer layers above ``layer``: they cannot change ``hidden_states[layer]``."""
    torch = _import_torch()
    encoder: Any = getattr(model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if isinstance(layers, torch.nn.ModuleList) and layer < len(layers):
        # One layer is kept for layer 0 (the embeddings): without any, transformers returns no
        # hidden states at all.
        encoder.layer = torch.nn.ModuleList(list(layers)[: max(layer, 1)])
    return model


def _from_pretrained(cls: Any, name: str) -> Any:
    """``cls.from_pretrained(name)``, from the local cache first; online only if the hub answers.

    Without this, a machine without internet spends a minute in the hub client's retries before
    reporting that a model is missing.
    """
    if Path(name).exists():
        return cls.from_pretrained(name)
    try:
        return cls.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError):
        pass
    if not _hub_reachable():
        raise WordalignError(
            f"cannot load model {name!r}: it is not in the local Hugging Face cache and the hub "
            "cannot be reached (no internet?); give a local model folder instead"
        )
    return cls.from_pretrained(name)


def _hub_reachable(timeout: float = 3.0) -> bool:
    import os
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (443 if endpoint.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _hf_logging() -> Any:
    from transformers.utils import logging as hf_logging

    return hf_logging


class ModelError(WordalignError, ValueError):
    """A model that cannot serve as an encoder: not a model folder, a configuration that is not
    a model's, a tokenizer that does not fit the model, a layer the model lacks."""


def _check_model_folder(name: str) -> None:
    """For a local path: a folder with a ``config.json`` that describes a Hugging Face model.

    Raises:
        ModelError: ``PATH: not a model folder (...)`` and the like, one line.
    """
    import json

    folder = Path(name)
    if not folder.exists():
        return  # a hub name (or a missing folder, which the hub lookup reports)
    if not folder.is_dir():
        raise ModelError(f"{folder}: not a model folder (a file; give the encoder's folder)")
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise ModelError(
            f"{folder}: not an encoder model folder (no config.json; a Hugging Face model "
            "folder holds config.json, the weights and the tokenizer files)"
        )
    try:
        config = json.loads(config_path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise ModelError(f"{config_path}: not a model configuration ({reason})") from None
    if not isinstance(config, dict):
        raise ModelError(f"{config_path}: not a model configuration (not a JSON object)")
    if "aligner" in config and "wordalign_version" in config:
        raise ModelError(
            f"{folder}: holds a wordalign {config['aligner']!r} model, not an encoder (give it "
            "as --model without an embedding --method)"
        )
    if not isinstance(config.get("model_type"), str):
        raise ModelError(
            f"{config_path}: not a model configuration (no 'model_type'; a Hugging Face "
            'encoder\'s config.json names one, like "bert" or "xlm-roberta")'
        )


def _check_layer(name: str, config: Any, layer: int) -> None:
    """The hidden state ``layer`` exists (checked on the configuration, before the weights load).

    Raises:
        ModelError: naming the model and its layers.
    """
    n_layers = int(getattr(config, "num_hidden_layers", 0) or 0)
    if not -n_layers <= layer <= n_layers:
        raise ModelError(
            f"model {name!r} has no layer {layer}: it has {n_layers} layers "
            f"(hidden states 0..{n_layers}, 0 being the embeddings)"
        )


def _check_vocabulary(name: str, tokenizer: Any, config: Any) -> None:
    """Every id the tokenizer can give has a row in the model's embedding matrix.

    A tokenizer from another model (or with added tokens the model was not resized for) would
    otherwise fail deep inside the first forward pass, with an index error.

    Raises:
        ModelError: naming both sizes.
    """
    rows = getattr(config, "vocab_size", None)
    if not isinstance(rows, int) or rows <= 0:
        return
    size = len(tokenizer)
    if size > rows:
        raise ModelError(
            f"model {name!r}: its tokenizer gives ids up to {size - 1}, but the model's "
            f"embedding matrix has {rows} rows (vocab_size): the tokenizer belongs to another "
            "model, or tokens were added without resizing the model"
        )


def load_encoder(
    model: str | Path = "mbert",
    device: str = "auto",
    *,
    layer: int = 8,
    batch_size: int = 32,
    precision: Precision = "auto",
) -> Encoder:
    """Load an encoder from the Hugging Face hub or a local model folder.

    Args:
        model: Hub name, local folder, or an alias (``mbert``, ``xlmr``).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        layer: Hidden state to take (0 = embeddings; 8 as in SimAlign and awesome-align).
        batch_size: Sequences per forward pass.
        precision: ``auto`` (bf16/fp16 autocast on GPU, fp32 on CPU), ``fp32``, ``bf16``, ``fp16``.

    Raises:
        MissingDependencyError: when torch or transformers is not installed.
        ModelError: when ``model`` is a file, a folder without ``config.json`` or with one that
            is not a model's, a wordalign model; when its tokenizer gives ids beyond the
            embedding matrix, or it has no hidden state ``layer``. Checked before the weights
            load.
        WordalignError: when the model cannot be loaded or has no fast tokenizer.

    Example:
        >>> encoder = load_encoder("mbert", device="cpu")  # doctest: +SKIP
        >>> [e.vectors.shape for e in encoder.embed([["Guten", "Tag"]])]  # doctest: +SKIP
        [(3, 768)]
    """
    _import_torch()
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    hf_logging = _hf_logging()

    name = resolve_model_name(model)
    _check_model_folder(name)
    verbosity = hf_logging.get_verbosity()
    bar = hf_logging.is_progress_bar_enabled()
    # The load report lists the unused masked-LM head of every BERT checkpoint: noise for users.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        # Configuration and tokenizer first: they are small, and what they say is checked
        # before the weights load.
        config = _from_pretrained(AutoConfig, name)
        _check_layer(name, config, layer)
        tokenizer = _from_pretrained(AutoTokenizer, name)
        _check_vocabulary(name, tokenizer, config)
        network = _from_pretrained(AutoModel, name)
    except (OSError, ValueError, KeyError) as exc:
        if isinstance(exc, WordalignError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WordalignError(f"cannot load model {name!r}: {first}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
        if bar:
            hf_logging.enable_progress_bar()
    if not getattr(tokenizer, "is_fast", False):
        raise WordalignError(
            f"model {name!r} has no fast tokenizer: wordalign needs one to map subwords to words"
        )
    return Encoder(
        network,
        tokenizer,
        layer=layer,
        device=device,
        batch_size=batch_size,
        precision=precision,
        name=name,
    )
