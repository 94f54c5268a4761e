"""Masked language modelling (MLM; Devlin et al. 2019), the first of awesome-align's objectives.

Dou & Neubig (2021, §2.2) keep MLM on each side of the parallel corpus so that fine-tuning for
alignment does not wreck the language model. Masking follows BERT: 15% of the sentence's own
subwords are chosen; of those 80% become the mask token, 10% a random id, 10% stay; the loss is
the cross-entropy of the chosen subwords, averaged per sentence, then over the batch (the
reference's ``BertForMaskedLM`` averages per sentence, not per token).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from wordalign.finetuning.data import SpecialTokens

IGNORE = -100
"""Label of a position that is not predicted."""


def mask_tokens(
    input_ids: torch.Tensor,
    maskable: torch.Tensor,
    specials: SpecialTokens,
    probability: float,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Choose subwords to predict and corrupt them as BERT does.

    Args:
        input_ids: ``(batch, length)`` int64 ids (on the CPU, like ``generator``).
        maskable: ``(batch, length)`` bool; only these positions may be chosen (a sentence's own
            subwords: never special tokens or padding).
        specials: Mask id and vocabulary size.
        probability: Chance of each maskable position to be chosen (0.15).
        generator: Source of randomness (seeded by the trainer).

    Returns:
        The corrupted ids and the labels (the original id where chosen, ``-100`` elsewhere).
    """
    shape = input_ids.shape
    chance = torch.full(shape, probability).masked_fill_(~maskable, 0.0)
    chosen = torch.bernoulli(chance, generator=generator).bool()
    labels = input_ids.masked_fill(~chosen, IGNORE)
    inputs = input_ids.clone()
    to_mask = torch.bernoulli(torch.full(shape, 0.8), generator=generator).bool() & chosen
    inputs[to_mask] = specials.mask_id
    # Half of the remaining 20%: a random id; the other half keeps its own.
    to_random = (
        torch.bernoulli(torch.full(shape, 0.5), generator=generator).bool() & chosen & ~to_mask
    )
    random_ids = torch.randint(specials.vocab_size, shape, generator=generator)
    inputs[to_random] = random_ids[to_random]
    return inputs, labels


def masked_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the chosen positions, averaged per sentence, then over sentences.

    A sentence with no chosen position contributes 0 (as in the reference).

    Args:
        logits: ``(batch, length, vocab)``.
        labels: ``(batch, length)`` with ``-100`` where nothing is predicted.
    """
    batch = labels.shape[0]
    per_token = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]).float(),
        labels.reshape(-1),
        ignore_index=IGNORE,
        reduction="none",
    ).view(batch, -1)
    counts = (labels != IGNORE).sum(-1).float()
    return (per_token.sum(-1) / (counts + 1e-9)).mean()


def masked_lm_loss_at(
    scores: torch.Tensor, targets: torch.Tensor, rows: torch.Tensor, batch: int
) -> torch.Tensor:
    """:func:`masked_lm_loss` from the scores of the predicted positions alone.

    The same number (up to rounding) as ``masked_lm_loss(logits, labels)`` when ``scores`` are
    the rows of ``logits`` where ``labels`` is not -100, ``targets`` their labels and ``rows``
    their sentences (what :func:`wordalign.finetuning._model.masked_lm_scores` returns).

    Args:
        scores: ``(n, vocab)`` scores of the n predicted positions.
        targets: ``(n,)`` the ids to predict (indices into ``scores``' columns).
        rows: ``(n,)`` the sentence of each position, in ``[0, batch)``.
        batch: Sentences in the batch (those without a predicted position count as 0).
    """
    per_token = torch.nn.functional.cross_entropy(scores.float(), targets, reduction="none")
    sums = torch.zeros(batch, device=scores.device, dtype=per_token.dtype)
    sums = sums.index_add(0, rows, per_token)
    counts = torch.bincount(rows, minlength=batch).to(per_token.dtype)
    return (sums / (counts + 1e-9)).mean()


def corpus_vocabulary(ids: Sequence[np.ndarray], vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The subword ids a corpus uses (sorted) and a ``(vocab_size,)`` map from an id to its
    index among them (-1 for an id the corpus does not use): the vocabulary of the truncated
    softmax (``mlm_vocab="corpus"``), where only the ids that can be a label are scored."""
    used = np.unique(np.concatenate([np.asarray(a, np.int64) for a in ids]))
    lookup = np.full(vocab_size, -1, dtype=np.int64)
    lookup[used] = np.arange(len(used))
    return used, lookup
