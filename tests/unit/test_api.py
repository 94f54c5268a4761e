"""Tests of the public import surface: ``from wordalign import ...``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import wordalign


@pytest.mark.parametrize("name", wordalign.__all__)
def test_api_every_public_name_resolves(name: str) -> None:
    assert getattr(wordalign, name) is not None


def test_api_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        wordalign.nope  # noqa: B018


def test_api_lazy_names_do_not_load_torch() -> None:
    # Resolving an embedding aligner class must not import torch: the encoder loads on align().
    code = (
        "import sys, wordalign; wordalign.SimAlign; wordalign.AwesomeAlign; wordalign.tokenize; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
