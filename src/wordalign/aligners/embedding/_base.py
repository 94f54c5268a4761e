"""What SimAlign and awesome-align share: a lazily loaded encoder, chunked embedding, and an
optional orthogonal map of the source vectors (:mod:`wordalign.embed.mapping`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from wordalign.aligners.base import Aligner
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Encoder, SentenceEmbedding
    from wordalign.embed.mapping import EmbeddingMap

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
    """Base of aligners that align with a pretrained encoder and need no training.

    A subclass with a ``map`` parameter (a file saved by ``wordalign embed map``) gets its source
    vectors rotated onto the target language, and with a normalised map both sides centred,
    right after embedding (:meth:`_mapped`). The file is read once per aligner and path, and
    checked against ``layer`` before the encoder loads and against the encoder's width before
    anything is embedded.
    """

    trainable = False
    model: str
    device: str
    layer: int
    batch_size: int
    precision: str
    progress: bool
    _loaded_map: tuple[str, EmbeddingMap]

    def _encoder(self) -> Encoder:
        from wordalign.errors import WordalignError

        if self.batch_size < 1:
            raise WordalignError(f"batch size must be positive, not {self.batch_size}")
        return cached_encoder(self.model, self.device, self.layer, self.batch_size, self.precision)

    def _embedding_map(self) -> EmbeddingMap | None:
        """The map in ``self.map`` (``None`` without one), read once and checked against
        ``layer`` when that is given from the bottom (a negative one is checked with the
        encoder, in :meth:`_check_map`).

        Raises:
            MapFileError: for a file that is not a valid map.
            MapMismatchError: for a map of another layer.
        """
        path = getattr(self, "map", None)
        if path is None:
            return None
        loaded: tuple[str, EmbeddingMap] | None = self.__dict__.get("_loaded_map")
        if loaded is None or loaded[0] != str(path):
            from wordalign.embed.mapping import load_map

            loaded = (str(path), load_map(path))
            self._loaded_map = loaded
        emap = loaded[1]
        if self.layer >= 0:
            emap.check_layer(self.layer, where=str(path))
        return emap

    def _check_map(self, emap: EmbeddingMap | None, dim: int, layer: int | None) -> None:
        """Check ``emap`` against the encoder's width and (resolved) layer, when known."""
        if emap is None:
            return
        where = str(getattr(self, "map", ""))
        emap.check_dim(dim, where)
        if layer is not None:
            emap.check_layer(layer, where)

    def _mapped(
        self, emap: EmbeddingMap | None, src: SentenceEmbedding, tgt: SentenceEmbedding
    ) -> tuple[SentenceEmbedding, SentenceEmbedding]:
        """``(src, tgt)`` with the map applied (unchanged without one)."""
        if emap is None:
            return src, tgt
        from wordalign.embed.encoder import SentenceEmbedding

        return (
            SentenceEmbedding(emap.map_source(src.vectors), src.word_ids, src.n_words),
            SentenceEmbedding(emap.map_target(tgt.vectors), tgt.word_ids, tgt.n_words),
        )

    def _embedded_pairs(
        self, pairs: list[SentencePair], encoder: Encoder, emap: EmbeddingMap | None
    ) -> Iterator[tuple[SentenceEmbedding, SentenceEmbedding]]:
        """Source and target embeddings of each pair, in order, computed a chunk at a time and
        mapped by ``emap`` (when given)."""
        for start in range(0, len(pairs), CHUNK_PAIRS):
            chunk = pairs[start : start + CHUNK_PAIRS]
            embedded = encoder.embed([p.src for p in chunk] + [p.tgt for p in chunk])
            for src, tgt in zip(embedded[: len(chunk)], embedded[len(chunk) :], strict=True):
                yield self._mapped(emap, src, tgt)

    def embed_pairs(
        self, pairs: list[SentencePair]
    ) -> Iterator[tuple[SentenceEmbedding, SentenceEmbedding]]:
        """Source and target embeddings of each pair, in order, as this aligner sees them
        (its encoder, layer and map); what other aligners that read an encoder (``hybrid``)
        build on. The map and the encoder are checked before the first pair is embedded."""
        emap = self._embedding_map()
        encoder = self._encoder()
        self._check_map(emap, encoder.dim, encoder.layer)
        return self._embedded_pairs(pairs, encoder, emap)

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        emap = self._embedding_map()  # a bad map fails before the encoder loads
        if all(not p.src or not p.tgt for p in pairs):
            return [Alignment() for _ in pairs]
        from wordalign._progress import progress

        encoder = self._encoder()
        self._check_map(emap, encoder.dim, encoder.layer)  # before anything is embedded
        return [
            self._extract(src, tgt)
            for src, tgt in progress(
                self._embedded_pairs(pairs, encoder, emap),
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
        with this aligner's model, layer and precision; nothing is loaded here but the ``map``,
        which is applied to them as :meth:`align` would.

        Args:
            embedded: ``(source, target)`` embeddings of each pair, for example
                ``zip(vectors[:n], vectors[n:])`` of ``Encoder.embed(sources + targets)``.

        Returns:
            One alignment per pair, in order (empty for a pair with an empty side).
        """
        self._validate()
        emap = self._embedding_map()
        out = []
        for src, tgt in embedded:
            self._check_map(emap, src.vectors.shape[1], None)
            out.append(self._extract(*self._mapped(emap, src, tgt)))
        return out

    def _validate(self) -> None:
        """Check the parameters before any extraction (subclasses add their checks)."""

    def _extract(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> Alignment:
        raise NotImplementedError
