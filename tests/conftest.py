"""Shared fixtures: small real NIfTI/MGH files written by nibabel, and the bundled sample."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from neuroseg.samples import load_sample

ROOT = Path(__file__).resolve().parent.parent


def blobs(shape=(12, 14, 10), seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Two co-registered synthetic 'contrasts' with three tissue-like classes and a zero background."""
    rng = np.random.default_rng(seed)
    tissue = rng.integers(0, 4, size=shape)
    a = np.choose(tissue, [0.0, 100.0, 200.0, 300.0]) + rng.normal(0, 8, shape) * (tissue > 0)
    b = np.choose(tissue, [0.0, 300.0, 150.0, 80.0]) + rng.normal(0, 8, shape) * (tissue > 0)
    b[0, 0, :] = 0  # voxels that are > 0 in one image only
    return a.astype(np.float32), b.astype(np.float32)


def nifti_bytes(data, affine=None, *, version=1, gz=False) -> bytes:
    klass = nib.Nifti1Image if version == 1 else nib.Nifti2Image
    raw = klass(data, np.diag([2.0, 2.0, 2.0, 1.0]) if affine is None else affine).to_bytes()
    return gzip.compress(raw) if gz else raw


@pytest.fixture(scope="session")
def sample():
    """The bundled phantom: (stack, truth)."""
    return load_sample("phantom")


@pytest.fixture
def pair_files(tmp_path):
    """Two small co-registered NIfTI files on disk and their arrays."""
    a, b = blobs()
    paths = []
    for name, data in (("t1.nii.gz", a), ("b0.nii.gz", b)):
        path = tmp_path / name
        path.write_bytes(nifti_bytes(data, gz=True))
        paths.append(path)
    return paths, (a, b)


# AppTest helpers

def open_page(page: str | None = None, **query) -> AppTest:
    """Run app.py (optionally with URL parameters), switch to ``page`` and run it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def frame(at: AppTest, column: str):
    """The first table on the page that has ``column`` (pages show several: clusters, Dice...)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def crosshair_reading(at: AppTest) -> dict:
    """The crosshair readout: field -> value."""
    table = next(t.value for t in at.table if t.value.index.name == "crosshair")
    return table["value"].to_dict()


def values(array) -> np.ndarray:
    """A Plotly array from figure JSON, plain or base64-encoded (``bdata``)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def shown(markdown: str) -> str:
    """Markdown source as a reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "warning", "error", "title", "subheader")
    return "\n".join(shown(e.value) for kind in kinds for e in at.get(kind))


def warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning]


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]
