"""The one list of aligner names, resolved lazily.

Every name the CLI offers (``wordalign align --method NAME``) and every name
:func:`get_aligner` accepts comes from :data:`ALIGNERS`. Entries are import strings so that
``import wordalign`` stays cheap: numba kernels and torch load only when an aligner is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wordalign.errors import UnknownNameError

if TYPE_CHECKING:
    from wordalign.aligners.base import Aligner

ALIGNERS: dict[str, str] = {
    "awesome": "wordalign.aligners.embedding.awesome:AwesomeAlign",
    "eflomal": "wordalign.aligners.statistical.eflomal:Eflomal",
    "fastalign": "wordalign.aligners.statistical.fastalign:FastAlign",
    "hybrid": "wordalign.aligners.hybrid.hybrid:Hybrid",
    "ibm1": "wordalign.aligners.statistical.ibm1:IBM1",
    "simalign": "wordalign.aligners.embedding.simalign:SimAlign",
    "simalign-argmax": "wordalign.aligners.embedding.simalign:SimAlignArgmax",
    "simalign-itermax": "wordalign.aligners.embedding.simalign:SimAlignItermax",
    "simalign-match": "wordalign.aligners.embedding.simalign:SimAlignMatch",
}


def aligner_names() -> list[str]:
    """Sorted names of every registered aligner."""
    return sorted(ALIGNERS)


def get_aligner_class(name: str) -> type[Aligner]:
    """The class registered under ``name``, imported on first use.

    Raises:
        UnknownNameError: listing the valid names.
    """
    try:
        target = ALIGNERS[name]
    except KeyError:
        raise UnknownNameError("aligner", name, ALIGNERS) from None
    module_name, _, class_name = target.partition(":")
    cls: type[Aligner] = getattr(importlib.import_module(module_name), class_name)
    return cls


def get_aligner(name: str, **params: Any) -> Aligner:
    """Build the aligner registered under ``name`` with the given hyper-parameters.

    Example:
        >>> aligner = get_aligner("ibm1", n_iter=3)
        >>> aligner.get_params()["n_iter"]
        3
    """
    return get_aligner_class(name)(**params)
