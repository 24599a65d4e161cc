import gzip

import nibabel as nib
import numpy as np
import pytest
from nibabel.freesurfer.mghformat import MGHImage

from neuroseg.errors import InputError
from neuroseg.io import load_bytes, load_path
from neuroseg.testing.volumes import blobs, nifti_bytes


@pytest.mark.parametrize(
    "filename, make",
    [
        ("img.nii", lambda a: nifti_bytes(a)),
        ("img.nii.gz", lambda a: nifti_bytes(a, gz=True)),
        ("img2.nii", lambda a: nifti_bytes(a, version=2)),
        ("img.mgz", lambda a: gzip.compress(MGHImage(a, np.diag([1.5, 1.5, 1.5, 1])).to_bytes())),
    ],
)
def test_bytes_and_path_give_the_same_image_as_nibabel(tmp_path, filename, make):
    a, _ = blobs()
    raw = make(a)
    path = tmp_path / filename
    path.write_bytes(raw)
    from_bytes, from_path = load_bytes(raw, filename), load_path(path)
    expected = nib.load(path).get_fdata()
    assert from_bytes.data.dtype == np.float64
    np.testing.assert_array_equal(from_bytes.data, expected)
    np.testing.assert_array_equal(from_path.data, expected)
    np.testing.assert_array_equal(from_bytes.affine, nib.load(path).affine)
    assert from_bytes.digest == from_path.digest


def test_gzip_is_detected_by_magic_bytes_not_by_name():
    a, _ = blobs()
    plain, packed = nifti_bytes(a), nifti_bytes(a, gz=True)
    np.testing.assert_array_equal(load_bytes(packed, "named.nii").data, load_bytes(plain, "named.nii.gz").data)


def test_four_d_image_gives_the_chosen_volume():
    rng = np.random.default_rng(1)
    data = rng.random((5, 6, 7, 3)).astype(np.float32)
    image = load_bytes(nifti_bytes(data), "run.nii", volume=2)
    assert image.n_volumes == 3 and image.volume == 2
    np.testing.assert_allclose(image.data, data[..., 2])
    with pytest.raises(InputError, match="run.nii: has 3 volumes; volume 3 does not exist"):
        load_bytes(nifti_bytes(data), "run.nii", volume=3)


def test_header_declaring_too_much_is_refused_before_reading():
    image = nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))
    image.header.set_data_shape((2000, 2000, 2000))
    raw = image.header.binaryblock + b"\x00" * 100
    with pytest.raises(InputError, match=r"big.nii: declares 8,000,000,000 voxels .* more than the 1 MiB memory budget"):
        load_bytes(raw, "big.nii", budget=2**20)


def test_not_an_image_names_the_file():
    with pytest.raises(InputError, match="notes.nii.gz: is not an image nibabel reads"):
        load_bytes(gzip.compress(b"hello world" * 100), "notes.nii.gz")
