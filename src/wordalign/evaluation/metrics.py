"""Precision, recall, F1 and alignment error rate (AER) against a Sure/Possible gold standard.

With ``A`` the predicted links, ``S`` the gold Sure links and ``P`` the gold Possible links
(``S ⊆ P``), Och & Ney (2003, "A Systematic Comparison of Various Statistical Alignment
Models", section 5) define

* precision = |A ∩ P| / |A|
* recall    = |A ∩ S| / |S|
* AER       = 1 − (|A ∩ S| + |A ∩ P|) / (|A| + |S|)

and F1 is the harmonic mean of precision and recall. Corpus-level scores are computed from link
counts summed over all sentences, as the NAACL-2003 scoring script and Och & Ney do, never as an
average of sentence scores: :class:`AERStats` holds those sufficient statistics, so that the
per-sentence and the corpus numbers come from one implementation.

Degenerate cases are defined, not approximated (no ``+ 1e-100``):

* no predicted links (|A| = 0): precision is 1.0 when the gold has no Sure links either, else 0.0
  (nothing predicted is wrong, but a prediction that misses every required link scores nothing);
* no Sure gold links (|S| = 0): recall is 1.0 (nothing was required);
* |A| + |S| = 0: AER is 0.0 (an empty prediction for an empty gold is perfect);
* precision + recall = 0: F1 is 0.0.

(The shared task's wa_eval_align.pl reports AER 0 for an empty submission; the formula gives 1
when the gold has Sure links, and that is what is returned here.)

Example:
    >>> from wordalign.types import Alignment
    >>> gold = Alignment([(0, 0)], possible=[(1, 1)])
    >>> result = evaluate([gold], [Alignment([(0, 0), (1, 1), (2, 2)])])
    >>> round(result.precision, 4), result.recall, round(result.aer, 4)
    (0.6667, 1.0, 0.25)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wordalign.errors import LengthMismatchError
from wordalign.types import Alignment

__all__ = ["AERResult", "AERStats", "evaluate", "evaluate_sentences"]


@dataclass(frozen=True, slots=True)
class AERResult:
    """Scores and the link counts they were computed from (unrounded; see :meth:`format`).

    Attributes:
        precision: |A ∩ P| / |A|.
        recall: |A ∩ S| / |S|.
        f1: harmonic mean of precision and recall.
        aer: 1 − (|A ∩ S| + |A ∩ P|) / (|A| + |S|).
        a_and_s: |A ∩ S|.
        a_and_p: |A ∩ P|.
        pred_links: |A|, every predicted link.
        sure_links: |S|.
        possible_links: |P|, Sure links included.
        sentences: number of sentence pairs scored.
    """

    precision: float
    recall: float
    f1: float
    aer: float
    a_and_s: int
    a_and_p: int
    pred_links: int
    sure_links: int
    possible_links: int
    sentences: int

    def to_dict(self) -> dict[str, float | int]:
        """The scores and counts as a JSON-ready dict (the keys of ``wordalign eval --json``)."""
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "aer": self.aer,
            "pred_links": self.pred_links,
            "sure_links": self.sure_links,
            "possible_links": self.possible_links,
            "sentences": self.sentences,
            "a_and_s": self.a_and_s,
            "a_and_p": self.a_and_p,
        }

    def format(self, digits: int = 4) -> str:
        """A small aligned table for people: scores rounded to ``digits``, then the counts.

        Example:
            >>> print(AERStats(1, 1, 1, 1, 1, 1).result().format(digits=2))
            precision       1.00
            recall          1.00
            f1              1.00
            aer             0.00
            pred_links         1
            sure_links         1
            possible_links     1
            sentences          1
        """
        scores = [
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("aer", self.aer),
        ]
        counts = [
            ("pred_links", self.pred_links),
            ("sure_links", self.sure_links),
            ("possible_links", self.possible_links),
            ("sentences", self.sentences),
        ]
        cells = [(name, f"{value:.{digits}f}") for name, value in scores]
        cells += [(name, str(value)) for name, value in counts]
        name_width = max(len(name) for name, _ in cells)
        value_width = max(len(text) for _, text in cells)
        return "\n".join(f"{name:<{name_width}}  {text:>{value_width}}" for name, text in cells)


@dataclass(slots=True)
class AERStats:
    """Sufficient statistics of AER: link counts, summed over sentences with ``+``/``+=``.

    Attributes:
        a_and_s: |A ∩ S|, predicted links that are Sure in the gold.
        a_and_p: |A ∩ P|, predicted links that are Possible (or Sure) in the gold.
        pred: |A|, predicted links.
        sure: |S|, gold Sure links.
        possible: |P|, gold Possible links, Sure included.
        sentences: sentence pairs counted.
    """

    a_and_s: int = 0
    a_and_p: int = 0
    pred: int = 0
    sure: int = 0
    possible: int = 0
    sentences: int = 0

    @classmethod
    def of(cls, pred: Alignment, gold: Alignment) -> AERStats:
        """The statistics of one sentence pair."""
        stats = cls()
        stats.update(pred, gold)
        return stats

    def update(self, pred: Alignment, gold: Alignment) -> None:
        """Add one sentence pair.

        Every predicted link counts, whether the prediction marks it Sure or Possible: the
        metric scores the set A, and the Sure/Possible distinction belongs to the gold only.
        """
        links = pred.possible
        self.a_and_s += len(links & gold.sure)
        self.a_and_p += len(links & gold.possible)
        self.pred += len(links)
        self.sure += len(gold.sure)
        self.possible += len(gold.possible)
        self.sentences += 1

    def __add__(self, other: AERStats) -> AERStats:
        if not isinstance(other, AERStats):
            return NotImplemented
        return AERStats(
            self.a_and_s + other.a_and_s,
            self.a_and_p + other.a_and_p,
            self.pred + other.pred,
            self.sure + other.sure,
            self.possible + other.possible,
            self.sentences + other.sentences,
        )

    def __iadd__(self, other: AERStats) -> AERStats:
        if not isinstance(other, AERStats):
            return NotImplemented
        self.a_and_s += other.a_and_s
        self.a_and_p += other.a_and_p
        self.pred += other.pred
        self.sure += other.sure
        self.possible += other.possible
        self.sentences += other.sentences
        return self

    def result(self) -> AERResult:
        """Precision, recall, F1 and AER from the counts (degenerate cases: module docstring)."""
        if self.pred > 0:
            precision = self.a_and_p / self.pred
        elif self.sure == 0:
            precision = 1.0  # nothing predicted and nothing required
        else:
            precision = 0.0  # an empty prediction must not score perfectly against a real gold
        recall = self.a_and_s / self.sure if self.sure > 0 else 1.0
        denominator = self.pred + self.sure
        aer = 1.0 - (self.a_and_s + self.a_and_p) / denominator if denominator > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return AERResult(
            precision=precision,
            recall=recall,
            f1=f1,
            aer=aer,
            a_and_s=self.a_and_s,
            a_and_p=self.a_and_p,
            pred_links=self.pred,
            sure_links=self.sure,
            possible_links=self.possible,
            sentences=self.sentences,
        )


def _check_lengths(
    gold: Sequence[Alignment], pred: Sequence[Alignment], gold_name: str, pred_name: str
) -> None:
    if len(gold) != len(pred):
        raise LengthMismatchError(gold_name, len(gold), pred_name, len(pred))


def evaluate(
    gold: Sequence[Alignment],
    pred: Sequence[Alignment],
    gold_name: str = "gold",
    pred_name: str = "predictions",
) -> AERResult:
    """Corpus-level precision, recall, F1 and AER of ``pred`` against ``gold``.

    Args:
        gold: one gold alignment per sentence pair (Sure and Possible links).
        pred: one predicted alignment per sentence pair, in the same order.
        gold_name: how the gold appears in error messages (a file name, for example).
        pred_name: how the predictions appear in error messages.

    Returns:
        The scores from link counts summed over all sentence pairs (Och & Ney 2003).

    Raises:
        LengthMismatchError: when ``gold`` and ``pred`` have different lengths.
    """
    _check_lengths(gold, pred, gold_name, pred_name)
    stats = AERStats()
    for p, g in zip(pred, gold, strict=True):
        stats.update(p, g)
    return stats.result()


def evaluate_sentences(
    gold: Sequence[Alignment],
    pred: Sequence[Alignment],
    gold_name: str = "gold",
    pred_name: str = "predictions",
) -> list[AERResult]:
    """The scores of every sentence pair on its own (for a per-sentence report).

    Raises:
        LengthMismatchError: when ``gold`` and ``pred`` have different lengths.
    """
    _check_lengths(gold, pred, gold_name, pred_name)
    return [AERStats.of(p, g).result() for p, g in zip(pred, gold, strict=True)]
