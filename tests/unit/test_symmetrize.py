"""Symmetrization heuristics on hand-computed cases (links written ``(src, tgt)``)."""

from __future__ import annotations

import pytest

from wordalign.errors import LengthMismatchError, UnknownNameError
from wordalign.symmetrization import METHODS, SYMMETRIZATION_METHODS, symmetrize, symmetrize_all
from wordalign.types import Alignment, Link


def sym(forward: list[Link], reverse: list[Link], method: str) -> list[Link]:
    return sorted(symmetrize(Alignment(forward), Alignment(reverse), method).sure)


def test_methods_are_the_six_standard_heuristics() -> None:
    assert SYMMETRIZATION_METHODS == METHODS
    assert set(METHODS) == {
        "intersection",
        "union",
        "grow",
        "grow-diag",
        "grow-diag-final",
        "grow-diag-final-and",
    }


def test_intersection_and_union() -> None:
    fwd = [(0, 0), (1, 1), (2, 1)]
    rev = [(0, 0), (1, 1), (2, 2)]
    assert sym(fwd, rev, "intersection") == [(0, 0), (1, 1)]
    assert sym(fwd, rev, "union") == [(0, 0), (1, 1), (2, 1), (2, 2)]


def test_grow_diag_adds_a_diagonal_neighbour_that_grow_does_not() -> None:
    # Intersection {0-0}; the union link 1-1 touches 0-0 only diagonally.
    fwd = [(0, 0), (1, 1)]
    rev = [(0, 0)]
    assert sym(fwd, rev, "grow") == [(0, 0)]
    assert sym(fwd, rev, "grow-diag") == [(0, 0), (1, 1)]
    # FINAL adds it anyway: both words are unaligned.
    assert sym(fwd, rev, "grow-diag-final") == [(0, 0), (1, 1)]
    assert sym(fwd, rev, "grow-diag-final-and") == [(0, 0), (1, 1)]


def test_grow_stops_at_links_whose_words_are_both_aligned() -> None:
    # Intersection {0-0, 1-1}; 0-1 neighbours both but its two words are aligned already.
    fwd = [(0, 0), (1, 1), (0, 1)]
    rev = [(0, 0), (1, 1)]
    assert sym(fwd, rev, "grow-diag") == [(0, 0), (1, 1)]
    assert sym(fwd, rev, "grow-diag-final") == [(0, 0), (1, 1)]


def test_grow_follows_a_chain_of_neighbours() -> None:
    # Intersection {0-0}; 1-1, 2-2, 3-3 are only in the union and each touches the previous one.
    fwd = [(0, 0), (1, 1), (3, 3)]
    rev = [(0, 0), (2, 2)]
    assert sym(fwd, rev, "grow-diag") == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert sym(fwd, rev, "grow") == [(0, 0)]


def test_final_versus_final_and() -> None:
    # Intersection {0-0}. Far from it, 2-3 (forward) and 3-3 (reverse) share target word 3.
    fwd = [(0, 0), (2, 3)]
    rev = [(0, 0), (3, 3)]
    assert sym(fwd, rev, "grow-diag") == [(0, 0)]
    # FINAL: 2-3 (both free) is added, then 3-3 (source 3 still free) as well.
    assert sym(fwd, rev, "grow-diag-final") == [(0, 0), (2, 3), (3, 3)]
    # FINAL-AND: 2-3 is added, after which target 3 is aligned and 3-3 is not.
    assert sym(fwd, rev, "grow-diag-final-and") == [(0, 0), (2, 3)]


def test_order_of_visits_is_target_major_as_in_moses_symal() -> None:
    # Intersection {2-2}. Pass 1 visits 2-2 and adds its diagonal neighbour 1-1 (source 1 free).
    # Pass 2 visits 1-1 and tries neighbours in Koehn's order: first (Δtgt=-1) 1-0, whose target
    # 0 is free, then 0-0 (source 0 free). 0-2 then has both words aligned.
    # (fast_align's atools visits the candidates instead and ends with 0-0 1-1 2-2.)
    fwd = [(0, 0), (1, 1), (2, 2)]
    rev = [(0, 2), (1, 0), (2, 2)]
    assert sym(fwd, rev, "grow-diag") == [(0, 0), (1, 0), (1, 1), (2, 2)]


