"""Parallel sentence identification (PSI; Dou & Neubig 2021, §2.2).

A classifier on the first token's vector (of the layer above the alignment layer, as in the
reference) tells true translation pairs (label 1) from mixed ones (label 0). For each example
``i`` in a batch the reference draws another example ``k`` of the corpus and builds two rows:
``k``'s own source and target, in random order (label 1), and one of four mixes of ``i`` and
``k`` (label 0): ``src_i+tgt_k``, ``src_k+tgt_i``, ``tgt_i+src_k`` or ``tgt_k+src_i``.
The classifier head is trained alongside the encoder and not saved with the final model (the
aligners need only the encoder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from wordalign.finetuning.data import EncodedPair, EncodedSide

Side = Literal["src", "tgt"]


@dataclass(frozen=True, slots=True)
class PsiRow:
    """One classifier input: two sentences (corpus index and side) and the label."""

    first: tuple[int, Side]
    second: tuple[int, Side]
    label: int


def psi_rows(i: int, k: int, target_first: bool, mix: int) -> tuple[PsiRow, PsiRow]:
    """The positive and the negative row of example ``i`` with partner ``k``.

    Args:
        i: The example.
        k: Another example (``k != i``).
        target_first: Put ``k``'s target before its source in the positive row.
        mix: 0..3, which negative: ``src_i+tgt_k``, ``src_k+tgt_i``, ``tgt_i+src_k``,
            ``tgt_k+src_i``.

    Example:
        >>> psi_rows(0, 3, False, 0)
        (PsiRow(first=(3, 'src'), second=(3, 'tgt'), label=1), PsiRow(first=(0, 'src'), second=(3, 'tgt'), label=0))
    """
    positive = (
        PsiRow((k, "tgt"), (k, "src"), 1) if target_first else PsiRow((k, "src"), (k, "tgt"), 1)
    )
    negatives = (
        PsiRow((i, "src"), (k, "tgt"), 0),
        PsiRow((k, "src"), (i, "tgt"), 0),
        PsiRow((i, "tgt"), (k, "src"), 0),
        PsiRow((k, "tgt"), (i, "src"), 0),
    )
    return positive, negatives[mix]


def draw_psi_rows(indices: Sequence[int], n_pairs: int, generator: torch.Generator) -> list[PsiRow]:
    """Two rows per example: a partner drawn uniformly among the other pairs of the corpus,
    then the order of the positive and the kind of the negative.

    Raises:
        ValueError: when the corpus has fewer than two pairs.
    """
    if n_pairs < 2:
        raise ValueError("parallel sentence identification needs at least two sentence pairs")
    rows: list[PsiRow] = []
    for i in indices:
        k = int(torch.randint(n_pairs - 1, (), generator=generator).item())
        k += k >= i  # uniform over the corpus without i
        target_first = bool(torch.rand((), generator=generator).item() > 0.5)
        mix = int(torch.randint(4, (), generator=generator).item())
        rows.extend(psi_rows(int(i), k, target_first, mix))
    return rows


def row_sides(
    rows: Sequence[PsiRow], pairs: Sequence[EncodedPair]
) -> list[tuple[EncodedSide, EncodedSide]]:
    """The sentences of each row, for :func:`wordalign.finetuning.data.joint_batch`."""

    def side(ref: tuple[int, Side]) -> EncodedSide:
        pair = pairs[ref[0]]
        return pair.src if ref[1] == "src" else pair.tgt

    return [(side(r.first), side(r.second)) for r in rows]


class PsiHead(torch.nn.Module):
    """Dense layer with tanh on the first token's vector, then two logits (the reference's
    ``BertPSIHead``)."""

    def __init__(self, hidden_size: int, init_range: float, generator: torch.Generator) -> None:
        super().__init__()
        self.dense = torch.nn.Linear(hidden_size, hidden_size)
        self.out = torch.nn.Linear(hidden_size, 2)
        with torch.no_grad():
            for layer in (self.dense, self.out):
                layer.weight.normal_(0.0, init_range, generator=generator)
                layer.bias.zero_()

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """``(batch, 2)`` logits from ``(batch, length, dim)`` hidden states."""
        logits: torch.Tensor = self.out(torch.tanh(self.dense(hidden[:, 0])))
        return logits


def psi_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of the classifier."""
    return torch.nn.functional.cross_entropy(logits.float(), labels)
