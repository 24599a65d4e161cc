"""What the tests and benchmarks share: phantoms with known truth, small volumes, bad files, AppTest and browser helpers.

Importable from the package (as dipy keeps its test helpers), so that tests
and benchmarks never reach into each other's folders. Nothing here is used by
the app or the command line.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (app.py, data/, benchmarks/)."""

NIBABEL_DATA = Path(__import__("nibabel").__file__).parent / "tests" / "data"
"""Real files of every format that nibabel ships as its own test data (nobody here made them)."""
