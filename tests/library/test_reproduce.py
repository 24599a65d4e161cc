"""Reproduce in Python: the generated scripts and notebooks run, beside copies of their inputs, and rebuild the view exactly."""

from __future__ import annotations

import re
import subprocess
import sys

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from neuroseg.analysis.compare import compare, grid_pairs, grid_table
from neuroseg.analysis.pipeline import load_stack
from neuroseg.analysis.segment import segment
from neuroseg.core.features import Scope, make_features
from neuroseg.core.samples import DATA_DIR
from neuroseg.export.nifti import label_nifti
from neuroseg.export.reproduce import compare_code, joint_code, python_names, segment_code
from neuroseg.models import FitOptions
from neuroseg.testing import ROOT
from neuroseg.testing.reproduce import printed, run_notebook, run_script

pytestmark = pytest.mark.slow  # every generated script and notebook is run

LESSON_SLICE = Scope("slice", "z", 47)
PHANTOM = {name: DATA_DIR / name for name in ("phantom_t1w.nii.gz", "phantom_b0.nii.gz")}


def labels_written(folder) -> nib.Nifti1Image:
    return nib.load(folder / "labels.nii.gz")


def assert_same_labels(image: nib.Nifti1Image, segmentation) -> None:
    expected = label_nifti(segmentation)
    np.testing.assert_array_equal(np.asarray(image.dataobj), np.asarray(expected.dataobj))
    np.testing.assert_allclose(image.affine, expected.affine)


def test_the_default_view_is_the_lesson_itself_and_its_notebook_rebuilds_the_labels(sample, tmp_path):
    stack, _ = sample
    segmentation = segment(stack, LESSON_SLICE, 3, 12345, FitOptions(mode="exact"))
    code = segment_code(segmentation)
    assert code.lesson and code.inputs == tuple(PHANTOM)
    assert not any("neuroseg" in cell.source for cell in code.cells if cell.kind == "code")  # the lesson's tools only
    assert "GaussianMixture(n_components=3, random_state=12345)" in code.script
    steps = ["print(t1w_img.header)", "t1w_slice = t1w[:, :, 47]", "mask = ", "ax.hist(", "plt.scatter(",
             "plt.hist2d(", "sns.kdeplot(", "gmm.fit_predict(X)", "c=labels", "plt.imshow(", "nib.save("]  # fmt: skip
    places = [code.script.index(step) for step in steps]
    assert places == sorted(places), "the lesson's order"
    done = run_script(code.script, PHANTOM, tmp_path / "script")
    assert_same_labels(labels_written(tmp_path / "script"), segmentation)
    table = segmentation.table()
    for row in table.itertuples():
        assert f"label {row.label}: {row.n_voxels:9,} voxels" in done.stdout
    book = run_notebook(code.notebook(), PHANTOM, tmp_path / "notebook")
    assert [c.cell_type for c in book.cells][:2] == ["markdown", "code"]
    assert "4802 voxels in the mask" in printed(book)
    assert_same_labels(labels_written(tmp_path / "notebook"), segmentation)


@pytest.mark.parametrize(
    "scope, options, lesson",
    [
        (Scope("volume"), FitOptions(mode="exact"), True),
        (Scope("volume"), FitOptions(mode="fast"), False),  # 235,375 voxels: through the histogram
        (LESSON_SLICE, FitOptions(mode="fast"), True),  # below max_fit_voxels fast mode *is* the exact fit
        (Scope("slice", "y", 60), FitOptions(mode="exact", covariance="diag", max_iter=50), True),
        (LESSON_SLICE, FitOptions(bias_correct=True, mrf=15), False),
        (Scope("volume"), FitOptions(mode="exact", standardise=True), False),
    ],
    ids=["volume-exact", "volume-fast", "slice-fast", "coronal-diag", "slice-tissue", "standardised"],
)
def test_scripts_rebuild_the_labels_of_every_scope_mode_and_model(sample, tmp_path, scope, options, lesson):
    stack, _ = sample
    segmentation = segment(stack, scope, 3, 12345, options)
    code = segment_code(segmentation)
    assert code.lesson is lesson
    assert ("from neuroseg" in code.script) is not lesson
    if not lesson:
        used = options.record()
        assert f"# the {used.pop('model')} model" in code.script
        for name, value in used.items():
            assert f"    {name}={value!r},\n" in code.script  # every option the model uses spelled out
        for name in options.as_dict().keys() - used.keys():
            assert f"    {name}=" not in code.script  # and none that it does not
    run_script(code.script, PHANTOM, tmp_path)
    assert_same_labels(labels_written(tmp_path), segmentation)


