"""The aligner contract every wordalign aligner follows (scikit-learn's estimator conventions).

* ``__init__`` stores keyword hyper-parameters under their own names and does nothing else;
* ``fit(bitext)`` learns from parallel text and returns ``self`` (a no-op for aligners that do
  not train); learned state lives in attributes with a trailing underscore;
* ``align(bitext)`` returns one :class:`~wordalign.types.Alignment` per sentence pair, in order;
* ``save(dir)`` / ``Aligner.load(dir)`` write and read ``config.json`` plus ``arrays.npz``.

Subclasses implement the hooks ``_fit`` and ``_align`` (template method); input coercion, length
checks and persistence live here once.
"""

from __future__ import annotations

import inspect
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from wordalign._version import __version__
from wordalign.errors import NotFittedError, WordalignError
from wordalign.types import Alignment, SentencePair

PairLike = SentencePair | tuple[str | Sequence[str], str | Sequence[str]]


def as_pairs(bitext: Iterable[PairLike]) -> list[SentencePair]:
    """Coerce sentence pairs given as :class:`SentencePair`, ``(src, tgt)`` strings or token lists.

    Strings are split on whitespace; they are taken as already tokenized.
    """
    pairs = []
    for item in bitext:
        if isinstance(item, SentencePair):
            pairs.append(item)
            continue
        src, tgt = item
        pairs.append(
            SentencePair(
                tuple(src.split()) if isinstance(src, str) else tuple(src),
                tuple(tgt.split()) if isinstance(tgt, str) else tuple(tgt),
            )
        )
    return pairs


