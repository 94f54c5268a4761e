"""Encoder layer of the embedding aligners: Hugging Face models to word vectors, and orthogonal
maps between the vectors of two languages (:mod:`wordalign.embed.mapping`).

Importing this package does not import torch; :func:`load_encoder` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wordalign.embed.encoder import (
        MODEL_ALIASES,
        Encoder,
        ModelError,
        SentenceEmbedding,
        load_encoder,
        resolve_device,
    )
    from wordalign.embed.mapping import (
        EmbeddingMap,
        MapFileError,
        MapMismatchError,
        fit_map,
        load_map,
        procrustes,
    )

_ENCODER = ["MODEL_ALIASES", "Encoder", "ModelError", "SentenceEmbedding", "load_encoder"]
_ENCODER += ["resolve_device"]
_MAPPING = ["EmbeddingMap", "MapFileError", "MapMismatchError", "fit_map", "load_map", "procrustes"]

__all__ = [
    "MODEL_ALIASES",
    "EmbeddingMap",
    "Encoder",
    "MapFileError",
    "MapMismatchError",
    "ModelError",
    "SentenceEmbedding",
    "fit_map",
    "load_encoder",
    "load_map",
    "procrustes",
    "resolve_device",
]


def __getattr__(name: str) -> Any:
    if name in _ENCODER:
        from wordalign.embed import encoder

        return getattr(encoder, name)
    if name in _MAPPING:
        from wordalign.embed import mapping

        return getattr(mapping, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
