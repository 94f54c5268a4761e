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
