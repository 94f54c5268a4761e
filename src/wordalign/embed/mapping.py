"""Orthogonal maps between the contextual vectors of two languages ("rotation alignment").

An encoder's vectors of a word and of its translation are often far apart: each language
occupies its own region of the space. A rotation learnt from word pairs that translate each other
(Procrustes, Schönemann 1966; for contextual vectors Schuster et al. 2019, Wang et al. 2019,
Aldarmaki & Diab 2019) brings the source vectors to their translations without changing the
distances among them. Given ``n`` pairs as the rows of ``X`` (source) and ``Y`` (target), the
orthogonal ``W`` minimising ``||X W - Y||`` is ``U V^T`` from the singular value decomposition
``X^T Y = U S V^T``.

With ``normalize=True`` each language's vectors are first centred on their mean and scaled to
unit length (the normalisation that Kulshreshtha et al. 2020 found to help rotation alignment of
mBERT): the means are removed because they differ between languages and would otherwise dominate
the solution, and unit length gives every pair the same weight. Applying such a map centres the
vectors of both sides on their language's mean and rotates the source ones; lengths are left
alone, so that the map stays linear and commutes with averaging subwords into words, and dot
products keep their scale.

Maps are saved as ``.npz`` archives (:meth:`EmbeddingMap.save`) holding the matrix, both means,
the layer, the width, the model's name and a format version, and checked when loaded
(:func:`load_map`). This module is pure numpy; :mod:`wordalign.cli.embed` gathers the vectors.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wordalign.errors import WordalignError
from wordalign.types import Alignment

FORMAT_VERSION = 1
"""Version of the ``.npz`` layout; a file of a newer version is refused."""

MAP_SUFFIX = ".map.npz"
"""Suffix of maps saved beside a model folder (see :func:`default_map_path`)."""

_ORTHOGONALITY_TOLERANCE = 1e-3
_FIELDS = ("format_version", "matrix", "src_mean", "tgt_mean", "normalize", "layer", "model")


class MapFileError(WordalignError, ValueError):
    """A map file that cannot be read or is not a valid map: ``FILE: what is wrong``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class MapMismatchError(WordalignError, ValueError):
    """A valid map that does not fit the encoder it is used with (width or layer)."""


def procrustes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The orthogonal ``W`` minimising the Frobenius norm of ``x @ W - y``.

    Args:
        x: ``(n, dim)`` source vectors, one pair per row.
        y: ``(n, dim)`` target vectors, row ``k`` the translation of ``x[k]``.

    Returns:
        ``(dim, dim)`` float64 orthogonal matrix ``U V^T`` (``x.T @ y = U S V^T``); map row
        vectors with ``x @ W``.

    Raises:
        ValueError: when the shapes differ or are not 2-D.

    Example:
        >>> rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
        >>> x = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
        >>> np.allclose(procrustes(x, x @ rotation), rotation)
        True
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"need two (n, dim) arrays of the same shape, not {x.shape} and {y.shape}")
    u, _, vt = np.linalg.svd(x.T @ y)
    matrix: np.ndarray = u @ vt
    return matrix


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: np.ndarray = vectors / np.where(norms > 0.0, norms, 1.0)
    return out