class Aligner(ABC):
    """Base class of all aligners. See the module docstring for the contract."""

    name: ClassVar[str]
    """The registry name (see :mod:`wordalign.registry`)."""

    trainable: ClassVar[bool] = False
    """Whether ``fit`` learns anything (statistical aligners) or is a no-op (embedding aligners)."""

    STATE_ARRAYS: ClassVar[Mapping[str, ArraySpec] | None] = None
    """The arrays of a saved model's state, checked by :meth:`load` before ``_set_state``
    (``None``: not declared, nothing checked)."""

    # -- parameters -------------------------------------------------------------------------

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind is not p.VAR_KEYWORD
        ]

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters, as given to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Change hyper-parameters; unknown names raise ``ValueError``."""
        valid = set(self._param_names())
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- public API (template methods) ------------------------------------------------------

    def fit(self, bitext: Iterable[PairLike]) -> Self:
        """Learn from parallel text; returns ``self``."""
        self._fit(as_pairs(bitext))
        return self

    def align(self, bitext: Iterable[PairLike]) -> Sequence[Alignment]:
        """One alignment per sentence pair, in input order (an empty one where nothing links)."""
        pairs = as_pairs(bitext)
        if self.trainable and not self.is_fitted():
            raise NotFittedError(
                f"{type(self).__name__} is not trained: call fit() first, or load a saved model"
            )
        alignments = self._align(pairs)
        if len(alignments) != len(pairs):  # a broken subclass must never shift output lines
            raise RuntimeError(
                f"{type(self).__name__} returned {len(alignments)} alignments for {len(pairs)} pairs"
            )
        return alignments

    def fit_align(self, bitext: Iterable[PairLike]) -> Sequence[Alignment]:
        """Train on the bitext and align it (the usual use of statistical aligners)."""
        pairs = as_pairs(bitext)
        return self.fit(pairs).align(pairs)

    def is_fitted(self) -> bool:
        """Whether the aligner can align: always true for aligners that do not train."""
        return not self.trainable or bool(self._state())

    # -- hooks for subclasses ---------------------------------------------------------------

    def _fit(self, pairs: list[SentencePair]) -> None:  # noqa: B027 - optional hook
        """Learn from ``pairs``; the default does nothing."""

    @abstractmethod
    def _align(self, pairs: list[SentencePair]) -> Sequence[Alignment]:
        """Align ``pairs``; must return exactly one alignment per pair."""

    def _state(self) -> dict[str, Any]:
        """Learned state to save: numpy arrays and JSON-serialisable values. Empty = not fitted."""
        return {}

    def _set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`_state` returned."""
        if state:
            raise WordalignError(f"{type(self).__name__} has no learned state to load")

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write ``config.json`` (name, parameters, package version) and ``arrays.npz``.

        Returns:
            The model folder.
        """
        from wordalign.io.files import atomic_write_bytes, atomic_write_text, make_folder

        if self.trainable and not self.is_fitted():
            raise NotFittedError(f"{type(self).__name__} is not trained: nothing to save")
        folder = make_folder(path)  # a file or a read-only place: 'DIR: cannot write (...)'
        state = self._state()
        arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
        extra = {k: v for k, v in state.items() if not isinstance(v, np.ndarray)}
        config = {
            "aligner": self.name,
            "wordalign_version": __version__,
            "params": self.get_params(),
            "state": extra,
        }
        atomic_write_text(folder / "config.json", json.dumps(config, indent=2, sort_keys=True))
        if arrays:
            import io

            arrays[_ALIGNER_ARRAY] = np.frombuffer(self.name.encode("utf-8"), dtype=np.uint8)

            buffer = io.BytesIO()
            np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
            atomic_write_bytes(folder / "arrays.npz", buffer.getvalue())
        return folder

    @classmethod
    def load(cls, path: str | Path) -> Aligner:
        """Rebuild a saved aligner. ``Aligner.load`` dispatches on the saved name.

        Everything is checked before the aligner sees it: the folder, ``config.json`` (an
        object with ``aligner``, ``wordalign_version``, ``params``, ``state``), the version (a
        newer major version than this package is refused), the params (names and types, see
        :func:`~wordalign.aligners.params.check_params`), ``arrays.npz`` (a readable archive of
        plain arrays, no pickles) and, for aligners that declare :attr:`STATE_ARRAYS`, each
        array's presence, dtype kind and dimensions; the aligner's ``_set_state`` then checks
        what its arrays must satisfy together.

        Raises:
            WordalignError: one line naming the folder or file and the first problem found.
        """
        from wordalign.aligners.params import check_params
        from wordalign.registry import get_aligner_class

        folder = Path(path)
        config_path = folder / "config.json"
        config = _read_config(folder, config_path)
        name = config["aligner"]
        try:
            target = get_aligner_class(name)
        except WordalignError as exc:
            raise WordalignError(f"{config_path}: {exc}") from None
        if cls is not Aligner and not issubclass(target, cls):
            raise WordalignError(f"{folder} holds a {name!r} model, not {cls.__name__}")
        params = check_params(target, config["params"], str(config_path))
        try:
            aligner = target(**params)
        except (TypeError, ValueError, WordalignError) as exc:
            raise WordalignError(f"{config_path}: bad params for {name!r} ({exc})") from None
        state: dict[str, Any] = dict(config["state"])
        arrays_path = folder / "arrays.npz"
        arrays = _read_arrays(arrays_path)
        marker = arrays.pop(_ALIGNER_ARRAY, None)
        if marker is not None and _marker_name(marker) != name:
            raise WordalignError(
                f"{arrays_path}: holds the arrays of a {_marker_name(marker)!r} model, "
                f"but config.json says {name!r}"
            )
        where = arrays_path if arrays or target.STATE_ARRAYS else config_path
        try:
            if target.STATE_ARRAYS is not None:
                check_state_arrays(target.STATE_ARRAYS, arrays, state)
            state.update(arrays)
            aligner._set_state(state)
        except WordalignError as exc:
            raise WordalignError(f"{where}: {exc}") from None
        return aligner


# -- model files -----------------------------------------------------------------------------

# The array that ``save`` adds to a model's ``arrays.npz``: the aligner's name as UTF-8 bytes, so
# that the arrays of one method copied under another method's config.json are recognised.
_ALIGNER_ARRAY = "wordalign_aligner"
_CONFIG_FIELDS: dict[str, tuple[type, ...]] = {
    "aligner": (str,),
    "wordalign_version": (str,),
    "params": (dict,),
    "state": (dict,),
}


def _marker_name(marker: np.ndarray) -> str:
    return bytes(np.asarray(marker, dtype=np.uint8).ravel()).decode("utf-8", "replace")


def _read_config(folder: Path, config_path: Path) -> dict[str, Any]:
    """``config.json`` as a dict holding every field of :data:`_CONFIG_FIELDS`, its version not
    newer (in major version) than this package."""
    if folder.exists() and not folder.is_dir():
        raise WordalignError(
            f"{folder}: not a folder (a wordalign model is a folder with config.json)"
        )
    try:
        text = config_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise WordalignError(f"{folder}: not a wordalign model (no config.json)") from None
    except IsADirectoryError:
        raise WordalignError(f"{config_path}: cannot read (is a directory)") from None
    except OSError as exc:
        raise WordalignError(f"{config_path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise WordalignError(
            f"{config_path}: not a wordalign model config (not valid UTF-8 at byte {exc.start})"
        ) from None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WordalignError(
            f"{config_path}: not a wordalign model config (not valid JSON: {exc})"
        ) from None
    if not isinstance(config, dict):
        raise WordalignError(f"{config_path}: not a wordalign model config (not a JSON object)")
    for field, kinds in _CONFIG_FIELDS.items():
        if field not in config:
            raise WordalignError(
                f"{config_path}: not a wordalign model config (no field {field!r})"
            )
        if not isinstance(config[field], kinds):
            raise WordalignError(
                f"{config_path}: field {field!r} must be a {kinds[0].__name__}, "
                f"got {config[field]!r:.60}"
            )
    check_version(config["wordalign_version"], config_path)
    return config


def _major(version: str) -> int | None:
    head, _, _ = version.partition(".")
    return int(head) if head.isdigit() and "." in version else None


def check_version(version: str, where: Path | str) -> None:
    """Refuse a model written by a newer major version of wordalign, or without a version.

    Raises:
        WordalignError: ``WHERE: written by wordalign 99.0.0, this is 0.1.0: upgrade ...``.
    """
    saved = _major(version)
    if saved is None:
        raise WordalignError(
            f"{where}: malformed wordalign_version {version!r} (expected MAJOR.MINOR[.PATCH])"
        )
    ours = _major(__version__)
    if ours is not None and saved > ours:
        raise WordalignError(
            f"{where}: written by wordalign {version}, this is {__version__}: "
            "upgrade wordalign to load this model"
        )


def _read_arrays(arrays_path: Path) -> dict[str, np.ndarray]:
    """Every array of ``arrays.npz`` (none when the file is absent), read without pickles."""
    import zipfile
    import zlib

    if not arrays_path.exists():
        return {}
    try:
        with np.load(arrays_path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("not an .npz archive")
            return {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, EOFError):
            reason = "empty or truncated"
        elif "allow_pickle" in reason:
            reason = "holds object arrays (pickles), which models never contain"
        raise WordalignError(f"{arrays_path}: not a readable model archive ({reason})") from None
    except AttributeError:  # a plain .npy (an ndarray has no context manager)
        raise WordalignError(f"{arrays_path}: not a readable model archive (not .npz)") from None


# -- state validation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArraySpec:
    """What one array of a model's state must be.

    Attributes:
        kind: the accepted numpy dtype kinds (``"i"`` signed, ``"u"`` unsigned integers, ``"f"``
            floats; ``"iu"`` either integer kind).
        ndim: its number of dimensions.
        required: whether a model lacks it only when broken. Within a ``group`` it is required
            when any array of the group is present.
        group: arrays that are present or absent together (one direction of a model).
    """

    kind: str
    ndim: int = 1
    required: bool = True
    group: str | None = None


def check_state_arrays(
    specs: Mapping[str, ArraySpec], arrays: Mapping[str, np.ndarray], state: Mapping[str, Any]
) -> None:
    """Check ``arrays`` against ``specs``: no array unknown to them, none missing, each of its
    dtype kind and dimensions; no config ``state`` field named like an array.

    Raises:
        WordalignError: naming the first array that is wrong.
    """
    for key in arrays:
        if key not in specs:
            raise WordalignError(f"unexpected array {key!r} (not one of this model's)")
    for key in state:
        if key in specs:
            raise WordalignError(f"config.json state field {key!r} must be an array")
    groups = {spec.group for key, spec in specs.items() if key in arrays and spec.group}
    for key, spec in specs.items():
        if key not in arrays:
            if spec.required and (spec.group is None or spec.group in groups):
                raise WordalignError(f"missing array {key!r}")
            continue
        array = arrays[key]
        if array.dtype.kind not in spec.kind:
            raise WordalignError(
                f"array {key!r} has dtype {array.dtype}, expected {_kind_names(spec.kind)}"
            )
        if array.ndim != spec.ndim:
            raise WordalignError(f"array {key!r} has {array.ndim} dimensions, expected {spec.ndim}")


def _kind_names(kinds: str) -> str:
    names = {"i": "signed integers", "u": "unsigned integers", "f": "floats", "b": "booleans"}
    return " or ".join(names.get(k, k) for k in kinds)


def check_offsets(name: str, offsets: np.ndarray, total: int) -> None:
    """Offsets (CSR row pointers) start at 0, never decrease and end at ``total``.

    Raises:
        WordalignError: naming array ``name``.
    """
    if len(offsets) == 0:
        raise WordalignError(f"array {name!r} is empty (offsets start with 0)")
    if offsets[0] != 0:
        raise WordalignError(f"array {name!r} starts at {offsets[0]}, not 0")
    if len(offsets) > 1 and np.any(np.diff(offsets) < 0):
        raise WordalignError(f"array {name!r} decreases (offsets never do)")
    if offsets[-1] != total:
        raise WordalignError(f"array {name!r} ends at {offsets[-1]}, but {total} entries follow")


def check_ids(name: str, ids: np.ndarray, low: int, high: int) -> None:
    """Every id in ``[low, high)``.

    Raises:
        WordalignError: naming array ``name`` and the first id out of range.
    """
    bad = np.flatnonzero((ids < low) | (ids >= high))
    if len(bad):
        raise WordalignError(
            f"array {name!r} holds {ids[bad[0]]} at {bad[0]}, outside [{low}, {high})"
        )


def check_values(name: str, values: np.ndarray, low: float, high: float = np.inf) -> None:
    """Every value finite and in ``[low, high]``.

    Raises:
        WordalignError: naming array ``name`` and the first value out of range.
    """
    bad = np.flatnonzero(~np.isfinite(values) | (values < low) | (values > high))
    if len(bad):
        raise WordalignError(
            f"array {name!r} holds {values[bad[0]]} at {bad[0]}, outside [{low}, {high}]"
        )


def check_length(name: str, array: np.ndarray, expected: int, what: str) -> None:
    """``len(array) == expected``.

    Raises:
        WordalignError: ``array NAME has N entries, expected M (WHAT)``.
    """
    if len(array) != expected:
        raise WordalignError(
            f"array {name!r} has {len(array)} entries, expected {expected} ({what})"
        )


def check_csr(prefix: str, row_ptr: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> None:
    """A sparse table ``PREFIX_row_ptr``/``PREFIX_cols``: ``n_rows`` rows whose pointers
    (:func:`check_offsets`) cut ``cols`` into rows of strictly increasing ids in ``[0, n_cols)``.

    Raises:
        WordalignError: naming the first array that is wrong.
    """
    check_length(f"{prefix}_row_ptr", row_ptr, n_rows + 1, f"{n_rows} rows and an end")
    check_offsets(f"{prefix}_row_ptr", row_ptr, len(cols))
    check_ids(f"{prefix}_cols", cols, 0, n_cols)
    unsorted = np.flatnonzero(np.diff(cols) <= 0) + 1
    unsorted = unsorted[~np.isin(unsorted, row_ptr)]  # a new row may start lower
    if len(unsorted):
        raise WordalignError(
            f"array '{prefix}_cols': ids not increasing within a row at entry {unsorted[0]}"
        )


def row_sums(row_ptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The sum of ``values`` over every row of a sparse table (0 for an empty row)."""
    n_rows = len(row_ptr) - 1
    rows = np.repeat(np.arange(n_rows), np.diff(row_ptr))
    sums: np.ndarray = np.bincount(rows, weights=values, minlength=n_rows)
    return sums
