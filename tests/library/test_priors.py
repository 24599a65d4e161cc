"""Template tissue priors (``--priors template``): the maps carried onto an image, and the tissue model that uses them."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from neuroseg.analysis.brain import registered
from neuroseg.analysis.pipeline import load_stack
from neuroseg.analysis.segment import segment
from neuroseg.core.features import Scope
from neuroseg.core.samples import DATA_DIR
from neuroseg.errors import InputError
from neuroseg.models import FitOptions
from neuroseg.models.priors import FLOOR, template_priors

LABELS = DATA_DIR / "phantom_labels.nii.gz"


def _dice(a: np.ndarray, b: np.ndarray, label: int) -> float:
    return 2 * ((a == label) & (b == label)).sum() / ((a == label).sum() + (b == label).sum())


def test_the_priors_of_an_image_in_mni_space_are_the_templates_tissues():
    labels = nib.load(LABELS)
    truth = np.asarray(labels.dataobj)
    voxels = np.argwhere(np.ones(truth.shape, bool))
    priors = template_priors(labels.affine, voxels)  # the phantom's grid is the template's
    assert priors.shape == (3, truth.size) and priors.dtype == np.float32
    np.testing.assert_allclose(priors.sum(axis=0), 1.0, atol=1e-5)
    brain = (truth > 0).ravel()
    most_likely = priors.argmax(axis=0) + 1
    for label in (1, 2, 3):
        assert _dice(most_likely[brain], truth.ravel()[brain], label) > 0.99
    np.testing.assert_allclose(priors[:, ~brain], 1 / 3, atol=1e-6)  # outside the template's brain, only the floor
    assert priors[:, brain].min() >= FLOOR / (1 + 3 * FLOOR) - 1e-6  # every tissue stays possible


def test_the_priors_follow_the_image_whatever_its_voxel_order():
    labels = nib.load(LABELS)
    stored = labels.as_reoriented([[1, -1], [2, 1], [0, -1]])  # stored as (y, z, x), two axes flipped
    voxels = np.argwhere(np.ones(stored.shape, bool))
    priors = template_priors(stored.affine, voxels)
    truth = np.asarray(stored.dataobj).ravel()
    brain = truth > 0
    for label in (1, 2, 3):
        assert _dice(priors.argmax(axis=0)[brain] + 1, truth[brain], label) > 0.99


def test_priors_need_a_registered_brain_and_three_classes(pair_files, tmp_path):
    paths, _ = pair_files
    stack, _ = load_stack(paths)
    with pytest.raises(InputError, match=r"priors='template'.*lesson's rule or 'auto'.*mask 'brain'"):
        segment(stack, Scope("volume"), 3, 1, FitOptions(priors="template"))
    mask = tmp_path / "brain_mask.nii.gz"
    truth = nib.load(LABELS)
    nib.save(nib.Nifti1Image((np.asarray(truth.dataobj) > 0).astype(np.uint8), truth.affine), mask)
    stack, _ = load_stack([DATA_DIR / "phantom_t1w.nii.gz"], mask=str(mask))
    with pytest.raises(InputError, match=r"priors='template'.*needs k = 3, not k = 4"):
        segment(stack, Scope("slice", "z", 40), 4, 1, FitOptions(priors="template"))
    with pytest.raises(InputError, match="priors='spm': must be one of 'off', 'template'"):
        FitOptions(priors="spm")


def test_a_brain_mask_file_is_registered_for_the_priors_and_the_model_uses_them(tmp_path):
    truth_image = nib.load(LABELS)
    truth = np.asarray(truth_image.dataobj)
    mask = tmp_path / "brain_mask.nii.gz"
    nib.save(nib.Nifti1Image((truth > 0).astype(np.uint8), truth_image.affine), mask)
    stack, _ = load_stack([DATA_DIR / "phantom_t1w.nii.gz"], mask=str(mask))
    assert stack.mask.voxel_to_mni is None
    moved = registered(stack)
    np.testing.assert_allclose(moved.mask.voxel_to_mni, stack.affine, atol=1.0)  # the phantom is in MNI space
    options = FitOptions(mrf=15, priors="template")
    assert options.model == "tissue" and "the template's tissue priors" in options.describe()
    with_priors = segment(stack, Scope("volume"), 3, 12345, options)
    without = segment(stack, Scope("volume"), 3, 12345, FitOptions(mrf=15))
    assert with_priors.settings["priors"] == "template" and with_priors.tissue_names == ("CSF", "GM", "WM")
    labels, plain = with_priors.label_volume(), without.label_volume()
    assert not np.array_equal(labels, plain)  # the priors take part
    for label in (1, 2, 3):  # and the result stays a segmentation of the same brain (CSF agrees least: 0.82)
        assert _dice(labels, truth, label) > 0.8 and _dice(labels, plain, label) > 0.8


@pytest.mark.slow
def test_the_tissue_model_from_a_head_with_priors_agrees_with_the_bet_brain_run(tilted_head, tmp_path, capsys):
    from neuroseg.cli import main

    head, _ = tilted_head
    nib.save(head.image, tmp_path / "head_T1w.nii.gz")
    nib.save(nib.Nifti1Image(head.brain.astype(np.uint8), head.image.affine), tmp_path / "bet.nii.gz")
    runs = {}
    for name, mask in (("brain", "brain"), ("bet", str(tmp_path / "bet.nii.gz"))):
        out = tmp_path / f"{name}.nii.gz"
        argv = ["segment", str(tmp_path / "head_T1w.nii.gz"), "-k", "3", "--mask", mask, "--bias-correct", "--mrf",
                "--priors", "template", "-o", str(out)]  # fmt: skip
        assert main(argv) == 0, capsys.readouterr().err
        runs[name] = np.asarray(nib.load(out).dataobj)
    both = (runs["brain"] > 0) & (runs["bet"] > 0)
    dice = [_dice(runs["brain"][both], runs["bet"][both], label) for label in (1, 2, 3)]
    assert dice[0] >= 0.85 and dice[1] >= 0.95 and dice[2] >= 0.95, dice