@pytest.mark.parametrize("mask", ["auto", "file"])
def test_scripts_rebuild_the_labels_inside_other_masks(tmp_path, mask):
    stack, _ = load_stack([DATA_DIR / "mni152_t1.nii.gz"], mask=str(DATA_DIR / "mni152_brain_mask.nii.gz") if mask == "file" else "auto")
    segmentation = segment(stack, LESSON_SLICE, 3, 12345, FitOptions())
    code = segment_code(segmentation)
    assert not code.lesson and f"mask={stack.mask.source if mask == 'file' else 'auto'!r}" in code.script
    inputs = {name: DATA_DIR / name for name in code.inputs}
    assert ("mni152_brain_mask.nii.gz" in inputs) is (mask == "file")
    run_script(code.script, inputs, tmp_path)
    assert_same_labels(labels_written(tmp_path), segmentation)


def test_the_brain_mask_and_template_priors_are_rebuilt_from_a_head(tmp_path):
    from neuroseg.testing.heads import moved_head

    head = moved_head(tilt=(8, -5, 10), shift=(10, -20, 15), zooms=(2.0, 2.0, 2.0), axcodes="LPS", noise=0.03, bias=0.3)
    nib.save(head.image, tmp_path / "head_T1w.nii.gz")
    stack, _ = load_stack([tmp_path / "head_T1w.nii.gz"], mask="brain")
    segmentation = segment(stack, Scope("volume"), 3, 12345, FitOptions(mrf=15, priors="template"))
    code = segment_code(segmentation)
    assert "mask='brain'" in code.script and "priors='template'" in code.script
    run_script(code.script, {"head_T1w.nii.gz": tmp_path / "head_T1w.nii.gz"}, tmp_path / "run")
    assert_same_labels(labels_written(tmp_path / "run"), segmentation)


def test_one_channel_gives_the_lesson_without_the_joint_figures(tmp_path):
    stack, _ = load_stack([PHANTOM["phantom_t1w.nii.gz"]], ["T1w"])
    segmentation = segment(stack, LESSON_SLICE, 3, 12345, FitOptions(mode="exact"))
    code = segment_code(segmentation)
    assert code.lesson and "sns.kdeplot" not in code.script and "plt.hist2d" not in code.script
    run_script(code.script, {"phantom_t1w.nii.gz": PHANTOM["phantom_t1w.nii.gz"]}, tmp_path)
    assert_same_labels(labels_written(tmp_path), segmentation)


