"""The "Reproduce in Python" expander on the Segment, Compare and Joint pages."""

import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest

from neuroseg.testing import ROOT
from neuroseg.testing.apptest import open_page
from neuroseg.testing.reproduce import run_script
from neuroseg.testing.volumes import blobs, nifti_bytes

pytestmark = pytest.mark.slow  # generated scripts are run


def shown_code(at) -> str:
    return next(c.value for c in at.code if c.language == "python")


def downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_default_segment_view_shows_the_lessons_code_with_its_downloads():
    at = open_page("segment", dataset="phantom", mode="exact")
    code = shown_code(at)
    assert "GaussianMixture(n_components=3, random_state=12345)" in code and "from neuroseg" not in code
    assert "t1w_slice = t1w[:, :, 47]" in code
    assert {"Script (.py)", "Notebook (.ipynb)", "The sample's files (.zip)"} <= set(downloads(at))
    assert "the lesson's own steps" in " ".join(c.value for c in at.caption)


def test_an_uploaded_pairs_script_writes_the_command_lines_labels(tmp_path):
    a, b = blobs()
    (tmp_path / "my t1.nii.gz").write_bytes(nifti_bytes(a, gz=True))
    (tmp_path / "b0.nii").write_bytes(nifti_bytes(b))
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value(
        [("my t1.nii.gz", nifti_bytes(a, gz=True), "application/gzip"), ("b0.nii", nifti_bytes(b), "application/octet-stream")]
    ).run()
    at.switch_page("pages/segment.py").run()
    at.radio(key="scope").set_value("volume").run()
    at.slider(key="k").set_value(4).run()
    assert not at.exception and not at.error
    code = shown_code(at)
    assert "'my t1.nii.gz'" in code and "'b0.nii'" in code
    assert "The sample's files (.zip)" not in downloads(at)  # the user has their own files
    inputs = {"my t1.nii.gz": tmp_path / "my t1.nii.gz", "b0.nii": tmp_path / "b0.nii"}
    run_script(code, inputs, tmp_path / "run")
    argv = [sys.executable, "-m", "neuroseg", "segment", str(tmp_path / "my t1.nii.gz"), str(tmp_path / "b0.nii"),
            "-k", "4", "-o", str(tmp_path / "cli.nii.gz")]  # fmt: skip
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    ours, theirs = nib.load(tmp_path / "run" / "labels.nii.gz"), nib.load(tmp_path / "cli.nii.gz")
    np.testing.assert_array_equal(np.asarray(ours.dataobj), np.asarray(theirs.dataobj))
    np.testing.assert_allclose(ours.affine, theirs.affine)


def test_compare_and_joint_pages_hand_over_their_code():
    at = open_page("compare", dataset="phantom", kmin=2, kmax=3, seeds=2)
    code = shown_code(at)
    assert "ks, seeds = [2, 3], [12345, 12346]" in code and "compare.csv" in code
    at = open_page("joint", dataset="phantom", mask="auto")
    code = shown_code(at)
    assert "load_stack(files, names" in code and "mask='auto'" in code and "Pearson r" in code
