"""Every odd upload and every refusal of the data gets a clear message in the app, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from neuroseg.testing.apptest import errors, frame, open_page, shown, texts, warnings
from neuroseg.testing.bad_files import CASES, Case
from neuroseg.testing.volumes import blobs, nifti_bytes

IDS = [c.id for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_app(case: Case):
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value([(case.filename, case.content, "application/octet-stream")]).run()
    assert not at.exception, [e.value for e in at.exception]
    if case.outcome == "error":
        assert any(case.fragment in e for e in errors(at)), errors(at)
        assert "Upload one or more" not in texts(at)
    else:
        assert not errors(at)
        assert frame(at, "channel")["file"].tolist() == [case.filename]
        if case.outcome == "warning":
            assert any(case.fragment in w for w in warnings(at)), warnings(at)


def upload(at, *files):
    at.file_uploader[0].set_value([(name, content, "application/octet-stream") for name, content in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_segmenting_too_few_voxels_says_so():
    at = upload(open_page(dataset="upload", k=5), ("tiny.nii", nifti_bytes(np.ones((2, 2, 1), np.float32) + np.arange(4).reshape(2, 2, 1))))
    at.switch_page("pages/segment.py").run()
    assert any("tiny.nii: only 4 voxels are inside the analysis mask, fewer than k = 5 clusters" in e for e in errors(at))


def test_k_above_the_distinct_values_says_so():
    at = upload(open_page(dataset="upload"), ("flat.nii", nifti_bytes(np.full((6, 6, 6), 5, np.float32))))
    at.switch_page("pages/segment.py").run()
    assert any("flat.nii: the voxels inside the analysis mask take only 1 distinct value(s), so k = 3 clusters" in e for e in errors(at))


def test_an_all_zero_image_has_nothing_to_segment():
    at = upload(open_page(dataset="upload"), ("zero.nii", nifti_bytes(np.zeros((6, 6, 6), np.float32))))
    at.switch_page("pages/segment.py").run()
    assert any("zero.nii: no voxel is inside the analysis mask (finite and > 0 in every channel)" in e for e in errors(at))
    at.switch_page("pages/compare.py").run()
    assert not at.exception and any("zero.nii: no voxel is inside the analysis mask (finite and > 0 in every channel)" in e for e in errors(at))


def test_a_fit_that_does_not_converge_is_shown_with_a_warning():
    at = open_page("segment")
    at.number_input(key="max_iter").set_value(1).run()
    assert any("did not converge in 1 iterations" in w for w in warnings(at))
    assert len(frame(at, "n_voxels")) == 3


def test_channels_that_do_not_line_up_are_named_and_can_be_resampled():
    a, b = blobs()
    at = upload(open_page(dataset="upload"), ("t1.nii", nifti_bytes(a)), ("b0.nii", nifti_bytes(b[:10])))
    assert any("b0.nii: has shape (10, 14, 10) but t1.nii has (12, 14, 10)" in e and "resample" in e for e in errors(at))
    at.checkbox(key="resample").check().run()
    assert not errors(at)
    assert "Resampled onto t1.nii's grid: b0." in texts(at)
    assert frame(at, "channel")["channel"].tolist() == ["t1", "b0"]


def test_a_four_d_upload_lets_the_user_pick_the_volume():
    a = blobs()[0]
    at = upload(open_page(dataset="upload"), ("run.nii", nifti_bytes(np.stack([a, a + 1000], axis=-1))))
    at.number_input(key="volume_0").set_value(1).run()
    assert any("volume 1 is analysed" in w for w in warnings(at))
    assert shown(frame(at, "field").set_index("field").loc["Volume analysed", "value"]) == "1 of 0..1"


def test_strange_file_names_are_shown_literally():
    name = "$x$ *bold* [link](http://a) <b>é</b> 'q' \"d\"; rm -rf ~.nii"
    at = upload(open_page(dataset="upload"), (name, nifti_bytes(blobs()[0])))
    assert frame(at, "channel")["file"].tolist() == [name]
    heading = next(h.value for h in at.subheader if "·" in h.value)
    assert shown(heading) == f"{name[:-4]} · {name}"
    assert "\\$x\\$ \\*bold\\* \\[link\\]" in heading  # escaped: no math, emphasis or link
