"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _dermit_dir() -> Path | None:
    env = os.environ.get("WORDALIGN_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "dermit")
    for folder in candidates:
        if (folder / "gold_standard" / "alignments_pharaoh.txt").is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def dermit_dir() -> Path:
    """The DERMIT data folder (WORDALIGN_DATA or ../shared/dermit); skips the test when absent."""
    folder = _dermit_dir()
    if folder is None:
        pytest.skip(
            "DERMIT data not found: set WORDALIGN_DATA or place it in ../shared/dermit "
            "(research-use data, not shipped with wordalign)"
        )
    return folder


@pytest.fixture(scope="session")
def gold_files(dermit_dir: Path) -> dict[str, Path]:
    """Paths of the development half of the DE-RM gold standard."""
    gold = dermit_dir / "gold_standard"
    return {
        "src": gold / "alignments_src_text.txt",
        "tgt": gold / "alignments_trg_text.txt",
        "alignments": gold / "alignments_pharaoh.txt",
    }
