"""Forward passes that stop at a layer, and the model's length limit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch


@contextmanager
def layers_up_to(model: Any, n_layers: int) -> Iterator[None]:
    """Run only the first ``n_layers`` transformer layers inside the block.

    Layers above the alignment layer cannot change its hidden states, and the objectives that
    work on them (SO, CO, PSI) would otherwise pay for a whole network (a third more for layer
    8 of 12). Models whose layers are not an ``encoder.layer`` list run whole.
    """
    encoder: Any = getattr(model.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if not isinstance(layers, torch.nn.ModuleList) or n_layers >= len(layers):
        yield
        return
    encoder.layer = torch.nn.ModuleList(list(layers)[:n_layers])
    try:
        yield
    finally:
        encoder.layer = layers


def prepare(model: Any) -> None:
    """Run the whole encoder once on a one-token input.

    transformers 5 installs the hooks that collect ``hidden_states`` on the first forward pass,
    on the layers present then; a first pass with the layers cut would leave the upper layers
    without hooks for good.
    """
    device = next(model.parameters()).device
    ids = torch.zeros((1, 1), dtype=torch.long, device=device)
    training = model.training
    model.eval()  # no dropout: the pass must not draw from the random state
    with torch.no_grad():
        model.base_model(
            input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True
        )
    model.train(training)


def hidden_states_at(
    model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor, layer: int
) -> torch.Tensor:
    """``hidden_states[layer]`` of the model's encoder: ``(batch, length, dim)``."""
    with layers_up_to(model, layer):
        outputs = model.base_model(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True
        )
    hidden: torch.Tensor = outputs.hidden_states[layer]
    return hidden


def model_limit(model: Any, tokenizer: Any) -> int:
    """Most tokens (special tokens included) one input may have."""
    config = model.config
    limit = int(getattr(config, "max_position_embeddings", 0) or 10**9)
    if "roberta" in str(getattr(config, "model_type", "")):
        # RoBERTa-style position ids start after the padding index (XLM-R: 514 -> 512).
        pad = getattr(config, "pad_token_id", None)
        limit -= (1 if pad is None else int(pad)) + 1
    tok_limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
    if 0 < tok_limit < 10**6:
        limit = min(limit, tok_limit)
    return limit


def lm_head(model: Any) -> torch.nn.Module | None:
    """The module of a masked-LM model that turns the encoder's last hidden states into
    vocabulary scores (BERT: ``cls``; RoBERTa, XLM-R: ``lm_head``); None when the model has no
    single such module."""
    base = model.base_model
    heads = [module for module in model.children() if module is not base]
    return heads[0] if len(heads) == 1 else None


class _DecoderRows(torch.nn.Module):
    """A stand-in for the output projection that scores only the vocabulary ids ``rows``."""

    def __init__(self, decoder: torch.nn.Linear, rows: torch.Tensor) -> None:
        super().__init__()
        self._decoder = (decoder,)  # a tuple: not registered as a submodule
        self._rows = rows

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        (decoder,) = self._decoder
        bias = None if decoder.bias is None else decoder.bias[self._rows]
        return torch.nn.functional.linear(hidden, decoder.weight[self._rows], bias)


@contextmanager
def decoder_rows(model: Any, head: torch.nn.Module, rows: torch.Tensor) -> Iterator[bool]:
    """Make ``head`` score only the vocabulary ids ``rows`` inside the block (yields True), by
    standing in for its output projection; yields False, changing nothing, when that projection
    is not a linear layer inside ``head``."""
    decoder = model.get_output_embeddings()
    where = None
    if isinstance(decoder, torch.nn.Linear):
        for name, module in head.named_modules():
            if module is decoder and name:
                where = name
                break
    if where is None:
        yield False
        return
    parent_name, _, attr = where.rpartition(".")
    parent = head.get_submodule(parent_name) if parent_name else head
    setattr(parent, attr, _DecoderRows(decoder, rows))
    try:
        yield True
    finally:
        setattr(parent, attr, decoder)


def masked_lm_scores(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    labels: torch.Tensor,
    vocab: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Vocabulary scores of the predicted positions only (where ``labels`` is not -100).

    The encoder runs on the whole batch; the head then runs only on the hidden states of the
    predicted positions, a sixth or so of the subwords, instead of computing a ``(batch, length,
    vocab)`` tensor (1 GB for 8 pairs of a 250,000-id vocabulary). With ``vocab``, a pair
    ``(ids, lookup)`` of the ids to score (sorted) and a ``(vocab_size,)`` map from an id to its
    index among them (-1 elsewhere), the softmax runs over those ids only and the targets are
    their indices.

    Returns:
        ``scores`` ``(n, vocab or len(ids))``, ``targets`` ``(n,)`` and ``rows`` ``(n,)``, the
        sentence each predicted position belongs to.
    """
    chosen = labels != -100
    rows = chosen.nonzero()[:, 0]
    targets = labels[chosen]
    head = lm_head(model)
    scores: torch.Tensor | None = None
    if head is not None:
        hidden = model.base_model(input_ids=input_ids, attention_mask=attention_mask)[0]
        selected = hidden[chosen]
        if vocab is None:
            scores = head(selected)
        else:
            with decoder_rows(model, head, vocab[0]) as restricted:
                if restricted:
                    scores = head(selected)
            if scores is None:
                scores = head(selected)[:, vocab[0]]
    else:
        logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
        scores = logits[chosen] if vocab is None else logits[chosen][:, vocab[0]]
    if vocab is not None:
        targets = vocab[1][targets]
    return scores, targets, rows
