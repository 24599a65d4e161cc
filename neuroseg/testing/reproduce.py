"""Run a generated script or notebook as a user would: in a folder of its own, beside copies of its input files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from neuroseg.testing import ROOT


def _folder(folder: Path, inputs: Mapping[str, Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in inputs.items():
        shutil.copy(path, folder / name)
    return folder


def run_script(text: str, inputs: Mapping[str, Path], folder: Path) -> subprocess.CompletedProcess:
    """``python view.py`` in ``folder`` (matplotlib without a display, neuroseg importable), checked."""
    _folder(folder, inputs)
    (folder / "view.py").write_text(text)
    env = os.environ | {"MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "view.py"], cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"the script failed:\n{done.stderr[-3000:]}")
    return done


def run_notebook(text: str, inputs: Mapping[str, Path], folder: Path):
    """Execute a notebook (JSON text) with nbclient in ``folder``; return it with its outputs."""
    import nbformat
    from nbclient import NotebookClient

    _folder(folder, inputs)
    book = nbformat.reads(text, as_version=4)
    with _environment(MPLBACKEND="Agg", PYTHONPATH=str(ROOT)):  # the kernel inherits them: neuroseg imports
        NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return book


@contextmanager
def _environment(**values: str):
    """Environment variables set for the duration of a block, then restored."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def printed(book) -> str:
    """Everything a notebook's cells printed."""
    return "".join(out.get("text", "") for cell in book.cells if cell.cell_type == "code" for out in cell.get("outputs", []))
