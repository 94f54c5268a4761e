"""bench/run.py's merge: a partial run replaces its sections and keeps every other one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _run_module() -> Any:
    spec = importlib.util.spec_from_file_location("wordalign_bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_partial_run_replaces_only_its_sections() -> None:
    run = _run_module()
    first = run.merge("", {"bench_a": "## A\n\nfirst", "bench_b": "## B\n\nfirst"})
    assert first.startswith("# Benchmark results\n")
    second = run.merge(first, {"bench_b": "## B\n\nsecond", "bench_c": "## C"})
    assert second.count("## A\n\nfirst") == 1
    assert "## B\n\nsecond" in second and "## B\n\nfirst" not in second
    assert second.index("## A") < second.index("## B") < second.index("## C")
    assert second.count("<!-- bench: bench_b -->") == 1


def test_unmarked_sections_from_before_the_markers_are_kept() -> None:
    run = _run_module()
    old = "# Benchmark results\n\nWritten by x.\n\n- date: then\n\n## Old\n\nold numbers\n"
    merged = run.merge(old, {"bench_h": "## H"})
    assert "## Old\n\nold numbers" in merged and "- date: then" not in merged
    assert merged.index("## Old") < merged.index("## H")
    assert merged.count("# Benchmark results") == 1
