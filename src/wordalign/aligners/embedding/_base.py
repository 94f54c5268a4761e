"""What SimAlign and awesome-align share: a lazily loaded encoder and chunked embedding."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from wordalign.aligners.base import Aligner
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Encoder, SentenceEmbedding

CHUNK_PAIRS = 2048
"""Pairs embedded at a time: bounds memory (vectors of a chunk only) while batching well."""

_CACHE: dict[tuple[Any, ...], Encoder] = {}


def cached_encoder(model: str, device: str, layer: int, batch_size: int, precision: str) -> Encoder:
    """The encoder for these settings, reusing the most recently loaded one when they match.

    Several aligners on the same model (the three SimAlign methods, both levels) then load it
    once. Only one encoder is kept, so memory holds at most one model.
    """
    from wordalign.embed.encoder import load_encoder

    key = (str(model), device, layer, precision)
    encoder = _CACHE.get(key)
    if encoder is None:
        _CACHE.clear()
        encoder = load_encoder(
            model,
            device,
            layer=layer,
            batch_size=batch_size,
            precision=precision,  # type: ignore[arg-type]
        )
        _CACHE[key] = encoder
    encoder.batch_size = batch_size
    return encoder


class EmbeddingAligner(Aligner):
    """Base of aligners that align with a pretrained encoder and need no training."""

    trainable = False
    model: str
    device: str
    layer: int
    batch_size: int
    precision: str
    progress: bool

    def _encoder(self) -> Encoder:
        from wordalign.errors import WordalignError

        if self.batch_size < 1:
            raise WordalignError(f"batch size must be positive, not {self.batch_size}")
        return cached_encoder(self.model, self.device, self.layer, self.batch_size, self.precision)

    def _embedded_pairs(
        self, pairs: list[SentencePair]
    ) -> Iterator[tuple[SentenceEmbedding, SentenceEmbedding]]:
        """Source and target embeddings of each pair, in order, computed a chunk at a time."""
        encoder = self._encoder()
        for start in range(0, len(pairs), CHUNK_PAIRS):
            chunk = pairs[start : start + CHUNK_PAIRS]
            embedded = encoder.embed([p.src for p in chunk] + [p.tgt for p in chunk])
            yield from zip(embedded[: len(chunk)], embedded[len(chunk) :], strict=True)

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        if all(not p.src or not p.tgt for p in pairs):
            return [Alignment() for _ in pairs]
        from wordalign._progress import progress

        return [
            self._extract(src, tgt)
            for src, tgt in progress(
                self._embedded_pairs(pairs),
                total=len(pairs),
                desc=self.name,
                enabled=self.progress,
            )
        ]

    def align_embedded(
        self, embedded: Iterable[tuple[SentenceEmbedding, SentenceEmbedding]]
    ) -> list[Alignment]:
        """Align sentence pairs whose vectors were computed already.

        Aligners that read the same encoder (SimAlign's three methods at both levels and
        awesome-align's extraction all take ``hidden_states[layer]``) can then share one forward
        pass per sentence, as the methods experiment does. The vectors must come from an encoder
        with this aligner's model, layer and precision; nothing is loaded here.

        Args:
            embedded: ``(source, target)`` embeddings of each pair, for example
                ``zip(vectors[:n], vectors[n:])`` of ``Encoder.embed(sources + targets)``.

        Returns:
            One alignment per pair, in order (empty for a pair with an empty side).
        """
        self._validate()
        return [self._extract(src, tgt) for src, tgt in embedded]

    def _validate(self) -> None:
        """Check the parameters before any extraction (subclasses add their checks)."""

    def _extract(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> Alignment:
        raise NotImplementedError
