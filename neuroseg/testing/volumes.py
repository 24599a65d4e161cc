"""Small synthetic volumes and in-memory NIfTI files for tests: made by numpy and nibabel, never mocked."""

from __future__ import annotations

import gzip

import nibabel as nib
import numpy as np


def blobs(shape=(12, 14, 10), seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Two co-registered synthetic 'contrasts' with three tissue-like classes and a zero background."""
    rng = np.random.default_rng(seed)
    tissue = rng.integers(0, 4, size=shape)
    a = np.choose(tissue, [0.0, 100.0, 200.0, 300.0]) + rng.normal(0, 8, shape) * (tissue > 0)
    b = np.choose(tissue, [0.0, 300.0, 150.0, 80.0]) + rng.normal(0, 8, shape) * (tissue > 0)
    b[0, 0, :] = 0  # voxels that are > 0 in one image only
    return a.astype(np.float32), b.astype(np.float32)


def nifti_bytes(data, affine=None, *, version=1, gz=False) -> bytes:
    """A NIfTI-1 (or -2) file of ``data`` as bytes, 2 mm isotropic unless ``affine`` is given; gzipped if ``gz``."""
    klass = nib.Nifti1Image if version == 1 else nib.Nifti2Image
    raw = klass(data, np.diag([2.0, 2.0, 2.0, 1.0]) if affine is None else affine).to_bytes()
    return gzip.compress(raw) if gz else raw
