"""The neural + statistical hybrid: eflomal's link posteriors mixed with an encoder's.

eflomal (Östling & Tiedemann 2016) learns from co-occurrence over the whole bitext, so frequent
words align well but rare words, names and words seen once are left to chance; an encoder
(SimAlign, Jalili Sabet et al. 2020) knows nothing of the bitext but links words whose contextual
vectors are close, whatever their frequency. Both give, for every word, a distribution over the
words of the other side that could have generated it: eflomal's collapsed Gibbs marginals
``P(a_j = i)`` (:mod:`~wordalign.aligners.statistical.posteriors`) and the encoder's softmax over
cosine similarities (:mod:`~wordalign.aligners.hybrid.encoder_posteriors`). The hybrid mixes them
per word and direction, ``(1 - weight) * eflomal + weight * encoder``, and symmetrizes the mixture
as eflomal symmetrizes its own posteriors (``posterior-mean``: a link is kept where the mean of
the two directions reaches ``posterior_threshold``). The mixture keeps eflomal's NULL mass where
the encoder has no opinion, so function words that eflomal leaves unaligned mostly stay so.

Defaults chosen on the development half of the DE-RM gold (trained on it + the 105,076 corpus
pairs, multilingual-e5-small at layer 8, seeds 0-2; bench/RESULTS.md, "Hybrid"): weight 0.4,
temperature 0.05 and threshold 0.35 give AER 0.0971 (0.0968-0.0975), where eflomal alone gives
0.1131 at its default threshold (0.45). Weights 0.3-0.5 at thresholds 0.35-0.4 stay within 0.004
of it; weight 0.7 or threshold 0.5 cost 0.01-0.1. In a study on cached evidence (seeds 0-2,
layers 6-8, temperatures 0.02-0.1), layer 7 was 0.0003 better and temperatures 0.05-0.1 within
0.002; a product of experts instead of the mixture (with a NULL score for the encoder), averaging
layers 5-9 and growing over neighbours did no better.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from wordalign.aligners.base import Aligner, PairLike, as_pairs
from wordalign.aligners.hybrid.encoder_posteriors import similarity_posteriors
from wordalign.aligners.statistical.corpus import EncodedBitext
from wordalign.aligners.statistical.directional import check_thresholds, combine_directions
from wordalign.aligners.statistical.eflomal import DEFAULT_PREFIX_LEN, Directions, Eflomal
from wordalign.aligners.statistical.posteriors import DEFAULT_FLOOR, LinkPosteriors
from wordalign.errors import NotFittedError, WordalignError
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    from wordalign.embed.encoder import Precision

__all__ = ["Evidence", "Hybrid"]

EncoderPosteriors = tuple[LinkPosteriors, LinkPosteriors]
"""The encoder's ``(forward, reverse)`` link posteriors of a corpus."""


@dataclass(frozen=True)
class Evidence:
    """What the hybrid knows of a corpus before mixing: eflomal's two directions (with their
    link posteriors) and the encoder's posteriors of the same tokens."""

    directions: Directions
    encoder: EncoderPosteriors

    def head(self, n_pairs: int) -> Evidence:
        """The evidence of the first ``n_pairs`` pairs alone: a gold standard put before the
        training text is then scored at many weights and thresholds for the cost of its own
        pairs, not the whole corpus's."""
        directions = self.directions
        encoded = directions.encoded
        first = range(min(n_pairs, len(encoded)))
        n_src = int(encoded.src.offsets[len(first)])
        n_tgt = int(encoded.tgt.offsets[len(first)])
        src_tokens = np.arange(n_src)
        tgt_tokens = np.arange(n_tgt)
        posteriors = directions.posteriors
        forward, reverse = self.encoder
        return Evidence(
            Directions(
                directions.forward[:n_tgt],
                directions.reverse[:n_src],
                EncodedBitext(
                    encoded.src.subset(first),
                    encoded.tgt.subset(first),
                    encoded.src_vocab,
                    encoded.tgt_vocab,
                ),
                None
                if posteriors is None
                else {
                    "forward": posteriors["forward"].take(tgt_tokens),
                    "reverse": posteriors["reverse"].take(src_tokens),
                },
            ),
            (forward.take(tgt_tokens), reverse.take(src_tokens)),
        )


