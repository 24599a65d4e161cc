"""Every volume format uploads and segments in the app; a half pair is named."""


import nibabel as nib
import numpy as np
import pytest

from neuroseg.io import load_path
from neuroseg.testing import NIBABEL_DATA
from neuroseg.testing.apptest import errors, frame, open_page
from neuroseg.testing.volumes import blobs, nifti_bytes


def _upload(files):
    at = open_page(dataset="upload")
    at.file_uploader(key="upload").set_value([(n, c, "application/octet-stream") for n, c in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


UPLOADS = [
    (["tiny.mnc"], "MINC1"),
    (["minc2_1_scale.mnc"], "MINC2"),
    (["phantom_EPI_asc_CLEAR_2_1.REC", "phantom_EPI_asc_CLEAR_2_1.PAR"], "PAR/REC"),
    (["example4d+orig.HEAD", "example4d+orig.BRIK.gz"], "AFNI"),
    (["test.mgz"], "MGH"),
    (["example_nifti2.nii.gz"], "NIfTI-2"),
]


@pytest.mark.parametrize("names, fmt", UPLOADS)
def test_every_format_uploads_and_segments(names, fmt):
    at = _upload([(n, (NIBABEL_DATA / n).read_bytes()) for n in names])
    overview = frame(at, "channel")
    assert len(overview) == 1  # a pair is one channel
    image = load_path(NIBABEL_DATA / names[0])
    assert overview["shape"].tolist() == [" x ".join(map(str, image.shape))]
    assert overview["format"].tolist() == [fmt]
    assert overview["file"].tolist() == [" + ".join(image.files)]
    at.switch_page("pages/segment.py").run()
    assert not at.exception and not errors(at)
    assert frame(at, "n_voxels")["n_voxels"].sum() > 0


def test_hdr_img_pair_upload_and_a_half_pair_named(tmp_path):
    data, _ = blobs()
    nib.save(nib.Nifti1Pair(data, np.diag([2.0, 2.0, 2.0, 1.0])), tmp_path / "brain.img")
    pair = [(p.name, p.read_bytes()) for p in sorted(tmp_path.iterdir())]
    at = _upload(pair)
    assert frame(at, "channel")["file"].tolist() == ["brain.hdr + brain.img"]
    at = _upload(pair[:1] + [("b0.nii", nifti_bytes(data))])
    assert any("brain.hdr: is one half of a two-file image" in e and "brain.img is missing" in e for e in errors(at))
    assert frame(at, "channel")["file"].tolist() == ["b0.nii"]
