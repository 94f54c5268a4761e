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
from collections.abc import Iterable, Sequence
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

            buffer = io.BytesIO()
            np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
            atomic_write_bytes(folder / "arrays.npz", buffer.getvalue())
        return folder

    @classmethod
    def load(cls, path: str | Path) -> Aligner:
        """Rebuild a saved aligner. ``Aligner.load`` dispatches on the saved name."""
        from wordalign.registry import get_aligner_class

        folder = Path(path)
        config_path = folder / "config.json"
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
            name = config["aligner"]
        except FileNotFoundError:
            raise WordalignError(f"{folder}: not a wordalign model (no config.json)") from None
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise WordalignError(f"{config_path}: not a wordalign model config ({exc})") from None
        target = get_aligner_class(name)
        if cls is not Aligner and not issubclass(target, cls):
            raise WordalignError(f"{folder} holds a {name!r} model, not {cls.__name__}")
        aligner = target(**config.get("params", {}))
        state: dict[str, Any] = dict(config.get("state", {}))
        arrays_path = folder / "arrays.npz"
        if arrays_path.exists():
            with np.load(arrays_path, allow_pickle=False) as data:
                state.update({k: data[k] for k in data.files})
        aligner._set_state(state)
        return aligner
