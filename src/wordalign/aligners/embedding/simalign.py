"""SimAlign (Jalili Sabet et al. 2020): word alignment from the similarity of contextual vectors.

Faithful to the PyPI ``simalign`` package (same subwords, layer, similarity and extraction, so the
same links), but many pairs are embedded per forward pass and Match is solved as a linear
assignment. One class per extraction method is registered (``simalign-argmax``,
``simalign-itermax``, ``simalign-match``); :class:`SimAlign` takes the method as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from wordalign.aligners.embedding._base import EmbeddingAligner
from wordalign.aligners.embedding.argmax import argmax_links
from wordalign.aligners.embedding.itermax import itermax_links
from wordalign.aligners.embedding.match import match_links
from wordalign.aligners.embedding.similarity import (
    apply_distortion,
    cosine_similarity,
    null_align_filter,
    word_links,
)
from wordalign.errors import UnknownNameError, WordalignError
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Precision, SentenceEmbedding

Method = Literal["argmax", "itermax", "match"]
Level = Literal["subword", "word"]

METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "argmax": argmax_links,
    "itermax": itermax_links,
    "match": match_links,
}
LEVELS = ("subword", "word")


class SimAlign(EmbeddingAligner):
    """SimAlign with a chosen extraction method.

    Args:
        model: Hugging Face hub name, local model folder, or ``mbert`` / ``xlmr``.
        method: ``argmax``, ``itermax`` or ``match``.
        level: ``subword`` (align subwords; two words are linked when any of their subwords
            are; SimAlign's "bpe") or ``word`` (align averaged subword vectors).
        layer: Hidden state to use (8, as in the paper).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_size: Sentences per forward pass.
        distortion: κ of the distortion penalty (0 = off, the reference's default).
        null_align: Percentile of the entropy filter that aligns flat-distribution words to
            null (``None`` = off, the default).
        scores: Attach each link's similarity to the alignments (``Alignment.scores``).
        precision: ``auto`` (bf16/fp16 on GPU, fp32 on CPU), ``fp32``, ``bf16`` or ``fp16``.
        progress: Show a progress bar (on a terminal; see wordalign._progress).
        map: A map file from ``wordalign embed map`` (an orthogonal rotation of the source
            vectors onto the target language, learnt on this model and layer); ``None``: none.

    Example:
        >>> aligner = SimAlign(model="mbert", method="match")  # nothing is loaded yet
        >>> aligner.align([("das Haus", "la chasa")])  # doctest: +SKIP
        [Alignment(sure=frozenset({(0, 0), (1, 1)}), ...)]
    """

    name: ClassVar[str] = "simalign"

    def __init__(
        self,
        model: str = "mbert",
        method: Method = "itermax",
        level: Level = "subword",
        layer: int = 8,
        device: str = "auto",
        batch_size: int = 32,
        distortion: float = 0.0,
        null_align: float | None = None,
        scores: bool = False,
        precision: Precision = "auto",
        progress: bool = True,
        map: str | None = None,
    ) -> None:
        self.model = model
        self.method = method
        self.level = level
        self.layer = layer
        self.device = device
        self.batch_size = batch_size
        self.distortion = distortion
        self.null_align = null_align
        self.scores = scores
        self.precision = precision
        self.progress = progress
        self.map = map

    def _validate(self) -> None:
        if self.method not in METHODS:
            raise UnknownNameError("SimAlign method", self.method, METHODS)
        if self.level not in LEVELS:
            raise UnknownNameError("SimAlign level", self.level, LEVELS)
        if self.null_align is not None and not 0.0 <= self.null_align <= 100.0:
            raise WordalignError(
                f"null_align must be a percentile in [0, 100], not {self.null_align}"
            )

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        self._validate()
        return super()._align(pairs)

    def _extract(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> Alignment:
        if src.n_words == 0 or tgt.n_words == 0:
            return Alignment()
        if self.level == "word":
            sim = cosine_similarity(src.word_vectors(), tgt.word_vectors())
            src_ids, tgt_ids = None, None
        else:
            sim = cosine_similarity(src.vectors, tgt.vectors)
            src_ids, tgt_ids = src.word_ids, tgt.word_ids
        sim = apply_distortion(sim, self.distortion)
        links = METHODS[self.method](sim)
        if self.null_align is not None:
            links = null_align_filter(sim, links, self.null_align)
        sure, scores = word_links(links, src_ids, tgt_ids, sim if self.scores else None)
        return Alignment(sure, scores=scores)


def _preset(method: Method, doc: str) -> type[SimAlign]:
    """A registered SimAlign subclass with the method fixed (its ``__init__`` lacks ``method``)."""

    class Preset(SimAlign):
        def __init__(
            self,
            model: str = "mbert",
            level: Level = "subword",
            layer: int = 8,
            device: str = "auto",
            batch_size: int = 32,
            distortion: float = 0.0,
            null_align: float | None = None,
            scores: bool = False,
            precision: Precision = "auto",
            progress: bool = True,
            map: str | None = None,
        ) -> None:
            super().__init__(
                model=model,
                method=method,
                level=level,
                layer=layer,
                device=device,
                batch_size=batch_size,
                distortion=distortion,
                null_align=null_align,
                scores=scores,
                precision=precision,
                progress=progress,
                map=map,
            )

    Preset.name = f"simalign-{method}"
    Preset.__name__ = Preset.__qualname__ = f"SimAlign{method.capitalize()}"
    Preset.__doc__ = doc
    return Preset


SimAlignArgmax = _preset("argmax", "SimAlign with Argmax extraction (``simalign-argmax``).")
SimAlignItermax = _preset("itermax", "SimAlign with IterMax extraction (``simalign-itermax``).")
SimAlignMatch = _preset("match", "SimAlign with Match extraction (``simalign-match``).")
