"""The exceptions wordalign raises. Library code raises; only the CLI turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable


class WordalignError(Exception):
    """Base class of every error that is the user's to fix (bad input, wrong option)."""


class InputFormatError(WordalignError, ValueError):
    """A malformed line in an input file, reported as ``file:line: what is wrong``."""

    def __init__(self, path: str, line_no: int | None, reason: str) -> None:
        self.path = path
        self.line_no = line_no
        self.reason = reason
        where = path if line_no is None else f"{path}:{line_no}"
        super().__init__(f"{where}: {reason}")


class LengthMismatchError(WordalignError, ValueError):
    """Two inputs that must be line-aligned have different numbers of sentences."""

    def __init__(self, what_a: str, n_a: int, what_b: str, n_b: int) -> None:
        self.counts = {what_a: n_a, what_b: n_b}
        super().__init__(
            f"sentence counts differ: {what_a} has {n_a} sentences, {what_b} has {n_b}"
        )


class UnknownNameError(WordalignError, KeyError):
    """A name (aligner, symmetrization heuristic, format) that wordalign does not know."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(self.valid)}")

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return str(self.args[0])


class NotFittedError(WordalignError, RuntimeError):
    """An aligner that needs training was asked to align before ``fit``."""


class MissingDependencyError(WordalignError, ImportError):
    """An optional extra (for example ``wordalign[neural]``) is not installed."""
