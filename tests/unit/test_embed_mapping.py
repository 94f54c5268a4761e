"""Orthogonal maps between languages (wordalign.embed.mapping): the math, the file, the checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.embed.mapping import (
    FORMAT_VERSION,
    EmbeddingMap,
    MapFileError,
    MapMismatchError,
    confident_links,
    default_map_path,
    fit_map,
    gather_pairs,
    load_map,
    procrustes,
)
from wordalign.errors import WordalignError
from wordalign.types import Alignment


def _rotation(dim: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))  # a uniformly random orthogonal matrix


def _vectors(n: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim))


@pytest.mark.parametrize(("n", "dim"), [(40, 8), (500, 32), (8, 8)])
def test_procrustes_recovers_a_known_rotation(n: int, dim: int) -> None:
    rotation = _rotation(dim, seed=dim)
    x = _vectors(n, dim, seed=n)
    np.testing.assert_allclose(procrustes(x, x @ rotation), rotation, atol=1e-10)


def test_procrustes_of_noisy_pairs_is_orthogonal_and_beats_the_identity() -> None:
    dim = 16
    x = _vectors(300, dim, seed=1)
    y = x @ _rotation(dim, seed=2) + 0.3 * _vectors(300, dim, seed=3)
    w = procrustes(x, y)
    np.testing.assert_allclose(w.T @ w, np.eye(dim), atol=1e-10)
    np.testing.assert_allclose(w @ w.T, np.eye(dim), atol=1e-10)
    # The least-squares optimum among orthogonal maps: better than the identity, and than any
    # other rotation tried.
    best = np.linalg.norm(x @ w - y)
    assert best < np.linalg.norm(x - y)
    for seed in range(5):
        assert best <= np.linalg.norm(x @ _rotation(dim, seed=10 + seed) - y)


def test_procrustes_refuses_arrays_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="same shape"):
        procrustes(np.zeros((3, 4)), np.zeros((3, 5)))


def test_fit_map_without_normalisation_is_a_pure_rotation() -> None:
    dim = 12
    rotation = _rotation(dim, seed=4)
    x = _vectors(60, dim, seed=5)
    emap = fit_map(x, x @ rotation, layer=8, model="m")
    assert not emap.normalize and emap.layer == 8 and emap.model == "m" and emap.n_pairs == 60
    assert not emap.src_mean.any() and not emap.tgt_mean.any()
    np.testing.assert_allclose(emap.matrix, rotation, atol=1e-10)
    np.testing.assert_allclose(emap.map_source(x), x @ rotation, atol=1e-5)
    y = _vectors(5, dim, seed=6).astype(np.float32)
    assert np.array_equal(emap.map_target(y), y)  # target vectors are left alone


def test_normalisation_centres_each_language_and_recovers_a_shifted_rotation() -> None:
    dim = 10
    rotation = _rotation(dim, seed=7)
    x = _vectors(80, dim, seed=8) + 3.0  # off-centre source language
    shift = np.linspace(-2.0, 2.0, dim)  # the target language sits elsewhere
    y = x @ rotation + shift
    plain = fit_map(x, y, layer=3)
    normalised = fit_map(x, y, layer=3, normalize=True)
    assert normalised.normalize
    np.testing.assert_allclose(normalised.src_mean, x.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(normalised.tgt_mean, y.mean(axis=0), atol=1e-12)
    # Centred, the pairs differ by the rotation alone: recovered exactly, which the uncentred
    # solution cannot do.
    np.testing.assert_allclose(normalised.matrix, rotation, atol=1e-10)
    assert np.abs(plain.matrix - rotation).max() > 1e-3
    np.testing.assert_allclose(normalised.map_source(x), normalised.map_target(y), atol=1e-4)


def test_normalisation_gives_every_pair_the_same_weight() -> None:
    # Pairs that agree on a rotation, and one long vector that disagrees: unnormalised, its
    # length lets it pull the solution away; normalised, it counts as one pair of many.
    dim = 4
    rotation = _rotation(dim, seed=9)
    x = _vectors(30, dim, seed=10)
    y = x @ rotation
    outlier = np.zeros((1, dim))
    outlier[0, 0] = 1000.0
    x_all, y_all = np.vstack([x, outlier]), np.vstack([y, -outlier])
    x_all -= x_all.mean(axis=0)
    y_all -= y_all.mean(axis=0)
    plain = fit_map(x_all, y_all, layer=1)
    normalised = fit_map(x_all, y_all, layer=1, normalize=True)
    error = np.abs(normalised.matrix - rotation).max()
    assert error < np.abs(plain.matrix - rotation).max()


def test_identity_map_changes_nothing() -> None:
    vectors = _vectors(7, 6, seed=11).astype(np.float32)
    emap = EmbeddingMap.identity(6, layer=8)
    assert np.array_equal(emap.map_source(vectors), vectors)
    assert np.array_equal(emap.map_target(vectors), vectors)


@pytest.mark.parametrize(
    ("src", "tgt", "match"),
    [
        (np.zeros((1, 4)), np.zeros((1, 4)), "at least 2 word pairs"),
        (np.zeros((3, 4)), np.zeros((3, 5)), "same shape"),
        (np.full((3, 4), np.nan), np.zeros((3, 4)), "NaN"),
    ],
)
def test_fit_map_refuses_bad_vectors(src: np.ndarray, tgt: np.ndarray, match: str) -> None:
    with pytest.raises(WordalignError, match=match):
        fit_map(src, tgt, layer=8)


@pytest.mark.parametrize("normalize", [False, True])
def test_save_and_load_round_trip(tmp_path: Path, normalize: bool) -> None:
    x = _vectors(50, 8, seed=12)
    emap = fit_map(x, x @ _rotation(8, seed=13) + 1.0, layer=7, normalize=normalize, model="e5")
    path = emap.save(tmp_path / "m.map.npz")
    loaded = load_map(path)
    assert (loaded.layer, loaded.dim, loaded.model, loaded.n_pairs) == (7, 8, "e5", 50)
    assert loaded.normalize is normalize
    for name in ("matrix", "src_mean", "tgt_mean"):
        assert np.array_equal(getattr(loaded, name), getattr(emap, name)), name
    with np.load(path) as data:
        assert int(data["format_version"]) == FORMAT_VERSION
        assert int(data["dim"]) == 8


def _fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "format_version": np.int64(FORMAT_VERSION),
        "matrix": np.eye(4),
        "src_mean": np.zeros(4),
        "tgt_mean": np.zeros(4),
        "normalize": np.bool_(False),
        "layer": np.int64(8),
        "dim": np.int64(4),
        "model": np.str_("m"),
        "n_pairs": np.int64(10),
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


BAD_FIELDS = {
    "no_matrix": (_fields(matrix=None), "no field 'matrix'"),
    "newer_version": (_fields(format_version=np.int64(FORMAT_VERSION + 1)), "upgrade wordalign"),
    "not_square": (_fields(matrix=np.eye(4)[:3]), "must be square"),
    "integer_matrix": (_fields(matrix=np.eye(4, dtype=np.int64)), "must hold floats"),
    "not_orthogonal": (_fields(matrix=2.0 * np.eye(4)), "not orthogonal"),
    "nan": (_fields(matrix=np.full((4, 4), np.nan)), "NaN"),
    "short_mean": (_fields(src_mean=np.zeros(3)), "src_mean must be 4 floats"),
    "dim_disagrees": (_fields(dim=np.int64(5)), "field 'dim' says 5"),
    "negative_layer": (_fields(layer=np.int64(-1)), "layer must be 0 or more"),
    "layer_not_int": (_fields(layer=np.float64(8.0)), "field 'layer' must be a single integer"),
    "model_not_str": (_fields(model=np.int64(3)), "field 'model' must be a single string"),
}


@pytest.mark.parametrize("case", list(BAD_FIELDS))
def test_load_refuses_an_invalid_map(tmp_path: Path, case: str) -> None:
    fields, message = BAD_FIELDS[case]
    path = tmp_path / "bad.npz"
    np.savez(path, **fields)  # type: ignore[arg-type]
    with pytest.raises(MapFileError, match=message) as info:
        load_map(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", ["missing", "directory", "text", "npy", "pickle", "truncated"])
def test_load_refuses_what_is_no_map_archive(tmp_path: Path, case: str) -> None:
    path = tmp_path / "x.npz"
    if case == "directory":
        path.mkdir()
    elif case == "text":
        path.write_text("0-0 1-1\n")
    elif case == "npy":
        with path.open("wb") as handle:
            np.save(handle, np.eye(3))
    elif case == "pickle":
        np.savez(path, matrix=np.array([{"a": 1}], dtype=object))
    elif case == "truncated":
        EmbeddingMap.identity(4, 8).save(path)
        path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(MapFileError) as info:
        load_map(path)
    assert str(info.value).startswith(f"{path}: ")
    if case == "pickle":
        assert "pickles" in str(info.value)


def test_check_dim_and_layer_raise_mismatch_errors() -> None:
    emap = EmbeddingMap.identity(4, layer=8, model="small")
    emap.check_dim(4)
    emap.check_layer(8)
    with pytest.raises(MapMismatchError, match="4-wide vectors, the encoder gives 8-wide"):
        emap.check_dim(8, "f.npz")
    with pytest.raises(MapMismatchError, match="learnt on layer 8, not layer 6"):
        emap.check_layer(6, "f.npz")


@pytest.mark.parametrize(
    ("min_prob", "one_to_one", "expected"),
    [
        (None, False, [(0, 0), (1, 1), (1, 2), (3, 3)]),
        (0.9, False, [(0, 0), (1, 1), (1, 2)]),
        (0.9, True, [(0, 0)]),
        (None, True, [(0, 0), (3, 3)]),
        (0.99, True, []),
    ],
)
def test_confident_links(
    min_prob: float | None, one_to_one: bool, expected: list[tuple[int, int]]
) -> None:
    alignment = Alignment(
        [(0, 0), (1, 1), (1, 2), (3, 3)],
        scores={(0, 0): 0.95, (1, 1): 0.92, (1, 2): 0.9, (3, 3): 0.5},
    )
    assert confident_links(alignment, min_prob, one_to_one) == expected


def test_confident_links_with_a_threshold_drop_links_without_score() -> None:
    alignment = Alignment([(0, 0), (1, 1)], scores={(0, 0): 1.0})
    assert confident_links(alignment, 0.5) == [(0, 0)]
    assert confident_links(Alignment([(0, 0)]), None) == [(0, 0)]


def test_gather_pairs_stacks_linked_word_vectors() -> None:
    src = [np.arange(6.0).reshape(3, 2), np.arange(4.0).reshape(2, 2)]
    tgt = [np.arange(4.0).reshape(2, 2) + 10, np.arange(2.0).reshape(1, 2) + 20]
    x, y = gather_pairs(src, tgt, [[(2, 0), (0, 1)], [(1, 0)]])
    assert x.tolist() == [[4.0, 5.0], [0.0, 1.0], [2.0, 3.0]]
    assert y.tolist() == [[10.0, 11.0], [12.0, 13.0], [20.0, 21.0]]
    with pytest.raises(WordalignError, match="pair 2: link 2-0 is outside"):
        gather_pairs(src, tgt, [[], [(2, 0)]])


def test_default_map_path_is_beside_the_model(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "e5-small"
    folder.mkdir(parents=True)
    assert default_map_path(folder, 8) == tmp_path / "models" / "e5-small.layer8.map.npz"
    assert default_map_path(f"{folder}/", 3) == tmp_path / "models" / "e5-small.layer3.map.npz"
    assert default_map_path("org/name", 8) == Path("org--name.layer8.map.npz")
