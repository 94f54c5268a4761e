"""What type each hyper-parameter of an aligner holds, read from its ``__init__`` signature.

A parameter's type is its annotation (``int``, ``float | None``, ``Literal["a", "b"]``) or, when it
has none the checks understand, the type of its default. :func:`check_params` uses it to refuse a
saved model's params that the constructor would take but the aligner could not use (a string
where a number is expected), before any of them reaches the aligner.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from wordalign.errors import WordalignError

if TYPE_CHECKING:
    from wordalign.aligners.base import Aligner

__all__ = ["ParamType", "accepts", "check_params", "param_type"]


class ParamType(NamedTuple):
    """What a parameter holds: Python types, literal choices, and whether ``None`` is allowed.

    Empty ``kinds`` and ``choices``: the type is not one the checks understand; anything goes.
    """

    kinds: tuple[type, ...]
    choices: tuple[Any, ...]
    optional: bool

    def describe(self) -> str:
        """``int or none``, ``one of a, b``: for error messages."""
        if self.choices:
            text = "one of " + ", ".join(map(repr, self.choices))
        else:
            text = " or ".join(k.__name__ for k in self.kinds) or "anything"
        return text + (" or null" if self.optional else "")


def param_type(cls: type[Aligner], name: str) -> ParamType:
    """The type of parameter ``name`` of ``cls``, from its annotation or else its default."""
    parameter = inspect.signature(cls.__init__).parameters[name]
    annotation = parameter.annotation
    if isinstance(annotation, str):
        # Postponed (``from __future__ import annotations``): evaluated in the aligner's module
        # as typing.get_type_hints does, but one parameter at a time, so that a name imported
        # for type checking only leaves just that one to its default.
        module = sys.modules.get(cls.__init__.__module__)
        try:
            annotation = eval(annotation, dict(vars(module)) if module else {})
        except (NameError, AttributeError, SyntaxError, TypeError):
            annotation = inspect.Parameter.empty
    kinds: list[type] = []
    choices: list[Any] = []
    optional = parameter.default is None

    def walk(t: Any) -> None:
        nonlocal optional
        origin = typing.get_origin(t)
        if t is None or t is type(None):
            optional = True
        elif origin is typing.Literal:
            choices.extend(typing.get_args(t))
        elif origin is typing.Union or origin is types.UnionType:
            for arg in typing.get_args(t):
                walk(arg)
        elif t in (bool, int, float, str):
            kinds.append(t)

    if annotation is not inspect.Parameter.empty:
        walk(annotation)
    if not kinds and not choices and type(parameter.default) in (bool, int, float, str):
        kinds.append(type(parameter.default))
    return ParamType(tuple(kinds), tuple(choices), optional)


def accepts(expected: ParamType, value: Any) -> bool:
    """Whether ``value`` (already typed, as JSON or a parsed flag gives it) suits ``expected``.

    An ``int`` suits a ``float`` parameter; a ``bool`` suits only a ``bool`` one.
    """
    if value is None:
        return expected.optional or not (expected.kinds or expected.choices)
    if expected.choices:
        return value in expected.choices
    if not expected.kinds:
        return True
    if isinstance(value, bool):
        return bool in expected.kinds
    if isinstance(value, int):
        return int in expected.kinds or float in expected.kinds
    return any(isinstance(value, kind) for kind in expected.kinds)


def check_params(cls: type[Aligner], params: Any, where: str) -> dict[str, Any]:
    """``params`` as ``cls(**params)`` may take them.

    Args:
        where: what to name in errors (a model's ``config.json``).

    Raises:
        WordalignError: ``WHERE: ...`` when ``params`` is not a mapping of strings, names a
            parameter ``cls`` lacks (listing its parameters), or holds a value of another type.
    """
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise WordalignError(f"{where}: 'params' must be an object, got {_json_type(params)}")
    names = cls._param_names()
    for name, value in params.items():
        if name not in names:
            raise WordalignError(
                f"{where}: aligner {cls.name!r} has no parameter {name!r}; "
                f"its parameters: {', '.join(names)}"
            )
        expected = param_type(cls, name)
        if not accepts(expected, value):
            raise WordalignError(
                f"{where}: parameter {name!r} of aligner {cls.name!r} must be "
                f"{expected.describe()}, got {value!r}"
            )
    return dict(params)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
