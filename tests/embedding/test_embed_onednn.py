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