@dataclass(frozen=True, eq=False)
class EmbeddingMap:
    """A rotation of source-language vectors onto target-language ones, for one encoder layer.

    Build one with :func:`fit_map` (or :func:`load_map`). Source vectors become
    ``(x - src_mean) @ matrix``, target vectors ``y - tgt_mean``; the means are zero for a map
    fitted without normalisation, which then leaves target vectors alone.

    Attributes:
        matrix: ``(dim, dim)`` orthogonal matrix (row vectors: ``x @ matrix``).
        src_mean: ``(dim,)`` mean source vector removed before rotating (zeros: none).
        tgt_mean: ``(dim,)`` mean target vector removed from target vectors (zeros: none).
        normalize: Whether the map was fitted on centred, unit-length vectors.
        layer: The encoder's hidden state the vectors came from (0 = embeddings).
        model: Name of the encoder (hub name or folder) the map was learnt on.
        n_pairs: Word pairs it was fitted on.
    """

    matrix: np.ndarray
    src_mean: np.ndarray
    tgt_mean: np.ndarray
    normalize: bool
    layer: int
    model: str = ""
    n_pairs: int = 0

    @property
    def dim(self) -> int:
        """Width of the vectors the map takes."""
        return int(self.matrix.shape[0])

    @classmethod
    def identity(cls, dim: int, layer: int, model: str = "") -> EmbeddingMap:
        """The map that changes nothing (for tests and comparisons)."""
        zeros = np.zeros(dim, dtype=np.float64)
        return cls(np.eye(dim), zeros, zeros.copy(), False, layer, model)

    def map_source(self, vectors: np.ndarray) -> np.ndarray:
        """``(n, dim)`` source vectors, centred (with normalisation) and rotated; float32."""
        shifted = np.asarray(vectors, dtype=np.float64) - self.src_mean
        mapped: np.ndarray = (shifted @ self.matrix).astype(np.float32)
        return mapped

    def map_target(self, vectors: np.ndarray) -> np.ndarray:
        """``(n, dim)`` target vectors, centred (with normalisation; else unchanged); float32."""
        if not self.tgt_mean.any():
            return np.asarray(vectors, dtype=np.float32)
        shifted: np.ndarray = (np.asarray(vectors, dtype=np.float64) - self.tgt_mean).astype(
            np.float32
        )
        return shifted

    def check_dim(self, dim: int, where: str = "the map") -> None:
        """Check that the map takes vectors of width ``dim``.

        Raises:
            MapMismatchError: naming ``where`` (the file) and both widths.
        """
        if dim != self.dim:
            raise MapMismatchError(
                f"{where}: the map is for {self.dim}-wide vectors, the encoder gives {dim}-wide "
                f"ones (learnt on model {self.model!r}; learn one for this model with "
                "'wordalign embed map')"
            )

    def check_layer(self, layer: int, where: str = "the map") -> None:
        """Check that the map was learnt on hidden state ``layer``.

        Raises:
            MapMismatchError: naming ``where`` (the file) and both layers.
        """
        if layer != self.layer:
            raise MapMismatchError(
                f"{where}: the map was learnt on layer {self.layer}, not layer {layer} "
                f"(use --layer {self.layer}, or learn a map for layer {layer})"
            )

    def save(self, path: str | Path) -> Path:
        """Write the map as an ``.npz`` archive, atomically.

        Raises:
            WordalignError: ``FILE: cannot write (reason)``.
        """
        from wordalign.io.files import atomic_write_bytes

        buffer = io.BytesIO()
        np.savez(
            buffer,
            format_version=np.int64(FORMAT_VERSION),
            matrix=self.matrix.astype(np.float64),
            src_mean=self.src_mean.astype(np.float64),
            tgt_mean=self.tgt_mean.astype(np.float64),
            normalize=np.bool_(self.normalize),
            layer=np.int64(self.layer),
            dim=np.int64(self.dim),
            model=np.str_(self.model),
            n_pairs=np.int64(self.n_pairs),
        )
        atomic_write_bytes(path, buffer.getvalue())
        return Path(path)


