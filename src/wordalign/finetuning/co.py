"""Consistency optimisation (CO; Dou & Neubig 2021, §2.2, Eq. 6).

CO asks the two directions to agree: it maximises ``trace(P_src->tgt P_tgt->src^T)``, i.e. the
summed product of the two probabilities of each subword pair, divided by the length of the
shorter sentence.
"""

from __future__ import annotations

import torch


def co_loss(
    src_to_tgt: torch.Tensor,
    tgt_to_src: torch.Tensor,
    src_content: torch.Tensor,
    tgt_content: torch.Tensor,
) -> torch.Tensor:
    """Minus the normalised trace, averaged over the batch.

    Args:
        src_to_tgt: ``(batch, m, n)`` rows normalised over the target subwords.
        tgt_to_src: ``(batch, m, n)`` columns normalised over the source subwords.
        src_content: ``(batch, m)`` bool, the source sentence's own subwords.
        tgt_content: ``(batch, n)`` bool.
    """
    shorter = torch.minimum(src_content.sum(-1), tgt_content.sum(-1)).float()
    # trace(A B^T) = sum_ij A_ij B_ij; special rows/columns hold zero probability in one of the two
    trace = (src_to_tgt * tgt_to_src).sum((-1, -2))
    return -(trace / shorter).mean()
