"""Encoder layer of the embedding aligners: Hugging Face models to word vectors.

Importing this package does not import torch; :func:`load_encoder` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wordalign.embed.encoder import (
        MODEL_ALIASES,
        Encoder,
        SentenceEmbedding,
        load_encoder,
        resolve_device,
    )

__all__ = ["MODEL_ALIASES", "Encoder", "SentenceEmbedding", "load_encoder", "resolve_device"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from wordalign.embed import encoder

        return getattr(encoder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
