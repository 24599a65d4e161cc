"""Percent-format templates of the generated code, rendered into steps (cells) of a script or notebook.

The scripts that "Reproduce in Python" writes are kept as readable files in
:mod:`neuroseg.export.templates`, one per view and kind of code, in the
percent format of jupytext and sphinx-gallery: ``# %%`` opens a code cell,
``# %% [markdown]`` a cell of explanation (its lines are comments). Each
template is valid Python, so a reader (and :func:`reserved_names`) can parse it:

* ``__name__`` (a dunder placeholder) is replaced by the context's text for ``name``;
  on a line of its own it stands for a block of lines;
* ``tags=["slice"]`` after ``# %%`` keeps the cell only where the context's flag ``slice`` is true;
* ``# %% include NAME`` puts the cells of the template ``NAME`` there (shared steps and figures).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

from neuroseg.export.notebook import Cell

PLACEHOLDER = re.compile(r"__([a-z][a-z0-9_]*?)__")
_HEADER = re.compile(r"# %%(?: (?P<include>include \w+)| \[(?P<kind>markdown)\])?(?: tags=\[(?P<tags>[^\]]*)\])?\s*$")


@cache
def _text(name: str) -> str:
    return resources.files("neuroseg.export.templates").joinpath(f"{name}.py").read_text()


def render(name: str, context: Mapping[str, object]) -> list[Cell]:
    """The cells of template ``name`` with the context's texts in its placeholders.

    Parameters
    ----------
    name : str
        A template's file name in :mod:`neuroseg.export.templates`, without ``.py``.
    context : mapping
        Text for every placeholder, and a boolean for every tag.

    Returns
    -------
    list of Cell
    """
    cells: list[Cell] = []
    for header, body in _cells(_text(name)):
        match = _HEADER.fullmatch(header)
        if match is None:
            raise ValueError(f"template {name}: a cell header it cannot read: {header!r}")
        tags = [t.strip().strip('"') for t in (match["tags"] or "").split(",") if t.strip()]
        if not all(context[tag] for tag in tags):
            continue
        if match["include"]:
            cells += render(match["include"].split()[1], context)
            continue
        text = PLACEHOLDER.sub(lambda m: str(context[m.group(1)]), body).strip()
        if match["kind"] == "markdown":
            cells.append(Cell("markdown", "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in text.splitlines())))
        elif text:
            cells.append(Cell("code", text))
    return cells


def _cells(text: str) -> list[tuple[str, str]]:
    """(header, body) of each ``# %%`` cell of a template; what comes before the first is its docstring."""
    pieces = re.split(r"^(# %%.*)$", text, flags=re.MULTILINE)
    return list(zip(pieces[1::2], pieces[2::2]))


@cache
def reserved_names() -> frozenset[str]:
    """Every name the templates' code uses (placeholders aside): a channel's variable must not shadow one."""
    found: set[str] = set()
    folder = resources.files("neuroseg.export.templates")
    for path in folder.iterdir():
        if path.name.endswith(".py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Name):
                    found.add(node.id)
                elif isinstance(node, ast.alias):
                    found.add((node.asname or node.name).split(".")[0])
                elif isinstance(node, ast.arg):
                    found.add(node.arg)
    return frozenset(name for name in found if not PLACEHOLDER.fullmatch(name))
