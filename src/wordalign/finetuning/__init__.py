"""Fine-tuning encoders for word alignment (awesome-align; Dou & Neubig 2021).

One module per objective (:mod:`~wordalign.finetuning.mlm`, :mod:`~wordalign.finetuning.tlm`,
:mod:`~wordalign.finetuning.so`, :mod:`~wordalign.finetuning.psi`, :mod:`~wordalign.finetuning.co`),
the training data (:mod:`~wordalign.finetuning.data`) and the loop with its checkpoints
(:mod:`~wordalign.finetuning.trainer`). Importing this package does not import torch.
"""

from __future__ import annotations

from wordalign.finetuning.trainer import (
    DEFAULT_OBJECTIVES,
    OBJECTIVES,
    FinetuneResult,
    finetune,
    latest_checkpoint,
    parse_objectives,
)

__all__ = [
    "DEFAULT_OBJECTIVES",
    "OBJECTIVES",
    "FinetuneResult",
    "finetune",
    "latest_checkpoint",
    "parse_objectives",
]
