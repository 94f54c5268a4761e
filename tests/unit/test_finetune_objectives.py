"""Fine-tuning's pieces on hand-made inputs: objective names, batches, SO guide and loss, CO,
masking, MLM loss, PSI rows (no model needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="fine-tuning needs the neural extra (torch)")

from wordalign.errors import UnknownNameError, WordalignError  # noqa: E402
from wordalign.finetuning import parse_objectives  # noqa: E402
from wordalign.finetuning.co import co_loss  # noqa: E402
from wordalign.finetuning.data import (  # noqa: E402
    EncodedPair,
    EncodedSide,
    SpecialTokens,
    batch_indices,
    joint_batch,
    side_batch,
)
from wordalign.finetuning.mlm import mask_tokens, masked_lm_loss  # noqa: E402
from wordalign.finetuning.psi import PsiRow, Side, draw_psi_rows, psi_rows, row_sides  # noqa: E402
from wordalign.finetuning.so import (  # noqa: E402
    directional_probabilities,
    so_guide,
    so_loss,
    subword_links,
    word_links,
)
from wordalign.finetuning.tlm import tlm_orders, tlm_rows  # noqa: E402

SPECIALS = SpecialTokens(prefix=(2,), suffix=(3,), pad_id=0, mask_id=4, unk_id=1, vocab_size=50)


def side(ids: list[int], words: list[int]) -> EncodedSide:
    return EncodedSide(np.asarray(ids, np.int64), np.asarray(words, np.int64))


OBJECTIVE_CASES = [
    ("tlm,so", ("tlm", "so")),
    ("so,mlm", ("mlm", "so")),  # canonical order
    (" TLM , so ,tlm", ("tlm", "so")),
    (["co", "psi"], ("psi", "co")),
]


@pytest.mark.parametrize(("given", "expected"), OBJECTIVE_CASES)
def test_finetune_parse_objectives(given: str | list[str], expected: tuple[str, ...]) -> None:
    assert parse_objectives(given) == expected


def test_finetune_parse_objectives_rejects_unknown_and_empty() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown fine-tuning objective 'xyz'.*co, mlm"):
        parse_objectives("tlm,xyz")
    with pytest.raises(WordalignError, match="no fine-tuning objective"):
        parse_objectives(" , ")


def test_finetune_side_batch_wraps_pads_and_maps_words() -> None:
    batch = side_batch([side([10, 11, 12], [0, 0, 1]), side([20], [0])], SPECIALS)
    assert batch.input_ids.tolist() == [[2, 10, 11, 12, 3], [2, 20, 3, 0, 0]]
    assert batch.attention_mask.astype(int).tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    assert batch.content_mask.astype(int).tolist() == [[0, 1, 1, 1, 0], [0, 1, 0, 0, 0]]
    assert batch.word_ids.tolist() == [[-1, 0, 0, 1, -1], [-1, 0, -1, -1, -1]]


def test_finetune_joint_batch_concatenates_and_cuts_each_half() -> None:
    rows = [
        (side([10, 11, 12], [0, 1, 2]), side([20, 21], [0, 1])),
        (side([30], [0]), side([40], [0])),
    ]
    batch = joint_batch(rows, SPECIALS, half_limit=2)
    assert batch.input_ids.tolist() == [[2, 10, 11, 3, 2, 20, 21, 3], [2, 30, 3, 2, 40, 3, 0, 0]]
    assert batch.first_mask.astype(int).tolist() == [
        [0, 1, 1, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 0, 0],
    ]
    assert batch.second_mask.astype(int).tolist() == [
        [0, 0, 0, 0, 0, 1, 1, 0],
        [0, 0, 0, 0, 1, 0, 0, 0],
    ]
    assert batch.attention_mask.sum(1).tolist() == [8, 6]


def test_finetune_batches_visit_every_pair_once_per_epoch() -> None:
    n, size = 7, 2
    first = np.concatenate([batch_indices(n, size, seed=5, batch_no=b) for b in range(4)])
    second = np.concatenate([batch_indices(n, size, seed=5, batch_no=b) for b in range(4, 8)])
    assert sorted(first.tolist()) == list(range(n)) == sorted(second.tolist())
    assert first.tolist() != second.tolist()  # a new order each epoch
    again = np.concatenate([batch_indices(n, size, seed=5, batch_no=b) for b in range(4)])
    assert again.tolist() == first.tolist()


def test_finetune_so_guide_spreads_word_links_to_all_their_subwords() -> None:
    # source words: [w0 = subwords 1,2] [w1 = subword 3]; target words: [v0 = 1] [v1 = 2,3]
    # (position 0 and the last are special tokens, word id -1)
    src_words = torch.tensor([[-1, 0, 0, 1, -1]])
    tgt_words = torch.tensor([[-1, 0, 1, 1, -1]])
    links = torch.zeros((1, 5, 5), dtype=torch.bool)
    links[0, 2, 3] = True  # second subword of w0 with second subword of v1
    links[0, 3, 1] = True  # w1 with v0
    assert word_links(links, src_words, tgt_words)[0].tolist() == [[False, True], [True, False]]
    expected = np.zeros((5, 5))
    expected[1, 2] = expected[1, 3] = expected[2, 2] = expected[2, 3] = 1  # w0-v1
    expected[3, 1] = 1  # w1-v0
    assert so_guide(links, src_words, tgt_words)[0].numpy().tolist() == expected.tolist()


def test_finetune_directional_probabilities_ignore_special_tokens() -> None:
    # one source subword between [CLS] and [SEP]; two target subwords
    src = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]])
    tgt = torch.tensor([[[9.0, 9.0], [3.0, 0.0], [0.0, 0.0], [9.0, 9.0]]])
    src_content = torch.tensor([[False, True, False]])
    tgt_content = torch.tensor([[False, True, True, False]])
    forward, backward = directional_probabilities(src, tgt, src_content, tgt_content)
    e = math.exp(3.0)
    assert forward[0, 1].tolist() == pytest.approx([0.0, e / (e + 1), 1 / (e + 1), 0.0])
    # over the source side only the one content subword counts
    assert backward[0, :, 1].tolist() == pytest.approx([0.0, 1.0, 0.0])
    links = subword_links(forward, backward, src_content, tgt_content, threshold=0.1)
    assert links[0].nonzero().tolist() == [[1, 1]]


def test_finetune_so_and_co_losses_by_hand() -> None:
    forward = torch.tensor([[[0.9, 0.1], [0.2, 0.8]]])  # rows sum to 1
    backward = torch.tensor([[[0.7, 0.4], [0.3, 0.6]]])  # columns sum to 1
    content = torch.tensor([[True, True]])
    guide = torch.eye(2)[None]
    # -( (0.9 + 0.8) / 2 + (0.7 + 0.6) / 2 )
    assert so_loss(forward, backward, guide, content, content).item() == pytest.approx(-1.5)
    # -(0.9*0.7 + 0.1*0.4 + 0.2*0.3 + 0.8*0.6) / min(2, 2)
    assert co_loss(forward, backward, content, content).item() == pytest.approx(-0.605)


def test_finetune_mask_tokens_touches_only_maskable_positions() -> None:
    ids = torch.arange(10, 10 + 4000).view(40, 100) % 45 + 5
    maskable = torch.zeros_like(ids, dtype=torch.bool)
    maskable[:, 1:60] = True
    generator = torch.Generator().manual_seed(0)
    inputs, labels = mask_tokens(ids, maskable, SPECIALS, 0.15, generator)
    chosen = labels != -100
    assert not chosen[~maskable].any() and (inputs[~maskable] == ids[~maskable]).all()
    assert (labels[chosen] == ids[chosen]).all()
    share = chosen.sum().item() / maskable.sum().item()
    assert 0.13 < share < 0.17
    masked = (inputs == SPECIALS.mask_id) & chosen
    kept = (inputs == ids) & chosen
    assert 0.76 < masked.sum().item() / chosen.sum().item() < 0.84
    assert 0.07 < kept.sum().item() / chosen.sum().item() < 0.14  # 10% kept + chance draws
    again, _ = mask_tokens(ids, maskable, SPECIALS, 0.15, torch.Generator().manual_seed(0))
    assert torch.equal(again, inputs)


def test_finetune_masked_lm_loss_averages_per_sentence() -> None:
    logits = torch.zeros((2, 3, 8))  # uniform: every predicted token costs log 8
    labels = torch.tensor([[-100, 5, 6], [-100, -100, -100]])
    # sentence 1: log 8; sentence 2 predicts nothing and contributes 0
    assert masked_lm_loss(logits, labels).item() == pytest.approx(math.log(8) / 2)


Ref = tuple[int, Side]

PSI_CASES: list[tuple[bool, int, tuple[Ref, Ref], tuple[Ref, Ref]]] = [
    (False, 0, ((3, "src"), (3, "tgt")), ((0, "src"), (3, "tgt"))),
    (False, 1, ((3, "src"), (3, "tgt")), ((3, "src"), (0, "tgt"))),
    (True, 2, ((3, "tgt"), (3, "src")), ((0, "tgt"), (3, "src"))),
    (True, 3, ((3, "tgt"), (3, "src")), ((3, "tgt"), (0, "src"))),
]


@pytest.mark.parametrize(("target_first", "mix", "positive", "negative"), PSI_CASES)
def test_finetune_psi_rows_pair_true_translations_against_mixes(
    target_first: bool, mix: int, positive: tuple[Ref, Ref], negative: tuple[Ref, Ref]
) -> None:
    pos, neg = psi_rows(0, 3, target_first, mix)
    assert pos == PsiRow(positive[0], positive[1], 1)
    assert neg == PsiRow(negative[0], negative[1], 0)


def test_finetune_draw_psi_rows_never_pairs_an_example_with_itself() -> None:
    generator = torch.Generator().manual_seed(1)
    rows = draw_psi_rows(list(range(5)) * 40, 5, generator)
    assert [r.label for r in rows] == [1, 0] * 200
    for k, (pos, neg) in enumerate(zip(rows[::2], rows[1::2], strict=True)):
        i = k % 5
        partner = pos.first[0]
        assert partner != i and pos.second[0] == partner and pos.first[1] != pos.second[1]
        assert {neg.first[0], neg.second[0]} == {i, partner} and neg.first[1] != neg.second[1]
    assert {r.first[0] for r in rows[::2]} == set(range(5))
    with pytest.raises(ValueError, match="at least two"):
        draw_psi_rows([0], 1, generator)


def test_finetune_psi_row_sides_and_tlm_rows_pick_the_sentences() -> None:
    pairs = [
        EncodedPair(side([10], [0]), side([20], [0]), 0),
        EncodedPair(side([11], [0]), side([21], [0]), 1),
    ]
    sides = row_sides([PsiRow((1, "tgt"), (0, "src"), 0)], pairs)
    assert [s.ids.tolist() for s in sides[0]] == [[21], [10]]
    assert [(a.ids[0], b.ids[0]) for a, b in tlm_rows(pairs, target_first=True)] == [
        (20, 10),
        (21, 11),
    ]
    assert tlm_orders(full=False, coin=0.7) == [True] and tlm_orders(full=False, coin=0.2) == [
        False
    ]
    assert tlm_orders(full=True, coin=0.7) == [False, True]
