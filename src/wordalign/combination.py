"""Combination of several alignments of the same text by voting (CombAlign-style).

Given N alignments of every sentence pair (from different aligners, seeds or models), a link is
kept when at least ``min_votes`` of the N inputs contain it: ``min_votes=1`` is the union,
``min_votes=N`` the intersection, and the default ``N // 2 + 1`` a strict majority.

Sure and Possible. A kept link is Sure when at least ``min_votes`` inputs have it as Sure, and
Possible otherwise (so a link that a majority has, but only a minority as Sure, becomes Possible).
Inputs without Possible links give Sure-only output.

Scores. When every input that has a kept link gives it a score, its output score is the mean of
the scores over *all* N inputs, an input without the link counting 0. For link posteriors from
several runs this is the posterior averaged over the runs (a run that did not output the link is
taken to give it probability 0). When some input has the link without a score, the link gets no
score, unless ``vote_scores`` asks for the fraction of inputs that have it (votes / N) instead;
with unscored inputs that fraction is then every link's score. The output alignment of a pair has
``scores=None`` when none of its links has a score.

A minimum score. With ``min_score``, a link is kept only when it also has a score of at least
``min_score``: over runs that wrote their link posteriors (``wordalign align --scores`` with a
low ``--posterior-threshold``), the union thresholded at the mean posterior, that is posterior
symmetrization over the pooled runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from wordalign.errors import LengthMismatchError
from wordalign.types import Alignment, Link

__all__ = ["combine", "combine_one"]

_END = object()


def combine_one(
    alignments: Sequence[Alignment],
    min_votes: int | None = None,
    vote_scores: bool = False,
    min_score: float | None = None,
) -> Alignment:
    """Combine N alignments of one sentence pair (the rules are in the module docstring).

    Raises:
        ValueError: when there are no alignments or ``min_votes`` is not in 1..N.
    """
    n = len(alignments)
    k = _check_min_votes(n, min_votes)
    votes: dict[Link, int] = {}
    sure_votes: dict[Link, int] = {}
    score_sums: dict[Link, float] = {}
    unscored: set[Link] = set()
    for alignment in alignments:
        scores = alignment.scores
        for link in alignment.possible:
            votes[link] = votes.get(link, 0) + 1
            if scores is not None and link in scores:
                score_sums[link] = score_sums.get(link, 0.0) + scores[link]
            else:
                unscored.add(link)
        for link in alignment.sure:
            sure_votes[link] = sure_votes.get(link, 0) + 1
    possible = frozenset(link for link, count in votes.items() if count >= k)
    sure = frozenset(link for link in possible if sure_votes.get(link, 0) >= k)
    out_scores: dict[Link, float] = {}
    for link in possible:
        if link not in unscored:
            out_scores[link] = score_sums[link] / n
        elif vote_scores:
            out_scores[link] = votes[link] / n
    if min_score is not None:
        possible = frozenset(link for link in possible if out_scores.get(link, -1.0) >= min_score)
        sure = sure & possible
        out_scores = {link: out_scores[link] for link in possible}
    return Alignment._trusted(sure, possible, out_scores or None)


def combine(
    inputs: Sequence[Iterable[Alignment]],
    min_votes: int | None = None,
    vote_scores: bool = False,
    names: Sequence[str] | None = None,
    min_score: float | None = None,
) -> list[Alignment]:
    """Combine N line-aligned alignment streams, one output alignment per sentence pair.

    Args:
        inputs: N sequences (or streams) of alignments, one alignment per sentence pair each.
        min_votes: how many inputs must contain a link for it to be kept, 1..N; ``None`` is a
            strict majority, ``N // 2 + 1``.
        vote_scores: give links that cannot have a mean score the fraction of inputs that
            have them (see the module docstring).
        names: how the inputs appear in error messages (file names); default ``input 1`` ...
        min_score: keep only links whose combined score reaches it (see the module docstring).

    Returns:
        The combined alignment of every sentence pair, in order.

    Raises:
        ValueError: when there are no inputs or ``min_votes`` is not in 1..N.
        LengthMismatchError: when the inputs have different numbers of sentence pairs; it
            names the first input and the first one whose count differs.

    Example:
        >>> a = Alignment([(0, 0), (1, 1)])
        >>> b = Alignment([(0, 0), (1, 2)])
        >>> c = Alignment([(0, 0)], possible=[(1, 1)])
        >>> [x.to_pharaoh() for x in combine([[a], [b], [c]])]
        ['0-0 1p1']
    """
    n = len(inputs)
    _check_min_votes(n, min_votes)
    labels = list(names) if names is not None else [f"input {k + 1}" for k in range(n)]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} names for {n} inputs")
    iterators = [iter(stream) for stream in inputs]
    result: list[Alignment] = []
    while True:
        items = [next(it, _END) for it in iterators]
        ended = [item is _END for item in items]
        if all(ended):
            return result
        if any(ended):
            _raise_mismatch(len(result), ended, iterators, labels)
        result.append(combine_one(cast(list[Alignment], items), min_votes, vote_scores, min_score))


def _check_min_votes(n: int, min_votes: int | None) -> int:
    if n == 0:
        raise ValueError("nothing to combine: no inputs")
    k = n // 2 + 1 if min_votes is None else min_votes
    if not 1 <= k <= n:
        raise ValueError(f"min_votes must be between 1 and {n} (the number of inputs), not {k}")
    return k


def _raise_mismatch(
    done: int, ended: list[bool], iterators: list[Iterator[Alignment]], labels: list[str]
) -> None:
    # Count what is left of the longer inputs, so the message gives every count exactly.
    counts = [
        done if stopped else done + 1 + sum(1 for _ in it)
        for stopped, it in zip(ended, iterators, strict=True)
    ]
    other = next(k for k, count in enumerate(counts) if count != counts[0])
    raise LengthMismatchError(labels[0], counts[0], labels[other], counts[other])
