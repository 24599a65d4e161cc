"""Analysis masks in the app: the bundled brain mask, the URL's choice and an uploaded mask."""

import numpy as np
import pytest

from neuroseg.core.samples import load_sample_mask
from neuroseg.testing.apptest import chart, chart_titles, crosshair_reading, errors, frame, open_page, texts
from neuroseg.testing.volumes import nifti_bytes


def test_app_template_defaults_to_its_brain_mask_and_shows_its_size():
    at = open_page(dataset="mni152")
    assert at.radio(key="mask").value == "file"
    voxels = next(m for m in at.metric if m.label == "Voxels in the analysis mask")
    brain = int((load_sample_mask("mni152").data > 0).sum())
    assert voxels.value == f"{brain:,}"
    volume = next(m for m in at.metric if m.label == "Mask volume")
    assert volume.value == f"{brain * 8 / 1000:,.1f} mL"
    assert "mni152_brain_mask.nii.gz" in texts(at)


def test_app_mask_from_the_url_and_an_uploaded_mask(sample):
    at = open_page("segment", dataset="phantom", mask="auto", scope="volume")
    assert at.radio(key="mask").value == "auto"
    assert "inside the automatic foreground mask" in texts(at)
    at = open_page(dataset="phantom", mask="file")
    assert "Upload a mask image" in texts(at)
    stack, _ = sample
    half = np.zeros(stack.shape, np.uint8)
    half[:50] = 1
    at.file_uploader(key="mask_upload").set_value([("left.nii", nifti_bytes(half, stack.affine), "application/octet-stream")]).run()
    assert not at.exception
    voxels = next(m for m in at.metric if m.label == "Voxels in the analysis mask")
    assert voxels.value == f"{int((half > 0).sum()):,}"  # nonzero in the mask is inside, whatever the image's value
    at.file_uploader(key="mask_upload").set_value([("blank.nii", nifti_bytes(half * 0, stack.affine), "application/octet-stream")]).run()
    assert any("blank.nii: is an empty mask" in e for e in errors(at))


@pytest.mark.slow
def test_app_extracts_the_brain_of_an_uploaded_head_and_refuses_an_ellipsoid():
    import gzip

    from neuroseg.testing.heads import moved_head

    head = moved_head(tilt=(8, -5, 10), shift=(10, -20, 15), zooms=(1.5, 1.5, 1.5), axcodes="LPS", noise=0.03, bias=0.3)
    at = open_page(dataset="upload", mask="brain")
    at.file_uploader(key="upload").set_value([("head_T1w.nii.gz", gzip.compress(head.image.to_bytes()), "application/gzip")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="mask").value == "brain"
    assert "Brain extracted from head_T1w.nii.gz:" in texts(at) and not errors(at)
    voxels = next(m for m in at.metric if m.label == "Voxels in the analysis mask")
    assert "the brain extracted from head_T1w.nii.gz" in texts(at)
    extracted = int(voxels.value.replace(",", ""))
    assert 0.95 < extracted / head.brain.sum() < 1.3  # deepbet's brain is a slightly thicker shell than BET's
    downloads = [b.proto.label for b in at.get("download_button")]
    assert "Brain mask (.nii.gz)" in downloads and "Transform to MNI (.json)" in downloads
    planes = [t for t in chart_titles(at) if " slice " in t]
    assert sorted(t.split()[0] for t in planes) == ["axial", "coronal", "sagittal"], planes  # the registration check
    legend = [trace.get("name") for trace in chart(at, planes[0])["data"] if trace.get("name")]
    assert legend == ["analysis mask", "MNI152 brain, registered"]
    at.switch_page("pages/segment.py").run()
    at.radio(key="priors").set_value("template").run()
    assert not at.exception and not errors(at)
    assert "the template's tissue priors" in " ".join(c.value for c in at.caption)
    assert frame(at, "tissue")["tissue"].tolist() == ["CSF", "GM", "WM"]
    at.switch_page("pages/slices.py").run()
    assert not at.exception
    reading = crosshair_reading(at)
    mni = np.array([float(v) for v in reading["MNI (x, y, z) mm"].split(",")])
    assert np.all(np.abs(mni) < 100)  # the head's centre voxel lies inside MNI's field of view

    rng = np.random.default_rng(0)
    g = np.mgrid[:80, :96, :80]
    ellipsoid = ((g[0] - 40) / 30) ** 2 + ((g[1] - 48) / 37) ** 2 + ((g[2] - 40) / 27) ** 2 < 1
    volume = (ellipsoid * 500 + np.abs(rng.normal(0, 50, ellipsoid.shape))).astype(np.float32)
    at.file_uploader(key="upload").set_value([("ellipsoid.nii", nifti_bytes(volume), "application/octet-stream")]).run()
    assert not at.exception
    assert any(e.startswith("ellipsoid.nii: does not look like a T1-weighted head") for e in errors(at))
    assert any("The lesson's rule is used until then" in e for e in errors(at))
