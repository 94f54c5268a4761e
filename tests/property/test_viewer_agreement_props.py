"""Agreement maths against brute force over every token pair, on random annotations."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.types import Alignment
from wordalign.viewer.agreement import cohen_kappa, merge_alignments


@st.composite
def annotated_pairs(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, int]], list[Alignment], list[Alignment]]:
    sizes = draw(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=4))
    annotators: list[list[Alignment]] = [[], []]
    for n_src, n_tgt in sizes:
        cells = st.tuples(st.integers(0, n_src - 1), st.integers(0, n_tgt - 1))
        for column in annotators:
            sure = draw(st.sets(cells, max_size=6))
            possible = draw(st.sets(cells, max_size=6))
            column.append(Alignment(sure, possible))
    return sizes, annotators[0], annotators[1]


def brute_kappa(
    sizes: list[tuple[int, int]], a: list[Alignment], b: list[Alignment], classes: str
) -> float:
    def category(al: Alignment, link: tuple[int, int]) -> str:
        if link not in al.possible:
            return "none"
        return "link" if classes == "link" or link in al.sure else "possible"

    decisions = [
        (category(x, (i, j)), category(y, (i, j)))
        for (n_src, n_tgt), x, y in zip(sizes, a, b, strict=True)
        for i in range(n_src)
        for j in range(n_tgt)
    ]
    total = len(decisions)
    p_o = sum(x == y for x, y in decisions) / total
    count_a = Counter(x for x, _ in decisions)
    count_b = Counter(y for _, y in decisions)
    p_e = sum(count_a[k] * count_b[k] for k in count_a) / total**2
    return 1.0 if p_e == 1.0 else (p_o - p_e) / (1 - p_e)


@settings(max_examples=200, deadline=None)
@given(annotated_pairs(), st.sampled_from(["link", "sure-possible"]))
def test_viewer_kappa_equals_brute_force(
    case: tuple[list[tuple[int, int]], list[Alignment], list[Alignment]], classes: str
) -> None:
    sizes, a, b = case
    kappa = cohen_kappa(a, b, sizes, classes)  # type: ignore[arg-type]
    assert abs(kappa - brute_kappa(sizes, a, b, classes)) < 1e-12
    assert abs(kappa - cohen_kappa(b, a, sizes, classes)) < 1e-12  # type: ignore[arg-type]
    assert cohen_kappa(a, a, sizes, classes) == 1.0  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(annotated_pairs())
def test_viewer_merge_bounds(
    case: tuple[list[tuple[int, int]], list[Alignment], list[Alignment]],
) -> None:
    _, a, b = case
    for x, y in zip(a, b, strict=True):
        merged = merge_alignments([x, y])
        assert merged.sure <= x.sure and merged.sure <= y.sure
        assert x.possible | y.possible == merged.possible
        assert merge_alignments([x]) == x
        assert merge_alignments([y, x]) == merged
