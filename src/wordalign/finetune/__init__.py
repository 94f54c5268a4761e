"""Fine-tuning encoders for word alignment (awesome-align; Dou & Neubig 2021).

One module per objective (:mod:`~wordalign.finetune.mlm`, :mod:`~wordalign.finetune.tlm`,
:mod:`~wordalign.finetune.so`, :mod:`~wordalign.finetune.psi`, :mod:`~wordalign.finetune.co`),
the training data (:mod:`~wordalign.finetune.data`) and the loop with its checkpoints
(:mod:`~wordalign.finetune.trainer`). Importing this package does not import torch.
"""

from __future__ import annotations

from wordalign.finetune.trainer import (
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