def fit_map(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    layer: int,
    normalize: bool = False,
    model: str = "",
) -> EmbeddingMap:
    """Learn the rotation that takes ``src[k]`` closest to ``tgt[k]`` for every row ``k``.

    Args:
        src: ``(n, dim)`` source vectors of word pairs that translate each other.
        tgt: ``(n, dim)`` their target vectors.
        layer: The hidden state the vectors came from (recorded in the map).
        normalize: Centre each side on its mean and scale every vector to unit length before
            solving; the map then also centres the vectors it is applied to.
        model: The encoder's name (recorded in the map).

    Raises:
        WordalignError: for fewer than two pairs, arrays of different shapes, or non-finite
            values.
    """
    src = np.asarray(src, dtype=np.float64)
    tgt = np.asarray(tgt, dtype=np.float64)
    if src.ndim != 2 or src.shape != tgt.shape:
        raise WordalignError(
            f"need source and target vectors of the same shape (n, dim), not {src.shape} and "
            f"{tgt.shape}"
        )
    if len(src) < 2:
        raise WordalignError(f"need at least 2 word pairs to learn a map, not {len(src)}")
    if not (np.isfinite(src).all() and np.isfinite(tgt).all()):
        raise WordalignError("the vectors hold NaN or infinite values")
    dim = src.shape[1]
    if normalize:
        src_mean, tgt_mean = src.mean(axis=0), tgt.mean(axis=0)
        x, y = _unit_rows(src - src_mean), _unit_rows(tgt - tgt_mean)
    else:
        src_mean, tgt_mean = np.zeros(dim), np.zeros(dim)
        x, y = src, tgt
    return EmbeddingMap(
        procrustes(x, y), src_mean, tgt_mean, normalize, int(layer), str(model), len(src)
    )


def confident_links(
    alignment: Alignment, min_prob: float | None = None, one_to_one: bool = True
) -> list[tuple[int, int]]:
    """The Sure links of ``alignment`` trusted enough to learn a map from, sorted.

    Args:
        alignment: One sentence pair's links, with scores or without.
        min_prob: Keep links whose score reaches this (``None``: every link; a link without a
            score is then kept, and dropped otherwise).
        one_to_one: Keep only links whose source and target words have no other kept link.
    """
    links = sorted(alignment.sure)
    if min_prob is not None:
        scores = alignment.scores or {}
        links = [link for link in links if scores.get(link, -1.0) >= min_prob]
    if one_to_one:
        src_count: dict[int, int] = {}
        tgt_count: dict[int, int] = {}
        for i, j in links:
            src_count[i] = src_count.get(i, 0) + 1
            tgt_count[j] = tgt_count.get(j, 0) + 1
        links = [(i, j) for i, j in links if src_count[i] == 1 and tgt_count[j] == 1]
    return links


