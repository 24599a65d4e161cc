import gzip

import nibabel as nib
import numpy as np

from neuroseg.analysis.segment import segment
from neuroseg.core.features import Scope
from neuroseg.export.nifti import label_nifti, nifti_gz_bytes
from neuroseg.models import FitOptions


def test_exported_labels_round_trip_with_the_source_grid(sample, tmp_path):
    stack, _ = sample
    seg = segment(stack, Scope("slice", "y", 58), 3, 12345, FitOptions(mode="exact"))
    path = tmp_path / "labels.nii.gz"
    path.write_bytes(nifti_gz_bytes(label_nifti(seg)))
    image = nib.load(path)
    assert image.shape == stack.shape and image.get_data_dtype() == np.uint8
    np.testing.assert_allclose(image.affine, stack.affine)
    assert int(image.header["sform_code"]) == int(stack.reference.header["sform_code"])
    data = np.asarray(image.dataobj)
    np.testing.assert_array_equal(data[:, 58, :], seg.label_image())
    assert data[:, :58, :].max() == 0 and data[:, 59:, :].max() == 0
    settings = image.header.extensions[0].get_content().decode()
    assert '"k": 3' in settings and '"mode": "exact"' in settings
    assert b"k=3 seed=12345" in image.header["descrip"].tobytes()


def test_nifti_gz_bytes_is_gzip():
    image = nib.Nifti1Image(np.zeros((2, 2, 2), np.uint8), np.eye(4))
    assert gzip.decompress(nifti_gz_bytes(image))[:4] == (348).to_bytes(4, "little")
