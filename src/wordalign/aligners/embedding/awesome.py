"""awesome-align's extraction (Dou & Neubig 2021) on any encoder, without its vendored framework.

Subword vectors of the two sentences are compared by dot product; softmax (or 1.5-entmax) over
each direction gives two probability matrices, and a subword pair is linked when both exceed the
threshold. Word pairs are linked when any of their subwords are. With the default parameters
this is faithful to the PyPI ``awesome-align`` package's ``awesome-align --extraction
softmax|entmax15``; ``similarity``, ``center`` and ``temperature`` make the threshold mean the
same on encoders whose vectors have other scales (see :class:`AwesomeAlign`), and
:meth:`AwesomeAlign.sweep` chooses the threshold and temperature on a gold standard.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from wordalign.aligners.embedding._base import EmbeddingAligner
from wordalign.aligners.embedding.similarity import word_links
from wordalign.aligners.embedding.softmax import awesome_probabilities, link_strength, pair_scores
from wordalign.errors import LengthMismatchError, UnknownNameError, WordalignError
from wordalign.evaluation.threshold import ThresholdCurves, sweep_thresholds
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Precision, SentenceEmbedding

EXTRACTIONS = ("softmax", "entmax15")
SIMILARITIES = ("dot", "cosine")

RECOMMENDED: dict[str, Any] = {
    "layer": 7,
    "similarity": "cosine",
    "center": True,
    "temperature": 0.05,
    "threshold": 0.35,
}
"""Settings for encoders other than mBERT, chosen on the DE-RM dev gold with multilingual-e5-small
(see :class:`AwesomeAlign`; the best layer depends on the model)."""


class AwesomeAlign(EmbeddingAligner):
    """awesome-align extraction (registered as ``awesome``).

    The defaults are the reference's (dot products, temperature 1, threshold 1e-3, layer 8): the
    PyPI package's links. Its threshold assumes mBERT's scale of dot products; on other encoders
    choose it (and the temperature) on a dev gold with :meth:`sweep` (``wordalign tune``), or
    take the scale-free settings below. Measured on the DE-RM dev gold (300 pairs) with
    multilingual-e5-small (fp32, CPU):

    ============================================  ========  ========  ========
    settings                                      layer 6   layer 7   layer 8
    ============================================  ========  ========  ========
    reference (dot, T = 1, threshold 1e-3)        0.406     0.398     0.444
    dot, T = 1, threshold 0.4                     0.275     0.259     0.269
    cosine, centred, T = 0.05, threshold 0.35     0.261     **0.244** 0.252
    ============================================  ========  ========  ========

    (AER; SimAlign gets about 0.27 on this model.) The recommended settings are
    ``similarity="cosine", center=True, temperature=0.05, threshold=0.35``, at layer 7 for this
    model (``RECOMMENDED``). At layer 7 AER stays within 0.006 of the best for thresholds
    0.25-0.45 at temperature 0.05, and 0.3-0.5 at 0.03.

    Args:
        model: Hugging Face hub name, local folder (for example a fine-tuned awesome-align
            model), or ``mbert`` / ``xlmr``.
        layer: Hidden state to use (8, the reference's ``--align_layer``).
        threshold: Probability both directions must exceed (``--softmax_threshold``, 1e-3);
            entmax15 uses 0, as the reference does.
        extraction: ``softmax`` or ``entmax15``.
        temperature: The scores are divided by it before softmax or entmax (1, the reference);
            lower makes the distributions more peaked. With cosine scores about 0.05.
        similarity: ``dot`` (the reference) or ``cosine``: dot products of L2-normalised
            vectors, the same scale on any encoder.
        center: Subtract the mean subword vector of the sentence pair (both sides together)
            before comparing, which removes the direction all vectors of an encoder share.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_size: Sentences per forward pass.
        scores: Attach each link's probability (the reference's ``--output_prob_file``
            heuristic, on the same scores and temperature as the extraction) to the alignments.
        precision: ``auto`` (bf16/fp16 on GPU, fp32 on CPU), ``fp32``, ``bf16`` or ``fp16``.
        map: An orthogonal map file (``wordalign embed map``) applied to the source vectors.
        progress: Show a progress bar (on a terminal; see wordalign._progress).

    Example:
        >>> aligner = AwesomeAlign(model="intfloat/multilingual-e5-small", **RECOMMENDED)
        >>> aligner.get_params()["temperature"]  # nothing is loaded yet
        0.05
        >>> aligner.align([("das Haus", "la chasa")])  # doctest: +SKIP
        [Alignment(sure=frozenset({(0, 0), (1, 1)}), ...)]
    """

    name: ClassVar[str] = "awesome"

    def __init__(
        self,
        model: str = "mbert",
        layer: int = 8,
        threshold: float = 1e-3,
        extraction: Literal["softmax", "entmax15"] = "softmax",
        temperature: float = 1.0,
        similarity: Literal["dot", "cosine"] = "dot",
        center: bool = False,
        device: str = "auto",
        batch_size: int = 32,
        scores: bool = False,
        precision: Precision = "auto",
        map: str | None = None,
        progress: bool = True,
    ) -> None:
        self.model = model
        self.layer = layer
        self.threshold = threshold
        self.extraction = extraction
        self.temperature = temperature
        self.similarity = similarity
        self.center = center
        self.device = device
        self.batch_size = batch_size
        self.scores = scores
        self.precision = precision
        self.map = map
        self.progress = progress

    def _validate(self) -> None:
        if self.extraction not in EXTRACTIONS:
            raise UnknownNameError("awesome-align extraction", self.extraction, EXTRACTIONS)
        if self.similarity not in SIMILARITIES:
            raise UnknownNameError("awesome-align similarity", self.similarity, SIMILARITIES)
        _check_temperature(self.temperature)

    def _align(self, pairs: list[SentencePair]) -> list[Alignment]:
        self._validate()
        return super()._align(pairs)

    def _pair_scores(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> np.ndarray:
        cosine = self.similarity == "cosine"
        return pair_scores(src.vectors, tgt.vectors, cosine=cosine, center=self.center)

    def _extract(self, src: SentenceEmbedding, tgt: SentenceEmbedding) -> Alignment:
        if src.n_words == 0 or tgt.n_words == 0:
            return Alignment()
        scores = self._pair_scores(src, tgt)
        strength = link_strength(scores, self.extraction, self.temperature)
        # min(p, q) > cut is exactly (p > cut) & (q > cut): the reference's rule.
        links = strength > (0.0 if self.extraction == "entmax15" else self.threshold)
        probabilities = awesome_probabilities(scores, self.temperature) if self.scores else None
        sure, word_scores = word_links(links, src.word_ids, tgt.word_ids, probabilities)
        return Alignment(sure, scores=word_scores)

    def sweep(
        self,
        pairs: Sequence[SentencePair],
        gold: Sequence[Alignment],
        thresholds: Iterable[float],
        temperatures: Iterable[float] | None = None,
    ) -> ThresholdCurves:
        """AER and the other scores at every threshold and temperature, each pair embedded once.

        The row at threshold ``t`` and temperature ``T`` holds the scores of exactly the links
        that this aligner with ``threshold=t, temperature=T`` gives (its other parameters as
        they are): a word pair's strength is the largest, over its subword pairs, of the smaller
        of the two directional probabilities, and the pair is linked when it exceeds ``t``.

        Args:
            pairs: The sentence pairs of the gold standard.
            gold: Their gold alignments.
            thresholds: Thresholds to score (each in [0, 1]).
            temperatures: Temperatures to score (default: this aligner's).

        Returns:
            One threshold curve per temperature; ``.best()`` gives the best pair.

        Raises:
            WordalignError: for ``entmax15`` (whose threshold is fixed at 0), a bad temperature,
                or a gold of another length than ``pairs``.
        """
        values, temps = self._sweep_settings(thresholds, temperatures)
        if len(pairs) != len(gold):
            raise LengthMismatchError("gold", len(gold), "sentence pairs", len(pairs))
        emap = self._embedding_map()  # a bad map fails before the encoder loads
        encoder = self._encoder()
        self._check_map(emap, encoder.dim, encoder.layer)
        embedded = self._embedded_pairs(list(pairs), encoder, emap)
        return self._sweep(embedded, gold, values, temps, len(pairs))

    def sweep_embedded(
        self,
        embedded: Iterable[tuple[SentenceEmbedding, SentenceEmbedding]],
        gold: Sequence[Alignment],
        thresholds: Iterable[float],
        temperatures: Iterable[float] | None = None,
        total: int | None = None,
    ) -> ThresholdCurves:
        """:meth:`sweep` on vectors computed already (as :meth:`align_embedded` takes them;
        the ``map`` is applied to them as there).

        Args:
            total: How many pairs ``embedded`` yields, for the progress bar.
        """
        values, temps = self._sweep_settings(thresholds, temperatures)
        emap = self._embedding_map()

        def mapped() -> Iterator[tuple[SentenceEmbedding, SentenceEmbedding]]:
            for src, tgt in embedded:
                self._check_map(emap, src.vectors.shape[1], None)
                yield self._mapped(emap, src, tgt)

        return self._sweep(mapped(), gold, values, temps, total)

    def _sweep_settings(
        self, thresholds: Iterable[float], temperatures: Iterable[float] | None
    ) -> tuple[list[float], list[float]]:
        """The thresholds (sorted, unique) and temperatures (unique) to sweep, checked."""
        self._validate()
        if self.extraction != "softmax":
            raise WordalignError(
                f"only softmax extraction has a threshold to sweep, not {self.extraction}"
            )
        values = sorted(set(float(t) for t in thresholds))
        if not values:
            raise WordalignError("no thresholds to sweep")
        chosen = [self.temperature] if temperatures is None else temperatures
        temps = list(dict.fromkeys(float(t) for t in chosen))
        if not temps:
            raise WordalignError("no temperatures to sweep")
        for temperature in temps:
            _check_temperature(temperature)
        return values, temps

    def _sweep(
        self,
        embedded: Iterable[tuple[SentenceEmbedding, SentenceEmbedding]],
        gold: Sequence[Alignment],
        values: list[float],
        temps: list[float],
        total: int | None,
    ) -> ThresholdCurves:
        from wordalign._progress import progress

        # Candidate links are those above the lowest threshold: all that any row keeps.
        floor = values[0]
        predicted: list[list[Alignment]] = [[] for _ in temps]
        embedded = progress(embedded, total=total, desc=f"{self.name} sweep", enabled=self.progress)
        for src, tgt in embedded:
            if src.n_words == 0 or tgt.n_words == 0:
                for out in predicted:
                    out.append(Alignment())
                continue
            scores = self._pair_scores(src, tgt)
            for out, temperature in zip(predicted, temps, strict=True):
                strength = link_strength(scores, self.extraction, temperature)
                sure, word_scores = word_links(
                    strength > floor, src.word_ids, tgt.word_ids, strength
                )
                out.append(Alignment(sure, scores=word_scores))
        if len(predicted[0]) != len(gold):
            raise LengthMismatchError("gold", len(gold), "sentence pairs", len(predicted[0]))
        curves = tuple(
            (temperature, sweep_thresholds(gold, out, values, strict=True))
            for temperature, out in zip(temps, predicted, strict=True)
        )
        return ThresholdCurves("temperature", curves)


def _check_temperature(temperature: float) -> None:
    if not (isinstance(temperature, int | float) and 0.0 < temperature < float("inf")):
        raise WordalignError(f"the temperature must be positive and finite, not {temperature}")
