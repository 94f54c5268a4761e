"""Progress bars for long work (tqdm on stderr: rate and time left)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

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
    import os

    from tqdm.auto import tqdm

    force = os.environ.get("WORDALIGN_PROGRESS") == "1"
    yield from tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=None if not force else False,
        dynamic_ncols=True,
        leave=False,
    )
