import numpy as np
import pytest

from neuroseg.core.axes import axis_planes
from neuroseg.core.stack import channel_name, stack_images
from neuroseg.errors import InputError
from neuroseg.io import load_bytes
from neuroseg.io.header import raw_fields, summarize
from neuroseg.testing.volumes import blobs, nifti_bytes


def test_images_on_one_grid_become_named_channels():
    a, b = blobs()
    stack = stack_images([load_bytes(nifti_bytes(a), "t1.nii"), load_bytes(nifti_bytes(b), "b0.nii.gz")])
    assert stack.names == ("t1", "b0") and stack.shape == a.shape
    assert stack.voxel_ml == pytest.approx(0.008)
    np.testing.assert_array_equal(stack.channels[1], b)


def test_a_grid_mismatch_names_the_image_and_offers_resampling():
    a, _ = blobs()
    shifted = np.diag([2.0, 2.0, 2.0, 1.0])
    shifted[:3, 3] = [4.0, 0.0, 0.0]
    first = load_bytes(nifti_bytes(a), "t1.nii")
    other = load_bytes(nifti_bytes(a, shifted), "b0.nii")
    with pytest.raises(InputError, match=r"b0.nii: has an affine that differs from t1.nii's by up to 4 mm.*resample"):
        stack_images([first, other])
    stack = stack_images([first, other], resample=True)
    assert stack.resampled == ("b0",)
    # b0 is 2 voxels to the right: resampled voxel i holds original voxel i - 2
    np.testing.assert_allclose(stack.channels[1][4:, :, :], a[2:-2, :, :], atol=1e-4)
    smaller = load_bytes(nifti_bytes(a[:10]), "small.nii")
    with pytest.raises(InputError, match=r"small.nii: has shape \(10, 14, 10\) but t1.nii has \(12, 14, 10\)"):
        stack_images([first, smaller])


def test_header_summary_and_raw_fields():
    a, _ = blobs()
    image = load_bytes(nifti_bytes(a), "t1.nii")
    summary = summarize(image)
    assert summary["Shape"] == "12 x 14 x 10" and summary["Voxel size"] == "2, 2, 2 mm"
    assert summary["Orientation"] == "RAS+" and summary["Data type"] == "float32"
    assert dict(raw_fields(image))["dim"].startswith("[ 3, 12, 14, 10")
    assert axis_planes(image.affine) == {"x": "sagittal", "y": "coronal", "z": "axial"}


def test_odd_geometry_and_4d_are_warned_about():
    data = np.random.default_rng(0).random((6, 6, 4, 2)).astype(np.float32) + 1
    image = load_bytes(nifti_bytes(data, np.diag([1.0, 1.0, 3.0, 1.0])), "run.nii")
    assert any("anisotropic (1 x 1 x 3 mm)" in w for w in image.warnings)
    assert any("is 4-D with 2 volumes; volume 0 is analysed" in w for w in image.warnings)


def test_channel_names_drop_image_suffixes():
    assert channel_name("sub-01_T1w.nii.gz") == "sub-01_T1w"
    assert channel_name("brain.MGZ") == "brain"
    assert channel_name("notes.txt") == "notes.txt"
