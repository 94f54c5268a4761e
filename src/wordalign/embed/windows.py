"""Overlapping windows over a subword sequence longer than the encoder's limit.

A long sentence is cut into windows of at most ``size`` subwords that overlap by about half a
window; each subword takes its vector from the window in which it lies farthest from an edge, so
that every subword keeps as much context on both sides as the model allows and none is dropped.
"""

from __future__ import annotations

import numpy as np


def plan_windows(length: int, size: int, stride: int | None = None) -> list[tuple[int, int]]:
    """Start/end offsets of overlapping windows covering ``range(length)``.

    Args:
        length: Number of subwords.
        size: Largest window (the model's limit without its special tokens).
        stride: Distance between window starts; half a window by default.

    Returns:
        ``[(start, end), ...]`` with ``end - start <= size``; one window when ``length <= size``;
        the last window ends at ``length``.

    Example:
        >>> plan_windows(10, 4)
        [(0, 4), (2, 6), (4, 8), (6, 10)]
    """
    if size < 1:
        raise ValueError(f"window size must be positive, not {size}")
    if length <= size:
        return [(0, length)]
    step = stride if stride is not None else max(1, size // 2)
    if not 1 <= step <= size:
        raise ValueError(f"stride must be in 1..{size}, not {step}")
    starts = list(range(0, length - size, step))
    starts.append(length - size)
    return [(s, s + size) for s in starts]


def choose_window(windows: list[tuple[int, int]], length: int) -> np.ndarray:
    """For each position, the index of the window in which it is farthest from an edge.

    Ties go to the earlier window.
    """
    best = np.zeros(length, dtype=np.int64)
    best_margin = np.full(length, -1, dtype=np.int64)
    positions = np.arange(length)
    for w, (start, end) in enumerate(windows):
        inside = (positions >= start) & (positions < end)
        margin = np.minimum(positions - start, end - 1 - positions)
        better = inside & (margin > best_margin)
        best[better] = w
        best_margin[better] = margin[better]
    return best
