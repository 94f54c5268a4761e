"""Inter-annotator agreement and consensus gold standards, as pure functions on alignments.

* **AER between annotators** takes one annotator as the gold (their Sure and Possible links) and
  the other's links as the prediction (:mod:`wordalign.evaluation.metrics`, Och & Ney 2003,
  section 5). AER is not symmetric once Possible links exist, so both directions are reported.
* **Cohen's kappa** (Cohen 1960) treats every token pair ``(i, j)`` of every sentence as one
  decision that both annotators made: ``kappa = (p_o - p_e) / (1 - p_e)``, with ``p_o`` the share
  of token pairs on which they decided alike and ``p_e = sum_k p_A(k) p_B(k)`` the agreement
  expected by chance from each annotator's own category frequencies. With ``classes="link"`` the
  categories are linked / not linked; with ``classes="sure-possible"`` they are Sure / Possible
  only / not linked. When chance agreement is 1 (both annotators used one category only),
  kappa is defined as 1.0 if they agree everywhere (they do, necessarily).
* **Merging** follows Och & Ney (2003, section 5): Sure links are those every annotator marked
  Sure (``S = S_1 ∩ ... ∩ S_n``), Possible links those any annotator marked at all
  (``P = P_1 ∪ ... ∪ P_n``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from wordalign.errors import LengthMismatchError, WordalignError
from wordalign.evaluation.metrics import AERStats
from wordalign.types import Alignment, Link

__all__ = [
    "AgreementPair",
    "KappaClasses",
    "agreement_table",
    "annotator_aer",
    "cohen_kappa",
    "merge_alignments",
    "merge_corpus",
]

KappaClasses = Literal["link", "sure-possible"]


def annotator_aer(reference: Sequence[Alignment], other: Sequence[Alignment]) -> float:
    """Corpus AER of ``other``'s links with ``reference`` taken as the gold.

    Raises:
        LengthMismatchError: when the two lists differ in length.
    """
    if len(reference) != len(other):
        raise LengthMismatchError("reference annotator", len(reference), "other", len(other))
    stats = AERStats()
    for ref, oth in zip(reference, other, strict=True):
        stats.update(oth, ref)
    return stats.result().aer


def _category(alignment: Alignment, link: Link, classes: KappaClasses) -> int:
    if link not in alignment.possible:
        return 0
    if classes == "link" or link in alignment.sure:
        return 1
    return 2


def cohen_kappa(
    a: Sequence[Alignment],
    b: Sequence[Alignment],
    sizes: Sequence[tuple[int, int]],
    classes: KappaClasses = "link",
) -> float:
    """Cohen's kappa of two annotators over every token pair of every sentence.

    Args:
        a: the first annotator's alignment per sentence pair.
        b: the second annotator's alignment per sentence pair.
        sizes: ``(source tokens, target tokens)`` per sentence pair.
        classes: ``"link"`` (linked or not) or ``"sure-possible"`` (Sure, Possible, none).

    Returns:
        Kappa in [-1, 1]; 1.0 when there are no token pairs at all.

    Raises:
        LengthMismatchError: when the lists differ in length.
        WordalignError: when a link lies outside its sentence's size.
    """
    if not len(a) == len(b) == len(sizes):
        raise LengthMismatchError("first annotator", len(a), "second annotator", len(b))
    agree = 0
    total = 0
    count_a: Counter[int] = Counter()
    count_b: Counter[int] = Counter()
    for k, (al_a, al_b, (n_src, n_tgt)) in enumerate(zip(a, b, sizes, strict=True)):
        for al in (al_a, al_b):
            if al.max_src() >= n_src or al.max_tgt() >= n_tgt:
                raise WordalignError(f"pair {k + 1}: a link lies outside {n_src}x{n_tgt} tokens")
        cells = n_src * n_tgt
        total += cells
        # Only linked cells need a look: all others are category 0 for both annotators.
        marked = al_a.possible | al_b.possible
        both_none = cells - len(marked)
        agree += both_none
        count_a[0] += both_none
        count_b[0] += both_none
        for link in marked:
            cat_a = _category(al_a, link, classes)
            cat_b = _category(al_b, link, classes)
            count_a[cat_a] += 1
            count_b[cat_b] += 1
            agree += cat_a == cat_b
    if total == 0:
        return 1.0
    p_o = agree / total
    p_e = sum(count_a[c] * count_b[c] for c in count_a) / (total * total)
    if p_e == 1.0:
        return 1.0
    return (p_o - p_e) / (1.0 - p_e)


def merge_alignments(alignments: Sequence[Alignment]) -> Alignment:
    """Consensus of several annotators on one pair: Sure where all say Sure, Possible where any links.

    Example:
        >>> merge_alignments([Alignment([(0, 0), (1, 1)]), Alignment([(0, 0)], [(1, 2)])])
        Alignment(sure=frozenset({(0, 0)}), possible=frozenset({(0, 0), (1, 1), (1, 2)}), scores=None)
    """
    if not alignments:
        return Alignment()
    sure = frozenset.intersection(*(a.sure for a in alignments))
    possible = frozenset.union(*(a.possible for a in alignments))
    return Alignment(sure, possible)


def merge_corpus(per_annotator: Sequence[Sequence[Alignment]]) -> list[Alignment]:
    """Merge annotators pair by pair (see :func:`merge_alignments`).

    Raises:
        LengthMismatchError: when the annotators' lists differ in length.
    """
    if not per_annotator:
        return []
    n = len(per_annotator[0])
    for other in per_annotator[1:]:
        if len(other) != n:
            raise LengthMismatchError("first annotator", n, "another annotator", len(other))
    return [merge_alignments(list(column)) for column in zip(*per_annotator, strict=True)]


@dataclass(frozen=True, slots=True)
class AgreementPair:
    """Agreement of two annotators.

    Attributes:
        a: the first annotator.
        b: the second annotator.
        aer_a_as_gold: AER of ``b``'s links with ``a`` as the gold.
        aer_b_as_gold: AER of ``a``'s links with ``b`` as the gold.
        kappa_link: Cohen's kappa over linked / not linked.
        kappa_sure_possible: Cohen's kappa over Sure / Possible / not linked.
        pairs: sentence pairs compared.
    """

    a: str
    b: str
    aer_a_as_gold: float
    aer_b_as_gold: float
    kappa_link: float
    kappa_sure_possible: float
    pairs: int


def agreement_table(
    annotations: dict[str, Sequence[Alignment]], sizes: Sequence[tuple[int, int]]
) -> list[AgreementPair]:
    """Agreement of every two annotators (in the order of ``annotations``)."""
    table = []
    for (name_a, al_a), (name_b, al_b) in combinations(annotations.items(), 2):
        table.append(
            AgreementPair(
                a=name_a,
                b=name_b,
                aer_a_as_gold=annotator_aer(al_a, al_b),
                aer_b_as_gold=annotator_aer(al_b, al_a),
                kappa_link=cohen_kappa(al_a, al_b, sizes, "link"),
                kappa_sure_possible=cohen_kappa(al_a, al_b, sizes, "sure-possible"),
                pairs=len(sizes),
            )
        )
    return table
