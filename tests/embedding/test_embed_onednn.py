"""oneDNN linear layers: same products as ``nn.Linear``, swapped in only where they apply."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="the oneDNN linear layers need torch")

from wordalign.embed.onednn import OneDnnLinear, onednn_available, use_onednn_linears  # noqa: E402

needs_onednn = pytest.mark.skipif(
    not onednn_available(), reason="this torch build has no oneDNN linear operators"
)


@needs_onednn
@pytest.mark.parametrize("bias", [True, False])
def test_onednn_linear_equals_nn_linear_on_any_leading_shape(bias: bool) -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(48, 20, bias=bias)
    fast = OneDnnLinear(linear)
    for shape in [(7, 48), (3, 5, 48), (0, 48)]:
        x = torch.randn(*shape)
        with torch.inference_mode():
            expected = linear(x)
            got = fast(x)
        assert got.shape == expected.shape
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


@needs_onednn
def test_use_onednn_linears_swaps_fp32_linears_only_and_keeps_outputs() -> None:
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(16, 32),
        torch.nn.GELU(),
        torch.nn.Sequential(torch.nn.Linear(32, 8), torch.nn.LayerNorm(8)),
        torch.nn.Linear(8, 8).to(torch.float64),
    ).eval()
    x = torch.randn(4, 6, 16)
    with torch.inference_mode():
        expected = model[:3](x)
    assert use_onednn_linears(model) == 2
    assert isinstance(model[0], OneDnnLinear)
    assert isinstance(model[2][0], OneDnnLinear)
    assert type(model[3]) is torch.nn.Linear  # float64: left alone
    with torch.inference_mode():
        got = model[:3](x)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_use_onednn_linears_does_nothing_without_onednn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4))
    assert not onednn_available()
    assert use_onednn_linears(model) == 0
    assert type(model[0]) is torch.nn.Linear


@needs_onednn
@pytest.mark.parametrize("family", ["bert", "xlm-roberta"])
def test_fused_bert_blocks_give_the_hidden_states_of_the_original(family: str) -> None:
    transformers = pytest.importorskip("transformers", reason="the blocks are transformers'")
    import copy

    sizes = {
        "vocab_size": 120,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
    }
    if family == "bert":
        config = transformers.BertConfig(**sizes)
        original = transformers.BertModel(config).eval()
    else:
        config = transformers.XLMRobertaConfig(**sizes, pad_token_id=1)
        original = transformers.XLMRobertaModel(config).eval()
    fast = copy.deepcopy(original)
    assert use_onednn_linears(fast) > 0
    fused = [m for m in fast.modules() if "forward" in vars(m)]
    # Per layer: the attention output, the intermediate (GELU) and the output block.
    assert len(fused) == 3 * sizes["num_hidden_layers"]
    ids = torch.tensor([[5, 6, 7, 8, 9], [10, 11, 12, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    with torch.inference_mode():
        expected = original(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        got = fast(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    for e, g in zip(expected.hidden_states, got.hidden_states, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-5)
