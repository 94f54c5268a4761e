"""Tests of the public import surface: ``from wordalign import ...``."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import wordalign


@pytest.mark.parametrize("name", wordalign.__all__)
def test_api_every_public_name_resolves(name: str) -> None:
    assert getattr(wordalign, name) is not None


def test_api_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        wordalign.nope  # noqa: B018


def test_api_lazy_names_do_not_load_torch() -> None:
    # Resolving an embedding aligner class must not import torch: the encoder loads on align().
    code = (
        "import sys, wordalign; wordalign.SimAlign; wordalign.AwesomeAlign; wordalign.tokenize; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _import_every_submodule() -> list[types.ModuleType]:
    # Importing a submodule binds it as an attribute of its package, replacing a public name of the
    # same spelling (a lazy name is then never resolved): load them all, as a program using the
    # whole library would, before checking the names. Modules whose optional extras (torch,
    # flask, ...) are missing are skipped; ``__main__`` would run the command line.
    loaded = []
    for info in pkgutil.walk_packages(wordalign.__path__, "wordalign.", onerror=lambda _: None):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            loaded.append(importlib.import_module(info.name))
        except ImportError as exc:
            missing = getattr(exc, "name", None) or ""
            if missing.split(".")[0] == "wordalign":
                raise
    return loaded


@pytest.fixture(scope="module")
def every_submodule() -> list[types.ModuleType]:
    return _import_every_submodule()


def _eager_homes() -> dict[str, tuple[str, str]]:
    """Public name -> (module, attribute) of each ``from M import A [as name]`` of __init__.py."""
    tree = ast.parse(Path(wordalign.__file__).read_text(encoding="utf-8"))
    homes = {}
    for node in tree.body:  # top level only: the TYPE_CHECKING imports are the lazy names
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            for alias in node.names:
                homes[alias.asname or alias.name] = (node.module, alias.name)
    return homes


def _home(name: str) -> object:
    """The object ``name`` is in the module that defines it (not read through ``wordalign``)."""
    module, attribute = _eager_homes().get(name) or (wordalign._LAZY[name], name)
    return getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("name", wordalign.__all__)
def test_api_public_name_is_its_defining_object(
    name: str, every_submodule: list[types.ModuleType]
) -> None:
    value = getattr(wordalign, name)
    assert not isinstance(value, types.ModuleType), f"wordalign.{name} is a module"
    assert value is _home(name)


def test_api_functions_are_not_shadowed_by_modules(
    every_submodule: list[types.ModuleType],
) -> None:
    from wordalign.finetuning.trainer import finetune
    from wordalign.symmetrization import symmetrize

    assert wordalign.finetune is finetune
    assert wordalign.symmetrize is symmetrize


def test_api_no_public_name_hides_a_submodule(every_submodule: list[types.ModuleType]) -> None:
    # ``import wordalign.x as m`` reads attribute x of wordalign: a function of that name would
    # come back instead of the module.
    for module in every_submodule:
        parent, _, leaf = module.__name__.rpartition(".")
        if parent == "wordalign":
            assert getattr(wordalign, leaf) is module, module.__name__
