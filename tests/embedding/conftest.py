"""The embedding-aligner tests need the neural extra; their tiny models are fixtures of
tests/conftest.py."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="embedding aligners need the neural extra (torch)")
pytest.importorskip("transformers", reason="embedding aligners need the neural extra")

# The tiny models are far too small to profit from several threads, and OpenMP threads that
# spin-wait slow everything down on a busy machine.
torch.set_num_threads(1)

LAYER = 2
"""The tiny models have two layers; tests take the last one (the reference default, 8, is beyond)."""
