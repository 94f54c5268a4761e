"""Progress bars for long work (tqdm on stderr: rate and time left)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool = True
) -> Iterator[T]:
    """Wrap ``iterable`` in a progress bar when ``enabled``.

    The bar goes to stderr and shows its rate and time left; it hides itself when stderr is not a
    terminal unless ``WORDALIGN_PROGRESS=1`` (so logs and CI output stay clean).
    """
    if not enabled:
        yield from iterable
        return
    yield from bar(total=total, desc=desc, iterable=iterable)


def bar(
    *,
    total: float | None,
    desc: str = "",
    enabled: bool = True,
    iterable: Iterable[Any] | None = None,
    **options: Any,
) -> Any:
    """A tqdm bar to update by hand (``update``, ``set_postfix_str``, ``close``), on the same
    terms as :func:`progress`: stderr, hidden off a terminal unless ``WORDALIGN_PROGRESS=1``,
    and always hidden when not ``enabled``. ``options`` go to tqdm (``initial``, ``unit``,
    ``unit_scale``, ...)."""
    from tqdm.auto import tqdm

    force = os.environ.get("WORDALIGN_PROGRESS") == "1"
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=True if not enabled else (None if not force else False),
        dynamic_ncols=True,
        leave=False,
        **options,
    )
