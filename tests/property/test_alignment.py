"""Invariants of the Alignment type and its Pharaoh and NAACL round trips (hypothesis)."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.io.naacl import read_naacl, write_naacl
from wordalign.types import Alignment

_links = st.frozensets(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=15)


@st.composite
def alignments(draw: st.DrawFn) -> Alignment:
    return Alignment(draw(_links), draw(_links))


@given(alignments(), st.sampled_from(["p", "?"]))
def test_alignment_pharaoh_round_trip(alignment: Alignment, sep: str) -> None:
    assert Alignment.from_pharaoh(alignment.to_pharaoh(sep)) == alignment


@given(alignments())
def test_alignment_inverted_twice_is_identity(alignment: Alignment) -> None:
    assert alignment.inverted().inverted() == alignment
    assert len(alignment.inverted()) == len(alignment)


@given(_links, _links)
def test_alignment_sure_is_a_subset_of_possible(sure: frozenset, possible: frozenset) -> None:
    alignment = Alignment(sure, possible)
    assert alignment.sure <= alignment.possible
    assert alignment.possible == sure | possible
    assert alignment.possible_only == alignment.possible - alignment.sure
    assert alignment.inverted().sure <= alignment.inverted().possible


@settings(max_examples=50, deadline=None)
@given(st.lists(alignments(), max_size=6), st.booleans())
def test_alignment_naacl_round_trip(corpus: list[Alignment], one_based: bool) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "links.wa"
        write_naacl(path, corpus, one_based=one_based)
        assert read_naacl(path, n_sentences=len(corpus), one_based=one_based) == corpus
