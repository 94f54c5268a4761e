"""Translation language modelling (TLM; Conneau & Lample 2019), as awesome-align trains it.

The two sentences of a pair are concatenated, each in its own special tokens, and subwords of
one of them are masked, so that the model may look at the translation to fill them in (Dou &
Neubig 2021, §2.2). The reference masks only the second sentence in one pass and only the first
in another, and picks the order (source first or target first) at random per batch unless
``--train_tlm_full`` asks for both orders.
"""

from __future__ import annotations

from collections.abc import Sequence

from wordalign.finetuning.data import EncodedPair, EncodedSide


def tlm_rows(
    pairs: Sequence[EncodedPair], target_first: bool
) -> list[tuple[EncodedSide, EncodedSide]]:
    """The sentences to concatenate per row: ``(src, tgt)``, or ``(tgt, src)`` when
    ``target_first``."""
    return [(p.tgt, p.src) if target_first else (p.src, p.tgt) for p in pairs]


def tlm_orders(full: bool, coin: float) -> list[bool]:
    """Which concatenation orders one batch trains on (``True`` = target first).

    Args:
        full: Both orders (the reference's ``--train_tlm_full``).
        coin: A uniform draw in [0, 1); above 0.5 puts the target first.
    """
    return [False, True] if full else [coin > 0.5]