def gather_pairs(
    src_words: Sequence[np.ndarray],
    tgt_words: Sequence[np.ndarray],
    links: Iterable[Sequence[tuple[int, int]]],
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the word vectors that the links pair up: ``(X, Y)``, one linked pair per row.

    Args:
        src_words: Per sentence pair, the ``(n_src_words, dim)`` source word vectors.
        tgt_words: Per sentence pair, the ``(n_tgt_words, dim)`` target word vectors.
        links: Per sentence pair, its ``(i, j)`` links.

    Raises:
        WordalignError: for a link to a word the sentence does not have (``pair K: ...``).
    """
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    dim = 0
    for k, (x, y, pair_links) in enumerate(zip(src_words, tgt_words, links, strict=True)):
        dim = x.shape[1]
        if not pair_links:
            continue
        i = np.fromiter((a for a, _ in pair_links), dtype=np.int64)
        j = np.fromiter((b for _, b in pair_links), dtype=np.int64)
        if i.max() >= len(x) or j.max() >= len(y):
            raise WordalignError(
                f"pair {k + 1}: link {int(i.max())}-{int(j.max())} is outside the sentences "
                f"({len(x)} source, {len(y)} target words)"
            )
        xs.append(x[i])
        ys.append(y[j])
    if not xs:
        empty = np.zeros((0, dim), dtype=np.float32)
        return empty, empty.copy()
    return np.concatenate(xs), np.concatenate(ys)


def default_map_path(model: str | Path, layer: int) -> Path:
    """Where a map is saved when no file is given: beside the model, ``<model>.layer<L>.map.npz``.

    For a local folder ``models/e5`` that is ``models/e5.layer8.map.npz``; for a hub name
    (``bert-base-multilingual-cased``) a file of that name in the current folder.
    """
    text = str(model).rstrip("/\\") or "model"
    folder = Path(text)
    if folder.is_dir():
        return folder.parent / f"{folder.name}.layer{layer}{MAP_SUFFIX}"
    return Path(f"{text.replace('/', '--')}.layer{layer}{MAP_SUFFIX}")


def load_map(path: str | Path) -> EmbeddingMap:
    """Read and check a map saved by :meth:`EmbeddingMap.save`.

    Everything is checked before the map is used: the file, the archive (no pickles), every
    field's presence, type and shape, the format version, finite values and the orthogonality of
    the matrix.

    Raises:
        MapFileError: one line naming the file and the first problem found.
    """
    target = Path(path)
    if target.is_dir():
        raise MapFileError(target, "is a directory, not a map file")
    try:
        data = np.load(target, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise MapFileError(target, "not a map archive (a single .npy array, not .npz)")
        with data:
            fields = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise MapFileError(target, "no such file") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        if isinstance(exc, MapFileError):
            raise
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, EOFError):
            reason = "empty or truncated"
        elif "allow_pickle" in reason:
            reason = "holds object arrays (pickles), which maps never contain"
        raise MapFileError(target, f"not a readable map archive ({reason})") from None
    return _check_fields(target, fields)


def _scalar(target: Path, fields: dict[str, np.ndarray], name: str, kinds: str) -> np.ndarray:
    value = fields[name]
    if value.shape != () or value.dtype.kind not in kinds:
        raise MapFileError(target, f"field {name!r} must be a single {_KIND_NAMES[kinds]}")
    return value


_KIND_NAMES = {"iu": "integer", "b": "boolean", "U": "string"}


def _check_fields(target: Path, fields: dict[str, np.ndarray]) -> EmbeddingMap:
    missing = [name for name in _FIELDS if name not in fields]
    if missing:
        raise MapFileError(
            target,
            f"not a wordalign map (no field {missing[0]!r}; learn one with 'wordalign embed map')",
        )
    version = int(_scalar(target, fields, "format_version", "iu"))
    if version > FORMAT_VERSION or version < 1:
        raise MapFileError(
            target,
            f"map format version {version}; this wordalign reads version {FORMAT_VERSION}"
            + (": upgrade wordalign" if version > FORMAT_VERSION else ""),
        )
    matrix = fields["matrix"]
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
        raise MapFileError(target, f"matrix must be square (dim, dim), not {matrix.shape}")
    if matrix.dtype.kind != "f":
        raise MapFileError(target, f"matrix must hold floats, not {matrix.dtype}")
    dim = matrix.shape[0]
    if "dim" in fields and int(_scalar(target, fields, "dim", "iu")) != dim:
        raise MapFileError(
            target, f"field 'dim' says {int(fields['dim'])}, but the matrix is {dim} wide"
        )
    means = []
    for name in ("src_mean", "tgt_mean"):
        mean = fields[name]
        if mean.shape != (dim,) or mean.dtype.kind != "f":
            raise MapFileError(target, f"{name} must be {dim} floats, not {mean.dtype}{mean.shape}")
        means.append(mean.astype(np.float64))
    if not (np.isfinite(matrix).all() and all(np.isfinite(m).all() for m in means)):
        raise MapFileError(target, "the map holds NaN or infinite values")
    matrix = matrix.astype(np.float64)
    error = float(np.abs(matrix.T @ matrix - np.eye(dim)).max())
    if error > _ORTHOGONALITY_TOLERANCE:
        raise MapFileError(target, f"matrix is not orthogonal (|W^T W - I| reaches {error:.3g})")
    normalize = bool(_scalar(target, fields, "normalize", "b"))
    layer = int(_scalar(target, fields, "layer", "iu"))
    if layer < 0:
        raise MapFileError(target, f"layer must be 0 or more, not {layer}")
    model = str(_scalar(target, fields, "model", "U"))
    n_pairs = int(_scalar(target, fields, "n_pairs", "iu")) if "n_pairs" in fields else 0
    return EmbeddingMap(matrix, means[0], means[1], normalize, layer, model, n_pairs)
