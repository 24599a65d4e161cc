"""Shared fixtures: small real NIfTI files written by nibabel, and the bundled sample."""

from __future__ import annotations

import pytest

from neuroseg.core.samples import load_sample
from neuroseg.testing.volumes import blobs, nifti_bytes


@pytest.fixture(scope="session")
def sample():
    """The bundled phantom: (stack, truth)."""
    return load_sample("phantom")


@pytest.fixture(scope="session")
def mni152_sample():
    """nilearn's 2 mm MNI152 T1 with its brain mask: (stack, truth)."""
    return load_sample("mni152")


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


@pytest.fixture(scope="session")
def tilted_head():
    """Colin27 tilted, shifted and stored LPS, with noise and a bias field, and the brain extracted from it."""
    from neuroseg.models.brain import extract_brain
    from neuroseg.testing.heads import HEAD, moved_head

    if not HEAD.exists():
        pytest.fail(f"{HEAD} is missing: apt-get install mricron-data (the README's test command does)")
    head = moved_head(tilt=(12, -8, 15), shift=(20, -35, 40), axcodes="LPS", noise=0.03, bias=0.3)
    return head, extract_brain(head.data, head.image.affine)
