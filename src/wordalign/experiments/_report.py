"""What the experiments' reports share: number cells, Markdown tables, CSV and the result files.

Used by :mod:`.methods` and :mod:`.layers`; each report keeps its own columns and wording.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wordalign.errors import WordalignError

__all__ = ["check_fresh", "fmt", "md_table", "render_rows_csv", "write_files"]


def fmt(value: float | None, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, ``–`` for none."""
    return "–" if value is None else f"{value:.{digits}f}"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int) -> list[str]:
    """The lines of a Markdown table, the columns from ``right_from`` on right-aligned."""
    align = ["---" if k < right_from else "---:" for k in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in rows)
    return lines


def render_rows_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> str:
    """A CSV header of ``fields`` and one line per row (``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def check_fresh(folder: str | Path, marker: str, *, overwrite: bool) -> None:
    """Refuse to write into ``folder`` when it holds ``marker`` (a previous run's results).

    Raises:
        WordalignError: when ``folder/marker`` exists and ``overwrite`` is false.
    """
    if not overwrite and (Path(folder) / marker).exists():
        raise WordalignError(f"{folder}: holds results already (use --overwrite to replace them)")


def write_files(folder: Path, files: Iterable[tuple[str, str | bytes]]) -> list[Path]:
    """Write each ``(name, text or bytes)`` atomically under ``folder`` (created, with any
    sub-folder a name has), in order.

    Returns:
        The files written.
    """
    from wordalign.io.files import atomic_write_bytes, atomic_write_text

    written: list[Path] = []
    for name, data in files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            atomic_write_bytes(path, data)
        else:
            atomic_write_text(path, data)
        written.append(path)
    return written
