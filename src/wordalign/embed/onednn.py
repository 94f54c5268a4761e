"""Linear layers through oneDNN on the CPU, for encoders that only run inference.

In fp32, torch's ``nn.Linear`` multiplies with the BLAS it was built with (MKL in the PyPI
wheels), and MKL takes a slow code path on non-Intel CPUs: on a 2-core AMD EPYC (Zen 5) it
reached about 210 GFLOP/s on the shapes of a BERT-base layer where oneDNN, also bundled with
torch, reached about 480 GFLOP/s, and mBERT's forward pass over 100 sentences went from 1.34 s to
0.65 s. The linear layers are where a transformer encoder spends its time (about 80% of it after
this change, torch's profiler on mBERT-size batches), so :func:`use_onednn_linears` swaps each
``nn.Linear`` for a module that multiplies with a weight packed once into oneDNN's blocked
layout. The product is still computed in fp32 (no reduced-precision mode is enabled); only the
order of the additions differs, by about 1e-6 on mBERT's hidden states.
"""

from __future__ import annotations

import types
from typing import Any

import torch


class OneDnnLinear(torch.nn.Module):
    """``nn.Linear`` for inference on the CPU, its weight packed for oneDNN.

    Args:
        linear: The layer to replace; its weight and bias are copied, not shared.
    """

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        self.in_features = linear.in_features
        self.out_features = linear.out_features
        with torch.no_grad():
            self.packed = torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach(), None)
        bias = linear.bias
        self.register_buffer("bias", None if bias is None else bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x @ weight.T + bias`` over the last dimension of ``x`` (any leading dimensions)."""
        out: torch.Tensor = torch.ops.mkldnn._linear_pointwise(
            x, self.packed, self.bias, "none", [], ""
        )
        return out

    def forward_add(self, x: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        """``forward(x) + other``, the addition done as the product is written out."""
        out: torch.Tensor = torch.ops.mkldnn._linear_pointwise.binary(
            x, other, self.packed, self.bias, "add"
        )
        return out

    def forward_gelu(self, x: torch.Tensor) -> torch.Tensor:
        """``gelu(forward(x))`` (the exact, erf-based GELU), applied as the product is written."""
        out: torch.Tensor = torch.ops.mkldnn._linear_pointwise(
            x, self.packed, self.bias, "gelu", [], "none"
        )
        return out


# Hugging Face blocks (BERT and its copies) computing ``LayerNorm(dropout(dense(h)) + residual)``
# and ``act(dense(h))``. Their residual add and GELU are separate passes over the activations;
# fused into the product (oneDNN post-ops) they give the same bits and save about 3% of mBERT's
# forward time on 2 quiet cores, more when other work competes for memory bandwidth.
_RESIDUAL_BLOCKS = frozenset(
    f"{prefix}{block}"
    for prefix in ("Bert", "Roberta", "XLMRoberta")
    for block in ("SelfOutput", "Output")
)
_INTERMEDIATE_BLOCKS = frozenset(
    f"{prefix}Intermediate" for prefix in ("Bert", "Roberta", "XLMRoberta")
)


def _residual_forward(
    block: Any, hidden_states: torch.Tensor, input_tensor: torch.Tensor
) -> torch.Tensor:
    # Dropout is the identity in evaluation mode.
    out: torch.Tensor = block.LayerNorm(block.dense.forward_add(hidden_states, input_tensor))
    return out


def _intermediate_forward(block: Any, hidden_states: torch.Tensor) -> torch.Tensor:
    out: torch.Tensor = block.dense.forward_gelu(hidden_states)
    return out


def _is_exact_gelu(module: object) -> bool:
    try:
        from transformers.activations import GELUActivation
    except ImportError:
        return False
    return type(module) is GELUActivation and module.act is torch.nn.functional.gelu


def _fuse_blocks(model: Any) -> int:
    fused = 0
    for module in model.modules():
        name = type(module).__name__
        if module.training or not isinstance(getattr(module, "dense", None), OneDnnLinear):
            continue
        if name in _RESIDUAL_BLOCKS and isinstance(
            getattr(module, "LayerNorm", None), torch.nn.LayerNorm
        ):
            module.forward = types.MethodType(_residual_forward, module)
            fused += 1
        elif name in _INTERMEDIATE_BLOCKS and _is_exact_gelu(
            getattr(module, "intermediate_act_fn", None)
        ):
            module.forward = types.MethodType(_intermediate_forward, module)
            fused += 1
    return fused


def onednn_available() -> bool:
    """Whether this torch build has oneDNN's packed linear operators, and they work here."""
    if not torch.backends.mkldnn.is_available():  # type: ignore[no-untyped-call]
        return False
    try:
        probe = torch.nn.Linear(4, 3)
        x = torch.randn(2, 4)
        with torch.no_grad():
            return bool(torch.allclose(OneDnnLinear(probe)(x), probe(x), atol=1e-5))
    except (AttributeError, RuntimeError):
        return False


def use_onednn_linears(model: Any) -> int:
    """Replace every fp32 ``nn.Linear`` of a CPU ``model`` in place by :class:`OneDnnLinear`.

    In a model in evaluation mode, the residual additions and GELUs of BERT-family blocks
    (``BertOutput``, ``BertIntermediate`` and their RoBERTa / XLM-R copies) are moreover fused
    into the products. The model can no longer be trained, moved to another device or cast
    afterwards: use it for inference only. Does nothing when oneDNN is unavailable.

    Returns:
        The number of layers replaced.
    """
    if not onednn_available():
        return 0
    targets = [
        (name, module)
        for name, module in model.named_modules()
        if type(module) is torch.nn.Linear
        and module.weight.device.type == "cpu"
        and module.weight.dtype == torch.float32
    ]
    for name, module in targets:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, OneDnnLinear(module))
    _fuse_blocks(model)
    return len(targets)
