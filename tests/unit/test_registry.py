"""Tests of the aligner registry: one source of names, lazy imports, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wordalign.aligners.base import Aligner
from wordalign.errors import UnknownNameError
from wordalign.registry import ALIGNERS, aligner_names, get_aligner, get_aligner_class


@pytest.mark.parametrize("name", sorted(ALIGNERS))
def test_registry_every_entry_resolves_to_an_aligner_with_that_name(name: str) -> None:
    cls = get_aligner_class(name)
    assert issubclass(cls, Aligner)
    assert cls.name == name
    # Estimator contract: constructible without arguments, parameters round-trip.
    aligner = cls()
    params = aligner.get_params()
    assert cls(**params).get_params() == params


def test_registry_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown aligner 'nope'; choose one of: ") as info:
        get_aligner("nope")
    assert info.value.valid == aligner_names()


def test_registry_get_aligner_passes_parameters() -> None:
    aligner = get_aligner("ibm1", n_iter=2)
    assert aligner.get_params()["n_iter"] == 2


def test_registry_import_wordalign_is_light() -> None:
    # Importing the package must not pull in torch, transformers or numba.
    code = (
        "import sys, wordalign; "
        "heavy = [m for m in ('torch', 'transformers', 'numba') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