@pytest.mark.parametrize("exact", [True, False], ids=["lesson", "library"])
def test_compare_scripts_write_the_command_lines_grid(sample, tmp_path, exact):
    stack, _ = sample
    scope = LESSON_SLICE if exact else Scope("volume")
    options = FitOptions(mode="exact" if exact else "fast")
    n_rows = len(make_features(stack.channels, scope, stack.mask).X)
    code = compare_code(stack, scope, [2, 3, 4], [12345, 12346], options, n_rows)
    assert code.lesson is exact
    run_script(code.script, PHANTOM, tmp_path / "run")
    ours = pd.read_csv(tmp_path / "run" / "compare.csv")
    argv = [sys.executable, "-m", "neuroseg", "compare", *PHANTOM.values(), "--kmin", "2", "--kmax", "4", "--seeds", "2",
            "-o", str(tmp_path / "cli.csv")] + (["--exact", "--axis", "z", "--slice", "47"] if exact else [])  # fmt: skip
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    theirs = pd.read_csv(tmp_path / "cli.csv")
    assert ours[["k", "seed"]].values.tolist() == theirs[["k", "seed"]].values.tolist()
    np.testing.assert_allclose(ours[["bic", "aic"]], theirs[["bic", "aic"]], rtol=1e-9)
    np.testing.assert_allclose(ours["mean_pairwise_ari"], theirs["mean_pairwise_ari"], rtol=1e-9)
    expected = grid_table(compare(stack, scope, grid_pairs(2, 4, 12345, 2), options))
    np.testing.assert_allclose(ours["bic"], expected["bic"], rtol=1e-9)


@pytest.mark.parametrize("mask", [None, "auto"], ids=["lesson", "auto"])
def test_joint_scripts_print_the_joint_statistics(tmp_path, mask):
    stack, _ = load_stack(list(PHANTOM.values()), ["T1w", "b0"], mask=mask)
    code = joint_code(stack, Scope("volume"), (1, 0))
    assert code.lesson is (mask is None)
    out = run_script(code.script, PHANTOM, tmp_path).stdout
    X = make_features(stack.channels, Scope("volume"), stack.mask).X
    assert f"{len(X):,} voxels" in out
    r = float(re.search(r"Pearson r = (-?[\d.]+)", out).group(1))
    assert r == pytest.approx(np.corrcoef(X[:, 1], X[:, 0])[0, 1], abs=1e-4)
    assert f"b0: mean {X[:, 1].mean():.2f}" in out


def test_the_command_lines_notebook_rebuilds_its_labels(tmp_path):
    from neuroseg.cli import main

    out, book = tmp_path / "labels_cli.nii.gz", tmp_path / "run.ipynb"
    argv = ["segment", *map(str, PHANTOM.values()), "-k", "4", "--seed", "3", "--exact", "-o", str(out), "--notebook", str(book)]
    assert main(argv) == 0
    executed = run_notebook(book.read_text(), PHANTOM, tmp_path / "run")
    assert "label 4:" in printed(executed)
    np.testing.assert_array_equal(np.asarray(labels_written(tmp_path / "run").dataobj), np.asarray(nib.load(out).dataobj))


def test_channel_names_become_distinct_python_names():
    assert python_names(["T1w", "b0", "T1w", "2nd echo", "mask"]) == ("t1w", "b0", "t1w_2", "image_2nd_echo", "image_mask")
    # the reserved names are read from the generated code itself: its modules, its variables, Python's keywords
    assert python_names(["plt", "gmm", "class", "len"]) == ("image_plt", "image_gmm", "image_class", "image_len")


def test_a_dicom_series_script_reads_the_nifti_the_page_offers_and_rebuilds_the_labels(sample, tmp_path):
    from neuroseg.core.stack import stack_images
    from neuroseg.export.nifti import converted_nifti
    from neuroseg.io.archives import unzip
    from neuroseg.io.dicom import find_series
    from neuroseg.io.dicom_volume import load_series
    from neuroseg.testing.dicom import study_zip

    stack, _ = sample
    study = find_series("study.zip", unzip("study.zip", study_zip([(stack.channels[0], stack.affine, 3, "T1", 8.0, 3.7)])))
    image = load_series(study, 3)
    seg = segment(stack_images([image], ["series 3_T1w"]), Scope("volume"), 3, 12345)
    reproduction = segment_code(seg, Scope("volume"))
    assert reproduction.inputs == ("series_3.nii.gz",)
    converted_nifti(image).to_filename(tmp_path / "series_3.nii.gz")
    run_script(reproduction.script, {"series_3.nii.gz": tmp_path / "series_3.nii.gz"}, tmp_path / "run")
    assert_same_labels(labels_written(tmp_path / "run"), seg)
