"""Progress of long work on stderr: a tqdm bar on a terminal, periodic lines elsewhere.

On a terminal the bar shows its rate and time left. When stderr is not a terminal (logs, CI, a
job scheduler) a bar would be noise, so :class:`LineProgress` writes one line at the start, then
at most one every :data:`LINE_INTERVAL_S` seconds as work advances, and one at the end, each with
what is done out of how much, the rate, the time elapsed and the time left. ``WORDALIGN_PROGRESS=1``
forces the bar everywhere.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

T = TypeVar("T")

LINE_INTERVAL_S = 30.0
"""Off a terminal: the shortest time between two progress lines."""


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool = True
) -> Iterator[T]:
    """Wrap ``iterable`` in a progress display (see :func:`bar`) when ``enabled``."""
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
    """A progress display to update by hand (``update``, ``set_postfix_str``, ``close``; also a
    context manager, and iterable when given ``iterable``) on stderr.

    A tqdm bar when stderr is a terminal (or in a notebook) or ``WORDALIGN_PROGRESS=1``;
    otherwise a :class:`LineProgress` (a line at the start, at most one per 30 s, one at the
    end); nothing when not ``enabled``. ``options`` go to tqdm (``initial``, ``unit``, ``unit_scale``, ...);
    the line display honours ``initial``, ``unit`` and ``unit_scale``.
    """
    from tqdm.auto import tqdm

    force = os.environ.get("WORDALIGN_PROGRESS") == "1"
    # A Jupyter kernel's stderr is no terminal, but tqdm.auto draws a widget there.
    in_notebook = "ipykernel" in sys.modules
    if enabled and not force and not in_notebook and not _is_terminal(sys.stderr):
        known = {k: options[k] for k in ("initial", "unit", "unit_scale") if k in options}
        return LineProgress(iterable, total=total, desc=desc, **known)
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=True if not enabled else (None if not force else False),
        dynamic_ncols=True,
        leave=False,
        **options,
    )


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class LineProgress:
    """Progress as plain lines, for a stderr that is not a terminal.

    One line when created, then on :meth:`update` at most one per ``interval`` seconds of
    ``clock``, and a last one on :meth:`close` (called at the end of iteration, or on leaving a
    ``with`` block)::

        wordalign: eflomal: 40/100 it, 2.1 it/s, 00:19 elapsed, 00:28 left
    """

    def __init__(
        self,
        iterable: Iterable[Any] | None = None,
        *,
        total: float | None = None,
        desc: str = "",
        initial: float = 0,
        unit: str = "it",
        unit_scale: bool = False,
        interval: float = LINE_INTERVAL_S,
        clock: Callable[[], float] | None = None,
        file: IO[str] | None = None,
    ) -> None:
        if total is None and iterable is not None:
            try:
                total = len(iterable)  # type: ignore[arg-type]
            except TypeError:
                total = None
        self.iterable = iterable
        self.total = total
        self.desc = desc
        self.n = initial
        self.unit = unit
        self.unit_scale = unit_scale
        self.postfix = ""
        self._initial = initial
        self._interval = interval
        self._clock = clock if clock is not None else time.monotonic
        self._file = file
        self._start = self._clock()
        self._last = self._start
        self._closed = False
        self._emit()

    # -- the tqdm surface the callers use ---------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        if self.iterable is None:
            raise TypeError("LineProgress was created without an iterable")
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: float = 1) -> None:
        """Count ``n`` more done; write a line when ``interval`` has passed since the last."""
        self.n += n
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._emit(now)

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Text appended to the following lines (tqdm's postfix)."""
        self.postfix = s

    def set_postfix(self, ordered_dict: Any = None, refresh: bool = True, **kwargs: Any) -> None:
        """``key=value`` pairs appended to the following lines (tqdm's postfix)."""
        items = dict(ordered_dict or {}, **kwargs)
        self.postfix = ", ".join(f"{k}={v}" for k, v in items.items())

    def close(self) -> None:
        """Write the last line (once)."""
        if self._closed:
            return
        self._closed = True
        self._emit()

    # -- the line ---------------------------------------------------------------------------

    def line(self, now: float | None = None) -> str:
        """The progress line at ``now`` (default: the clock's present)."""
        from tqdm import tqdm

        now = self._clock() if now is None else now
        elapsed = max(now - self._start, 0.0)
        rate = (self.n - self._initial) / elapsed if elapsed > 0 else None
        done = self._amount(self.n)
        if self.total:
            done += f"/{self._amount(self.total)}"
        parts = [f"{done} {self.unit}"]
        parts.append(f"{self._amount(rate)} {self.unit}/s" if rate else f"? {self.unit}/s")
        parts.append(f"{tqdm.format_interval(elapsed)} elapsed")
        if self.total and not self._closed:
            left = (self.total - self.n) / rate if rate else None
            parts.append(f"{tqdm.format_interval(left)} left" if left is not None else "? left")
        if self.postfix:
            parts.append(self.postfix)
        name = f"{self.desc}: " if self.desc else ""
        return f"wordalign: {name}" + ", ".join(parts)

    def _amount(self, value: float | None) -> str:
        from tqdm import tqdm

        if value is None:
            return "?"
        if self.unit_scale:
            return str(tqdm.format_sizeof(value))
        if float(value).is_integer() or value >= 100:
            return f"{value:.0f}"
        return f"{value:.3g}"

    def _emit(self, now: float | None = None) -> None:
        out = self._file if self._file is not None else sys.stderr
        print(self.line(now), file=out, flush=True)