class Hybrid(Aligner):
    """eflomal's link posteriors mixed with an encoder's similarities (registered ``hybrid``).

    Args:
        model: the encoder: Hugging Face hub name, local folder, or ``mbert`` / ``xlmr``.
        layer: hidden state of the encoder to use.
        weight: share of the encoder in the mixture (0: eflomal alone, 1: the encoder alone).
        temperature: of the softmax over the encoder's cosine similarities.
        posterior_threshold: a link is kept where the mean of the two directions' mixed
            posteriors reaches it.
        map: an orthogonal map file (``wordalign embed map``) applied to the source vectors.
        device, batch_size, precision: of the encoder (as for ``simalign``).
        n_samplers, rel_iterations, lowercase, src_prefix_len, tgt_prefix_len: of eflomal
            (as for ``eflomal``).
        scores: write each link's mixed posterior (the mean of both directions) with it.
        random_state: seed of eflomal's samplers.
        progress: show progress bars (on a terminal; a line every 30 s otherwise).

    Example:
        >>> aligner = Hybrid(model="path/to/encoder")  # doctest: +SKIP
        >>> aligner.fit_align([("das haus", "la chasa")])[0].to_pharaoh()  # doctest: +SKIP
        '0-0 1-1'
    """

    name: ClassVar[str] = "hybrid"
    trainable: ClassVar[bool] = True
    STATE_ARRAYS: ClassVar[dict[str, Any]] = Eflomal.STATE_ARRAYS

    def __init__(
        self,
        model: str = "mbert",
        layer: int = 8,
        weight: float = 0.4,
        temperature: float = 0.05,
        posterior_threshold: float = 0.35,
        map: str | None = None,
        device: str = "auto",
        batch_size: int = 32,
        precision: Precision = "auto",
        n_samplers: int = 3,
        rel_iterations: float = 1.0,
        lowercase: bool = True,
        src_prefix_len: int = DEFAULT_PREFIX_LEN,
        tgt_prefix_len: int = DEFAULT_PREFIX_LEN,
        scores: bool = False,
        random_state: int = 0,
        progress: bool = True,
    ) -> None:
        self.model = model
        self.layer = layer
        self.weight = weight
        self.temperature = temperature
        self.posterior_threshold = posterior_threshold
        self.map = map
        self.device = device
        self.batch_size = batch_size
        self.precision = precision
        self.n_samplers = n_samplers
        self.rel_iterations = rel_iterations
        self.lowercase = lowercase
        self.src_prefix_len = src_prefix_len
        self.tgt_prefix_len = tgt_prefix_len
        self.scores = scores
        self.random_state = random_state
        self.progress = progress

    # -- the two sources of evidence --------------------------------------------------------

    def _check_params(self) -> None:
        if not 0.0 <= float(self.weight) <= 1.0:
            raise WordalignError(f"hybrid: weight must be in [0, 1], got {self.weight}")
        if not float(self.temperature) > 0.0:
            raise WordalignError(f"hybrid: temperature must be > 0, got {self.temperature}")
        check_thresholds(float(self.posterior_threshold), None)

    def _eflomal(self) -> Eflomal:
        # posterior-mean: the posteriors are kept, and the mixture is symmetrized the same way.
        return Eflomal(
            n_samplers=self.n_samplers,
            rel_iterations=self.rel_iterations,
            lowercase=self.lowercase,
            src_prefix_len=self.src_prefix_len,
            tgt_prefix_len=self.tgt_prefix_len,
            symmetrize="posterior-mean",
            posterior_threshold=self.posterior_threshold,
            random_state=self.random_state,
            progress=self.progress,
        )

    def _embedder(self) -> Any:
        """A SimAlign aligner on the same encoder settings: its chunked, cached embedding (and
        ``map``) is what the encoder side reads."""
        from wordalign.aligners.embedding.simalign import SimAlign

        return SimAlign(
            model=self.model,
            layer=self.layer,
            device=self.device,
            batch_size=self.batch_size,
            precision=self.precision,
            map=self.map,
            progress=False,
        )

    def _word_vectors(self, pairs: list[SentencePair]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        from wordalign._progress import progress

        embedded = self._embedder().embed_pairs(pairs)
        for src, tgt in progress(
            embedded, total=len(pairs), desc="hybrid: encoding", enabled=bool(self.progress)
        ):
            yield src.word_vectors(), tgt.word_vectors()

    def _encoder_posteriors(self, pairs: list[SentencePair]) -> EncoderPosteriors:
        if float(self.weight) == 0.0:
            n_src = sum(len(p.src) for p in pairs)
            n_tgt = sum(len(p.tgt) for p in pairs)
            return LinkPosteriors.empty(n_tgt), LinkPosteriors.empty(n_src)
        return similarity_posteriors(
            self._word_vectors(pairs), float(self.temperature), floor=DEFAULT_FLOOR
        )

    # -- the aligner contract ---------------------------------------------------------------

    def _fit(self, pairs: list[SentencePair]) -> None:
        self._check_params()
        self.statistical_ = self._eflomal().fit(pairs)

    def fit_align(self, bitext: Iterable[PairLike]) -> Sequence[Alignment]:
        """Train eflomal on the bitext and align it with both sources of evidence."""
        return self.combine(self.fit_evidence(bitext))

    def _align(self, pairs: list[SentencePair]) -> Sequence[Alignment]:
        return self.combine(self.evidence(pairs))

    # -- the evidence, reusable -------------------------------------------------------------

    def fit_evidence(
        self, bitext: Iterable[PairLike], encoder: EncoderPosteriors | None = None
    ) -> Evidence:
        """Train eflomal on the bitext and gather both kinds of evidence for its pairs, before
        they are mixed: :meth:`combine` then aligns with any ``weight`` and
        ``posterior_threshold`` without sampling or encoding again (how the defaults were
        chosen). The encoder runs first, so that a wrong model or layer is reported before
        eflomal's training.

        Args:
            bitext: the pairs to train on and align.
            encoder: the encoder's posteriors of these pairs from an earlier ``Evidence`` (they
                depend on ``model``, ``layer``, ``temperature`` and ``map`` only, not on the
                seed); computed when not given.
        """
        pairs = as_pairs(bitext)
        self._check_params()
        if encoder is None:
            encoder = self._encoder_posteriors(pairs)
        statistical = self._eflomal()
        directions = statistical.fit_directions(pairs)
        self.statistical_ = statistical
        return Evidence(directions, encoder)

    def evidence(self, bitext: Iterable[PairLike]) -> Evidence:
        """Both kinds of evidence for new pairs, from the trained model (see :meth:`fit_evidence`)."""
        pairs = as_pairs(bitext)
        self._check_params()
        statistical = self._statistical()
        encoder = self._encoder_posteriors(pairs)
        return Evidence(statistical.align_directions(pairs), encoder)

    def combine(self, evidence: Evidence) -> Sequence[Alignment]:
        """The alignments that ``weight`` and ``posterior_threshold`` make of the evidence."""
        self._check_params()
        posts = evidence.directions.posteriors
        if posts is None:
            raise WordalignError("hybrid: the evidence holds no eflomal posteriors")
        weight = float(self.weight)
        forward, reverse = evidence.encoder
        mixed = (
            posts["forward"].mix(forward, weight, DEFAULT_FLOOR),
            posts["reverse"].mix(reverse, weight, DEFAULT_FLOOR),
        )
        return combine_directions(
            evidence.directions.forward,
            evidence.directions.reverse,
            evidence.directions.encoded,
            "posterior-mean",
            posteriors=mixed,
            threshold=float(self.posterior_threshold),
        )

    def _statistical(self) -> Eflomal:
        statistical: Eflomal | None = getattr(self, "statistical_", None)
        if statistical is None:
            raise NotFittedError("Hybrid is not trained: call fit() first, or load a saved model")
        return statistical

    def is_fitted(self) -> bool:
        """Whether eflomal's side is trained."""
        statistical = getattr(self, "statistical_", None)
        return statistical is not None and statistical.is_fitted()

    def _state(self) -> dict[str, Any]:
        statistical = getattr(self, "statistical_", None)
        return statistical._state() if statistical is not None else {}

    def _set_state(self, state: dict[str, Any]) -> None:
        statistical = self._eflomal()
        statistical._set_state(state)
        self.statistical_ = statistical
