"""Pure-numpy tests of the embedding aligners' extraction methods on hand-made matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wordalign.aligners.embedding import (
    apply_distortion,
    argmax_links,
    awesome_links,
    awesome_probabilities,
    backward_argmax,
    cosine_similarity,
    entmax15,
    forward_argmax,
    itermax_links,
    link_strength,
    match_links,
    null_align_filter,
    pair_scores,
    softmax,
    word_links,
)
from wordalign.embed.windows import choose_window, plan_windows


def _links(matrix: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(matrix), strict=True)]


# -- similarity ---------------------------------------------------------------------------------


def test_cosine_similarity_is_shifted_to_unit_interval() -> None:
    src = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    tgt = np.array([[3.0, 0.0], [-1.0, 0.0], [1.0, 1.0]])
    half = (np.sqrt(0.5) + 1) / 2
    expected = np.array([[1.0, 0.0, half], [0.5, 0.5, half], [0.5, 0.5, 0.5]])  # zero row: cos 0
    np.testing.assert_allclose(cosine_similarity(src, tgt), expected)


def test_cosine_similarity_keeps_float32() -> None:
    x = np.ones((2, 3), dtype=np.float32)
    assert cosine_similarity(x, x).dtype == np.float32


def test_distortion_by_hand() -> None:
    sim = np.ones((3, 2))
    # relative positions: src 0, .5, 1; tgt 0, 1; penalty 1 - kappa * (dj - di)^2, kappa = 0.5
    expected = np.array([[1.0, 0.5], [0.875, 0.875], [0.5, 1.0]])
    np.testing.assert_allclose(apply_distortion(sim, 0.5), expected)
    assert apply_distortion(sim, 0.0) is sim
    assert apply_distortion(np.ones((1, 4)), 0.5).tolist() == [[1.0] * 4]


def test_null_align_filter_unlinks_the_flattest_word() -> None:
    sim = np.array([[0.9, 0.1, 0.1], [0.5, 0.5, 0.5], [0.1, 0.1, 0.9]])
    links = np.eye(3, dtype=bool)
    # Row 1 and column 1 are flat (highest entropy): only their links go.
    out = null_align_filter(sim, links, percentile=50.0)
    assert _links(out) == [(0, 0), (2, 2)]
    assert _links(null_align_filter(sim, links, 100.0)) == [(0, 0), (1, 1), (2, 2)]
    with pytest.raises(ValueError, match="percentile"):
        null_align_filter(sim, links, 150.0)


def test_word_links_from_subwords_with_scores() -> None:
    links = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=bool)
    scores = np.array([[0.2, 0, 0], [0.7, 0.4, 0], [0, 0, 0.9]])
    src_words = np.array([0, 0, 1])  # subwords 0 and 1 form word 0
    tgt_words = np.array([0, 0, 1])
    sure, best = word_links(links, src_words, tgt_words, scores)
    assert sure == [(0, 0), (1, 1)]
    assert best == {(0, 0): 0.7, (1, 1): 0.9}
    assert word_links(links)[0] == [(0, 0), (1, 0), (1, 1), (2, 2)]


# -- argmax -------------------------------------------------------------------------------------


def test_argmax_is_the_intersection_of_both_directions() -> None:
    sim = np.array([[0.9, 0.3, 0.2], [0.8, 0.4, 0.1], [0.1, 0.2, 0.7]])
    assert _links(forward_argmax(sim)) == [(0, 0), (1, 0), (2, 2)]
    assert _links(backward_argmax(sim)) == [(0, 0), (1, 1), (2, 2)]
    assert _links(argmax_links(sim)) == [(0, 0), (2, 2)]


def test_argmax_ties_take_the_first() -> None:
    sim = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert _links(argmax_links(sim)) == [(0, 0)]


def test_argmax_of_empty_matrix() -> None:
    assert argmax_links(np.zeros((0, 3))).shape == (0, 3)


# -- itermax ------------------------------------------------------------------------------------


def test_itermax_by_hand() -> None:
    sim = np.array(
        [
            [0.9, 0.8, 0.1, 0.1],
            [0.85, 0.2, 0.1, 0.1],
            [0.1, 0.1, 0.9, 0.3],
            [0.1, 0.1, 0.3, 0.2],
        ]
    )
    # Argmax: (0,0), (2,2). Round 2 weights: row 1 and 3, columns 1 and 3 are free.
    #   (1,0): row free, col taken -> 0.9 * 0.85 = 0.765; (1,1) both free -> 0.2: row 1 -> col 0
    #   col 0: (0,0) both taken -> 0; (1,0) 0.765; (3,0) 0.09: col 0 -> row 1, mutual: link (1,0)
    #   (0,1): 0.72 beats (1,1) 0.2, (3,1) 0.1 and row 0's others (0): link (0,1)
    #   (3,3) both free 0.2 vs (3,2) 0.9*0.3 = 0.27: row 3 -> col 2; col 2 -> row 3 (0.27 > 0):
    #   link (3,2); col 3: (2,3) 0.27 > (3,3) 0.2 and row 2 -> col 3 (0.27 vs (2,2) 0): (2,3)
    expected = [(0, 0), (0, 1), (1, 0), (2, 2), (2, 3), (3, 2)]
    assert _links(itermax_links(sim)) == expected
    assert _links(itermax_links(sim, max_count=1)) == [(0, 0), (2, 2)]


def test_itermax_small_sides_are_plain_argmax() -> None:
    sim = np.array([[0.9, 0.8, 0.7], [0.1, 0.2, 0.3]])
    assert np.array_equal(itermax_links(sim), argmax_links(sim))


def test_itermax_stops_when_one_side_is_full() -> None:
    sim = np.eye(3) * 0.5 + 0.1
    assert _links(itermax_links(sim, max_count=5)) == [(0, 0), (1, 1), (2, 2)]


# -- match --------------------------------------------------------------------------------------


def test_match_beats_greedy_by_hand() -> None:
    # Greedy takes (0,0)=0.9 then (1,1)=0.1: 1.0; the optimum is (0,1)+(1,0) = 1.65.
    sim = np.array([[0.9, 0.8], [0.85, 0.1]])
    assert _links(match_links(sim)) == [(0, 1), (1, 0)]


def test_match_rectangular_has_min_side_links() -> None:
    sim = np.array([[0.1, 0.9, 0.3], [0.8, 0.7, 0.2]])
    assert _links(match_links(sim)) == [(0, 1), (1, 0)]
    assert _links(match_links(sim.T)) == [(0, 1), (1, 0)]


def test_match_never_links_zero_similarity() -> None:
    sim = np.array([[0.0, 0.0], [0.0, 0.7]])
    assert _links(match_links(sim)) == [(1, 1)]


def _brute_force_match(sim: np.ndarray) -> list[tuple[int, int]]:
    m, n = sim.shape
    if m <= n:
        candidates = [
            list(zip(range(m), cols, strict=True)) for cols in itertools.permutations(range(n), m)
        ]
    else:
        candidates = [
            list(zip(rows, range(n), strict=True)) for rows in itertools.permutations(range(m), n)
        ]
    best = max(candidates, key=lambda links: sum(sim[i, j] for i, j in links))
    return sorted(best)


@pytest.mark.parametrize("seed", range(20))
def test_match_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(1, 6, size=2))
    sim = rng.random((m, n))
    assert _links(match_links(sim)) == _brute_force_match(sim)


# -- awesome-align ------------------------------------------------------------------------------


def test_softmax_by_hand() -> None:
    p = softmax(np.array([[0.0, np.log(3.0)]]), axis=1)
    np.testing.assert_allclose(p, [[0.25, 0.75]])


def test_awesome_links_by_hand() -> None:
    # Rows: [e^2, 1, 1] / (e^2 + 2) = [.787, .107, .107]; [1, 1, e^3] / (e^3 + 2) = [.045, .045, .909]
    # Columns: [e^2, 1] / (e^2 + 1) = [.881, .119]; [.5, .5]; [1, e^3] / (1 + e^3) = [.047, .953]
    scores = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    assert _links(awesome_links(scores, threshold=0.1)) == [(0, 0), (0, 1), (1, 2)]
    assert _links(awesome_links(scores, threshold=0.2)) == [(0, 0), (1, 2)]
    with pytest.raises(ValueError, match="unknown extraction"):
        awesome_links(scores, extraction="sparsemax")


def test_entmax15_by_hand() -> None:
    # Equal scores: uniform; a gap of more than 2 (z/2 differs by > 1): one-hot.
    np.testing.assert_allclose(entmax15(np.array([[1.0, 1.0]]), axis=1), [[0.5, 0.5]])
    np.testing.assert_allclose(entmax15(np.array([[5.0, 0.0, 1.0]]), axis=1), [[1.0, 0.0, 0.0]])
    # [1, 0]: z/2 = [.5, 0], tau solves (0.5-t)^2 + (0-t)^2 = 1 -> t = (0.5 - sqrt(1.75)) / 2
    tau = (0.5 - np.sqrt(1.75)) / 2
    np.testing.assert_allclose(
        entmax15(np.array([1.0, 0.0]), axis=0), [(0.5 - tau) ** 2, tau**2], rtol=1e-12
    )
    p = entmax15(np.random.default_rng(0).normal(size=(4, 7)) * 3, axis=0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    assert (p == 0).any()


def test_entmax15_equals_the_reference() -> None:
    torch = pytest.importorskip("torch", reason="entmax15 reference needs the neural extra (torch)")
    sparsemax = pytest.importorskip(
        "awesome_align.sparsemax", reason="pip install wordalign[peers]"
    )
    x = np.random.default_rng(1).normal(size=(5, 9)) * 4
    for axis in (0, 1):
        expected = sparsemax.entmax15(torch.from_numpy(x), dim=axis).numpy()
        np.testing.assert_allclose(entmax15(x, axis=axis), expected, atol=1e-12)


def test_awesome_probabilities_by_hand() -> None:
    np.testing.assert_allclose(awesome_probabilities(np.array([[4.0]])), [[1.0]], atol=1e-8)
    # 1 x 2, equal scores: each direction gives 0.5 (rows) and 1 (columns): 2*.5/(1.5) = 2/3
    np.testing.assert_allclose(awesome_probabilities(np.zeros((1, 2))), [[2 / 3, 2 / 3]])


# -- the reference package's own functions, on random matrices -----------------------------------


def test_methods_equal_simalign_functions() -> None:
    simalign = pytest.importorskip("simalign", reason="pip install wordalign[peers]")
    reference = simalign.SentenceAligner
    rng = np.random.default_rng(2)
    for _ in range(200):
        m, n = (int(v) for v in rng.integers(1, 12, size=2))
        sim = rng.random((m, n)).astype(np.float32)
        fwd, rev = reference.get_alignment_matrix(sim)
        assert _links(argmax_links(sim)) == _links(fwd * rev)
        assert _links(itermax_links(sim)) == _links(reference.iter_max(sim))
        assert _links(match_links(sim)) == _links(reference.get_max_weight_match(sim))
        damped = apply_distortion(sim, 0.5)
        np.testing.assert_array_equal(damped, reference.apply_distortion(sim, 0.5))


# -- windows ------------------------------------------------------------------------------------


def test_windows_cover_and_overlap() -> None:
    assert plan_windows(3, 5) == [(0, 3)]
    assert plan_windows(10, 4) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    assert plan_windows(11, 4) == [(0, 4), (2, 6), (4, 8), (6, 10), (7, 11)]
    # each position goes to the window where it is farthest from an edge (earlier on ties)
    assert choose_window(plan_windows(10, 4), 10).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
    with pytest.raises(ValueError):
        plan_windows(10, 0)


# -- awesome-align on any encoder: cosine, centring, temperature ---------------------------------


def test_pair_scores_by_hand() -> None:
    src = np.array([[2.0, 0.0], [1.0, 1.0]])
    tgt = np.array([[3.0, 0.0], [0.0, 0.5]])
    np.testing.assert_array_equal(pair_scores(src, tgt), [[6.0, 0.0], [3.0, 0.5]])
    r = np.sqrt(0.5)
    np.testing.assert_allclose(pair_scores(src, tgt, cosine=True), [[1.0, 0.0], [r, r]])
    # The pair's mean is [1.5, 0.375]: centred src [.5, -.375], [-.5, .625];
    # tgt [1.5, -.375], [-1.5, .125].
    centred = [[0.75 + 0.140625, -0.75 - 0.046875], [-0.75 - 0.234375, 0.75 + 0.078125]]
    np.testing.assert_allclose(pair_scores(src, tgt, center=True), centred)
    a = np.array([[0.5, -0.375], [-0.5, 0.625]])
    b = np.array([[1.5, -0.375], [-1.5, 0.125]])
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    np.testing.assert_allclose(pair_scores(src, tgt, cosine=True, center=True), a @ b.T)


def test_pair_scores_edge_cases() -> None:
    x = np.random.default_rng(3).normal(size=(3, 4)).astype(np.float32)
    y = np.random.default_rng(4).normal(size=(2, 4)).astype(np.float32)
    plain = pair_scores(x, y)
    assert plain.dtype == np.float32
    np.testing.assert_array_equal(plain, x @ y.T)  # the reference's numbers, bit for bit
    # cosine is blind to the encoder's scale; a zero vector scores 0
    cosine = pair_scores(x, y, cosine=True)
    np.testing.assert_allclose(pair_scores(10 * x, y, cosine=True), cosine, rtol=1e-6)
    assert pair_scores(np.zeros((1, 4)), y, cosine=True).tolist() == [[0.0, 0.0]]
    # one vector per side: centring leaves opposite vectors (cosine -1), not zeros
    assert pair_scores(np.array([[1.0, 0.0]]), np.array([[3.0, 0.0]]), True, True) == [[-1.0]]
    assert pair_scores(np.zeros((0, 4)), y, cosine=True, center=True).shape == (0, 2)


def test_link_strength_by_hand() -> None:
    # scores / 0.5 = [[2, 0], [0, 0]]; rows and columns: [e^2, 1] / (e^2 + 1) and [.5, .5]
    hi, lo = np.exp(2) / (np.exp(2) + 1), 1 / (np.exp(2) + 1)
    strength = link_strength(np.array([[1.0, 0.0], [0.0, 0.0]]), temperature=0.5)
    np.testing.assert_allclose(strength, [[hi, lo], [lo, 0.5]])
    assert _links(awesome_links(np.array([[1.0, 0.0], [0.0, 0.0]]), 0.3, temperature=0.5)) == [
        (0, 0),
        (1, 1),
    ]
    # at temperature 1 the same threshold links everything but the weakest pair
    # (rows [e, 1] / (e + 1) = [.731, .269]: the strengths are .731, .269, .269, .5)
    assert _links(awesome_links(np.array([[1.0, 0.0], [0.0, 0.0]]), 0.25)) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="temperature"):
            link_strength(np.ones((2, 2)), temperature=bad)


def test_temperature_one_is_the_reference_rule() -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        m, n = (int(v) for v in rng.integers(1, 10, size=2))
        scores = (rng.normal(size=(m, n)) * 5).astype(np.float32)
        for threshold in (1e-3, 0.1, 0.4):
            reference = (softmax(scores, 1) > threshold) & (softmax(scores, 0) > threshold)
            np.testing.assert_array_equal(awesome_links(scores, threshold), reference)
            np.testing.assert_array_equal(
                awesome_links(scores, threshold, temperature=1.0), reference
            )
        sparse = (entmax15(scores, 1) > 0) & (entmax15(scores, 0) > 0)
        np.testing.assert_array_equal(awesome_links(scores, 0.5, "entmax15"), sparse)
        # a temperature T is the reference rule on scores / T
        np.testing.assert_array_equal(
            awesome_links(scores.astype(np.float64), 0.2, temperature=0.25),
            awesome_links(scores.astype(np.float64) / 0.25, 0.2),
        )


def test_awesome_probabilities_take_the_temperature() -> None:
    scores = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 0.0]])
    np.testing.assert_allclose(
        awesome_probabilities(scores, temperature=0.2), awesome_probabilities(scores / 0.2)
    )
