"""Steps of code with their explanations, written out as a Python script or as a Jupyter notebook (DESIGN 3.13)."""

from __future__ import annotations

from collections.abc import Sequence
import textwrap
from dataclasses import dataclass

COMMENT_WIDTH = 96


@dataclass(frozen=True)
class Cell:
    """One step: ``"markdown"`` that explains it in plain words, or ``"code"`` that runs it."""

    kind: str
    source: str


def markdown(text: str) -> Cell:
    return Cell("markdown", text.strip())


def code(text: str) -> Cell:
    return Cell("code", text.strip())


def script(cells: Sequence[Cell]) -> str:
    """The cells as one script: explanations become comments above their code, as in a notebook."""
    parts = []
    for cell in cells:
        if cell.kind == "markdown":
            lines = [line.lstrip("# ").rstrip() if line.startswith("#") else line for line in cell.source.splitlines()]
            wrapped = [piece for line in lines for piece in (textwrap.wrap(line, COMMENT_WIDTH) or [""])]
            parts.append("\n".join(f"# {line}".rstrip() for line in wrapped))
        else:
            parts.append(cell.source + "\n")
    return "\n".join(parts).rstrip() + "\n"


def notebook(cells: Sequence[Cell]) -> str:
    """The cells as a Jupyter notebook (nbformat 4, Python 3 kernel), as JSON text."""
    import nbformat

    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    book.cells = [make[cell.kind](cell.source) for cell in cells]
    nbformat.validate(book)
    return nbformat.writes(book)
