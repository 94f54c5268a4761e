"""awesome-align's extraction (Dou & Neubig 2021) on any encoder, without its vendored framework.

Subword vectors of the two sentences are compared by dot product; softmax (or 1.5-entmax) over
each direction gives two probability matrices, and a subword pair is linked when both exceed the
threshold. Word pairs are linked when any of their subwords are. Faithful to the PyPI
``awesome-align`` package's ``awesome-align --extraction softmax|entmax15``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from wordalign.aligners.embedding._base import EmbeddingAligner
from wordalign.aligners.embedding.similarity import word_links
from wordalign.aligners.embedding.softmax import awesome_links, awesome_probabilities
from wordalign.errors import UnknownNameError
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Precision, SentenceEmbedding

EXTRACTIONS = ("softmax", "entmax15")


class AwesomeAlign(EmbeddingAligner):
    """awesome-align extraction (registered as ``awesome``).

    Args:
        model: Hugging Face hub name, local folder (for example a fine-tuned awesome-align
            model), or ``mbert`` / ``xlmr``.
        layer: Hidden state to use (8, the reference's ``--align_layer``).
        threshold: Probability both directions must exceed (``--softmax_threshold``, 1e-3);
            entmax15 uses 0, as the reference does.
        extraction: ``softmax`` or ``entmax15``.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_size: Sentences per forward pass.
        scores: Attach each link's probability (the reference's ``--output_prob_file``
            heuristic) to the alignments.
        precision: ``auto`` (bf16/fp16 on GPU, fp32 on CPU), ``fp32``, ``bf16`` or ``fp16``.
        progress: Show a progress bar (on a terminal; see wordalign._progress).
    """

    name: ClassVar[str] = "awesome"

    def __init__(
        self,
        model: str = "mbert",
        layer: int = 8,
        threshold: float = 1e-3,
        extraction: Literal["softmax", "entmax15"] = "softmax",
        device: str = "auto",
        batch_size: int = 32,
        scores: bool = False,
        precision: Precision = "auto",
        progress: bool = True,
    ) -> None:
        self.model = model
        self.layer = layer
        self.threshold = threshold
        self.extraction = extraction
        self.device = device
        self.batch_size = batch_size
        self.scores = scores
        self.precision = precision
        self.progress = progress

    def _validate(self) -> None:
        if self.extraction not in EXTRACTIONS:
            raise UnknownNameError("awesome-align extraction", self.extraction, EXTRACTIONS)

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        self._validate()
        return super()._align(pairs)

    def _extract(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> Alignment:
        if src.n_words == 0 or tgt.n_words == 0:
            return Alignment()
        dots = src.vectors @ tgt.vectors.T
        links = awesome_links(dots, self.threshold, self.extraction)
        probabilities = awesome_probabilities(dots) if self.scores else None
        sure, scores = word_links(links, src.word_ids, tgt.word_ids, probabilities)
        return Alignment(sure, scores=scores)