def test_atools_variant_visits_candidates_source_major() -> None:
    # Same input. Pass 1 over the candidates 0-0, 0-2, 1-0, 1-1: only 1-1 has an aligned
    # neighbour (2-2) and is added. Pass 2: 0-0 (source 0 free, neighbour 1-1) is added; then 0-2
    # and 1-0 have both words aligned.
    fwd = Alignment([(0, 0), (1, 1), (2, 2)])
    rev = Alignment([(0, 2), (1, 0), (2, 2)])
    out = symmetrize(fwd, rev, "grow-diag", variant="atools")
    assert sorted(out.sure) == [(0, 0), (1, 1), (2, 2)]
    assert symmetrize_all([fwd], [rev], "grow-diag", variant="atools") == [out]


def test_variants_agree_when_no_links_compete() -> None:
    # Intersection {0-0}; forward-only 2-3 and 3-1 and reverse-only 3-3 are far from it.
    # FINAL-AND adds 3-1 and 2-3 (all four words free) in either order; 3-3 is then blocked.
    fwd = [(0, 0), (2, 3), (3, 1)]
    rev = [(0, 0), (3, 3)]
    for variant in ("moses", "atools"):
        got = symmetrize(Alignment(fwd), Alignment(rev), "grow-diag-final-and", variant)
        assert sorted(got.sure) == [(0, 0), (2, 3), (3, 1)]


def test_final_visits_forward_links_first_and_and_is_not_a_subset_of_final() -> None:
    # Intersection {0-2}; grow-diag adds 1-3 (diagonal neighbour, source 1 free).
    # FINAL(forward): 1-0 (target 0 free) and 3-3 (source 3 free) are added;
    # FINAL(reverse): 2-1 (both free) is added; 3-0 is not (both words aligned now).
    # FINAL-AND adds neither forward link (one word each is aligned) but both reverse ones.
    fwd = [(0, 2), (1, 0), (3, 3)]
    rev = [(0, 2), (1, 3), (2, 1), (3, 0)]
    assert sym(fwd, rev, "grow-diag") == [(0, 2), (1, 3)]
    gdf = sym(fwd, rev, "grow-diag-final")
    gdfa = sym(fwd, rev, "grow-diag-final-and")
    assert gdf == [(0, 2), (1, 0), (1, 3), (2, 1), (3, 3)]
    assert gdfa == [(0, 2), (1, 3), (2, 1), (3, 0)]
    assert not set(gdfa) <= set(gdf)  # the "invariant" fails link by link


@pytest.mark.parametrize("method", METHODS)
def test_empty_alignments(method: str) -> None:
    assert sym([], [], method) == []
    assert sym([(0, 0)], [], method) in ([], [(0, 0)])


def test_one_direction_empty() -> None:
    fwd = [(0, 0), (1, 1)]
    assert sym(fwd, [], "intersection") == []
    assert sym(fwd, [], "grow-diag") == []  # nothing to grow from
    assert sym(fwd, [], "grow-diag-final") == fwd
    assert sym(fwd, [], "grow-diag-final-and") == fwd


def test_possible_links_take_part_and_the_result_is_sure() -> None:
    fwd = Alignment([(0, 0)], possible=[(1, 1)])
    rev = Alignment([(1, 1)])
    out = symmetrize(fwd, rev, "intersection")
    assert out.sure == frozenset({(1, 1)})
    assert out.possible == out.sure


def test_unknown_method_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match="grow-diag-final-and") as info:
        symmetrize(Alignment(), Alignment(), "gdfa")
    assert "gdfa" in str(info.value)
    with pytest.raises(UnknownNameError):
        symmetrize_all([], [], "nope")
    with pytest.raises(UnknownNameError, match="atools"):
        symmetrize(Alignment(), Alignment(), "union", variant="giza")


def test_symmetrize_all_keeps_order_and_checks_counts() -> None:
    fwd = [Alignment([(0, 0)]), Alignment(), Alignment([(0, 1)])]
    rev = [Alignment([(0, 0)]), Alignment([(0, 0)]), Alignment([(0, 1), (1, 1)])]
    out = symmetrize_all(fwd, rev, "intersection")
    assert [a.to_pharaoh() for a in out] == ["0-0", "", "0-1"]
    with pytest.raises(LengthMismatchError, match="forward has 3 sentences, reverse has 2"):
        symmetrize_all(fwd, rev[:2], "union")
