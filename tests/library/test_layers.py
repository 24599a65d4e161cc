"""The library's folders are its layers, and imports point one way (DESIGN 2)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from neuroseg.testing import ROOT

PACKAGE = ROOT / "neuroseg"
LAYERS = ["errors", "io", "core", "models", "analysis", "viz", "export", "ui", "cli", "testing"]
"""Lowest first: a module may import its own layer and the layers listed before it, never one after it.

``errors`` is the one exception type every layer raises; ``cli`` and ``ui``
are the two front ends (``cli`` never imports ``ui``: no Streamlit on the
command line); ``testing`` serves the tests and benchmarks only.
"""
PEERS = {("cli", "ui")}
"""Pairs of layers that must not import each other although one is listed after the other."""


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "errors"  # ``neuroseg`` itself holds only the version


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name == "neuroseg" or name.startswith("neuroseg.")]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def test_every_module_lives_in_a_layer():
    top = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES}
    assert top <= set(LAYERS) | {"__init__"}, top - set(LAYERS)


def upward_imports(path: Path, module: str) -> list[str]:
    """The imports of ``path`` (the module ``module``) that point to a layer above its own."""
    here = layer_of(module)
    return [
        target for target in imports(path)
        if LAYERS.index(layer_of(target)) > LAYERS.index(here) or (here, layer_of(target)) in PEERS
    ]  # fmt: skip


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    assert upward_imports(path, module_name(path)) == []


def test_only_the_ui_imports_streamlit():
    for path in MODULES:
        tree = ast.parse(path.read_text())
        names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        if any(name.split(".")[0] == "streamlit" for name in names):
            assert layer_of(module_name(path)) in ("ui", "testing"), module_name(path)


def test_a_module_that_imports_up_a_layer_is_caught(tmp_path):
    rogue = tmp_path / "rogue.py"
    rogue.write_text("import numpy\nfrom neuroseg.core.stack import VolumeStack\nfrom neuroseg.ui.cache import sample\n")
    assert upward_imports(rogue, "neuroseg.models.rogue") == ["neuroseg.ui.cache"]
    assert upward_imports(rogue, "neuroseg.ui.rogue") == []
    assert upward_imports(rogue, "neuroseg.cli") == ["neuroseg.ui.cache"]


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 400}
    assert not long, long


PAGES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
FORBIDDEN_IN_PAGES = {"nibabel", "sklearn", "scipy"}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(path):
    """A page draws widgets and figures; reading files and fitting belong to the library (DESIGN 2)."""
    assert len(path.read_text().splitlines()) <= 150
    tree = ast.parse(path.read_text())
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not {name.split(".")[0] for name in names} & FORBIDDEN_IN_PAGES


def test_every_test_file_named_in_the_tree_exists():
    texts = [p for p in ROOT.rglob("*") if p.suffix in (".py", ".md") or p.name == "run"]
    named = {m for p in texts if ".git" not in p.parts for m in re.findall(r"tests/[\w/]+\.py", p.read_text())}
    assert named and not {n for n in named if not (ROOT / n).exists()}
