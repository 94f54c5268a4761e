"""Self-training (SO), awesome-align's main objective (Dou & Neubig 2021, §2.2, Eq. 3-4).

The alignments the current model extracts (softmax in both directions over the dot products of
layer-``align_layer`` subword vectors, both probabilities above the threshold 1e-3) are turned
into a guide: a subword pair gets 1 when the words it belongs to are aligned. The loss rewards
probability mass on the guide in both directions::

    L_so = -( sum(G * P_src->tgt) / m  +  sum(G * P_tgt->src) / n )

averaged over the batch, with ``m`` and ``n`` the numbers of source and target subwords. The
guide is extracted with dropout off and no gradient, the loss with dropout on, as in the
reference.
"""

from __future__ import annotations

import torch


def directional_probabilities(
    src_hidden: torch.Tensor,
    tgt_hidden: torch.Tensor,
    src_content: torch.Tensor,
    tgt_content: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax of the subword dot products over the target side and over the source side.

    Special tokens and padding are excluded from each normalisation (the reference masks them
    before its softmax).

    Args:
        src_hidden: ``(batch, m, dim)`` source hidden states (special tokens included).
        tgt_hidden: ``(batch, n, dim)`` target hidden states.
        src_content: ``(batch, m)`` bool, true on the source sentence's own subwords.
        tgt_content: ``(batch, n)`` bool.

    Returns:
        ``(P_src->tgt, P_tgt->src)``, both ``(batch, m, n)`` float32: rows of the first and
        columns of the second sum to 1 over the sentence's subwords.
    """
    scores = torch.matmul(src_hidden.float(), tgt_hidden.float().transpose(-1, -2))
    src_to_tgt = scores.masked_fill(~tgt_content[:, None, :], float("-inf")).softmax(-1)
    tgt_to_src = scores.masked_fill(~src_content[:, :, None], float("-inf")).softmax(-2)
    return src_to_tgt, tgt_to_src


def subword_links(
    src_to_tgt: torch.Tensor,
    tgt_to_src: torch.Tensor,
    src_content: torch.Tensor,
    tgt_content: torch.Tensor,
    threshold: float = 1e-3,
) -> torch.Tensor:
    """``(batch, m, n)`` bool: subword pairs above ``threshold`` in both directions (the
    extraction of ``wordalign align --method awesome``)."""
    both = (src_to_tgt > threshold) & (tgt_to_src > threshold)
    result: torch.Tensor = both & src_content[:, :, None] & tgt_content[:, None, :]
    return result


def _one_hot_words(word_ids: torch.Tensor) -> torch.Tensor:
    """``(batch, length, n_words)`` float: 1 where subword k belongs to word w (none for -1)."""
    n_words = int(word_ids.max().item()) + 1 if word_ids.numel() else 0
    n_words = max(n_words, 1)
    hot = torch.nn.functional.one_hot(word_ids.clamp(min=0), n_words).float()
    return hot * (word_ids >= 0)[..., None].float()


def word_links(
    links: torch.Tensor, src_word_ids: torch.Tensor, tgt_word_ids: torch.Tensor
) -> torch.Tensor:
    """``(batch, src_words, tgt_words)`` bool: words with at least one linked subword pair.

    Args:
        links: ``(batch, m, n)`` bool subword links.
        src_word_ids: ``(batch, m)`` word of each source subword, -1 on special tokens/padding.
        tgt_word_ids: ``(batch, n)``.
    """
    src_hot = _one_hot_words(src_word_ids)
    tgt_hot = _one_hot_words(tgt_word_ids)
    counts = src_hot.transpose(-1, -2) @ links.float() @ tgt_hot
    result: torch.Tensor = counts > 0
    return result


def so_guide(
    links: torch.Tensor, src_word_ids: torch.Tensor, tgt_word_ids: torch.Tensor
) -> torch.Tensor:
    """The self-training target: ``(batch, m, n)`` float, 1 on every subword pair whose words
    are aligned (the reference's ``get_aligned_word`` guide).

    Example:
        >>> links = torch.tensor([[[False, False], [True, False], [False, False]]])
        >>> so_guide(links, torch.tensor([[0, 0, 1]]), torch.tensor([[0, 1]])).tolist()
        [[[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]
    """
    src_hot = _one_hot_words(src_word_ids)
    tgt_hot = _one_hot_words(tgt_word_ids)
    words = word_links(links, src_word_ids, tgt_word_ids).float()
    spread = src_hot @ words @ tgt_hot.transpose(-1, -2)
    return (spread > 0).float()


def so_loss(
    src_to_tgt: torch.Tensor,
    tgt_to_src: torch.Tensor,
    guide: torch.Tensor,
    src_content: torch.Tensor,
    tgt_content: torch.Tensor,
) -> torch.Tensor:
    """Self-training loss (Eq. 4 of Dou & Neubig 2021): minus the guide's probability mass,
    per subword, in both directions, averaged over the batch."""
    n_src = src_content.sum(-1).float()
    n_tgt = tgt_content.sum(-1).float()
    mass_src = (src_to_tgt * guide).sum((-1, -2)) / n_src
    mass_tgt = (tgt_to_src * guide).sum((-1, -2)) / n_tgt
    return -(mass_src + mass_tgt).mean()
