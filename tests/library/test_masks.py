"""Analysis masks: the lesson rule, the automatic foreground and mask images, in the library and the CLI."""

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage

from neuroseg.analysis.metrics import dice_per_tissue
from neuroseg.analysis.segment import segment
from neuroseg.cli import main
from neuroseg.core.features import Scope, make_features
from neuroseg.core.masks import auto_mask, mask_from_image, resolve_mask
from neuroseg.core.samples import load_sample_mask
from neuroseg.core.stack import with_mask
from neuroseg.errors import InputError
from neuroseg.io import load_bytes
from neuroseg.models import FitOptions
from neuroseg.testing.volumes import nifti_bytes


def noisy_head(seed=0):
    """A ball (bright core, darker shell) inside a Rician-noise background (no zeros).

    Returns the image, the object (voxels at least 30 % inside it) and its dark partial-volume rim.
    """
    rng = np.random.default_rng(seed)
    grid = np.indices((48, 48, 48)) - 23.5
    radius = np.sqrt((grid**2).sum(axis=0))
    fraction = np.clip(18 - radius, 0, 1)  # a one-voxel shell of partial volume
    signal = fraction * 300.0 + (radius < 12) * 300.0
    noisy = np.hypot(signal + rng.normal(0, 20, signal.shape), rng.normal(0, 20, signal.shape))
    return noisy, fraction >= 0.3, (fraction >= 0.3) & (fraction < 1)


def test_auto_keeps_the_whole_object_and_its_rim_and_drops_background_noise():
    image, inside, rim = noisy_head()
    mask = auto_mask(image)
    assert mask[inside].mean() >= 0.99
    assert mask[rim].mean() >= 0.95
    far = ~ndimage.binary_dilation(inside, iterations=2)
    assert mask[far].mean() <= 0.005
    assert image[~inside].min() > 0  # the lesson's rule would keep every background voxel


def test_auto_on_the_whole_head_template_contains_its_brain_mask(mni152_sample):
    stack, _ = mni152_sample
    brain = load_sample_mask("mni152").data > 0
    mask = auto_mask(stack.channels[0])
    assert mask[brain].mean() >= 0.995
    assert mask.mean() < 0.3 and not mask[0, 0, 0] and not mask[-1, -1, -1]
    lesson = make_features(stack.channels, Scope("volume")).mask
    assert lesson.sum() > 1.8 * mask.sum()  # "> 0" keeps the speckled background


def test_auto_on_a_skull_stripped_image_leaves_its_zero_background_out(sample):
    stack, _ = sample
    mask = auto_mask(stack.channels[0])
    lesson = make_features(stack.channels, Scope("volume")).mask
    assert not mask[stack.channels[0] == 0].any()
    assert mask[lesson].mean() == 1.0


def test_a_mask_on_another_grid_is_resampled_nearest_neighbour_with_a_notice(mni152_sample):
    stack, _ = mni152_sample
    brain = load_sample_mask("mni152")
    coarse = nib.Nifti1Image(brain.data[::2, ::2, ::2].astype(np.uint8), brain.affine @ np.diag([2, 2, 2, 1]))
    mask = mask_from_image(load_bytes(coarse.to_bytes(), "coarse_mask.nii"), stack.reference)
    assert mask.region.shape == stack.shape
    assert "coarse_mask.nii is on another grid" in mask.notices[0] and "nearest neighbour" in mask.notices[0]
    agreement = (mask.region == (brain.data > 0)).mean()
    assert agreement > 0.97


def test_an_empty_mask_is_refused_naming_the_mask_file(mni152_sample):
    stack, _ = mni152_sample
    empty = load_bytes(nifti_bytes(np.zeros(stack.shape, np.uint8), stack.affine), "empty_mask.nii")
    with pytest.raises(InputError, match="empty_mask.nii: is an empty mask"):
        resolve_mask("file", stack.channels, stack.reference, empty)


def test_a_mask_that_leaves_too_few_voxels_names_the_images_and_the_mask(mni152_sample):
    stack, _ = mni152_sample
    tiny = np.zeros(stack.shape, np.uint8)
    tiny[50, 60, 40:42] = 1
    image = load_bytes(nifti_bytes(tiny, stack.affine), "tiny_mask.nii")
    masked = with_mask(stack, resolve_mask("file", stack.channels, stack.reference, image))
    with pytest.raises(InputError, match=r"mni152_t1.nii.gz, tiny_mask.nii: only 2 voxels are inside the mask tiny_mask.nii"):
        segment(masked, Scope("volume"), 3, 0)


def test_the_brain_mask_turns_the_template_into_csf_gm_wm(mni152_sample):
    stack, truth = mni152_sample
    plain = segment(stack, Scope("volume"), 3, 12345, FitOptions(mode="exact"))
    brain = with_mask(stack, resolve_mask("file", stack.channels, stack.reference, load_sample_mask("mni152")))
    masked = segment(brain, Scope("volume"), 3, 12345, FitOptions(mode="exact"))
    outside = ~brain.mask.region
    assert not masked.label_volume()[outside].any()
    before = dice_per_tissue(truth, plain.label_volume(), ("CSF", "GM", "WM")).set_index("tissue")["dice"]
    after = dice_per_tissue(truth, masked.label_volume(), ("CSF", "GM", "WM")).set_index("tissue")["dice"]
    assert before["CSF"] < 0.1
    assert after["CSF"] > 0.7 and after["GM"] > 0.9 and after["WM"] > 0.93
    assert masked.settings["mask"] == "file" and masked.settings["mask_source"] == "mni152_brain_mask.nii.gz"


def test_cli_mask_auto_and_file(mni152_sample, tmp_path, capsys):
    stack, _ = mni152_sample
    t1 = tmp_path / "head.nii.gz"
    t1.write_bytes(nifti_bytes(stack.channels[0].astype(np.float32), stack.affine, gz=True))
    out = tmp_path / "auto.nii.gz"
    assert main(["segment", str(t1), "-k", "3", "--mask", "auto", "-o", str(out)]) == 0
    labels = np.asarray(nib.load(out).dataobj)
    np.testing.assert_array_equal(labels > 0, auto_mask(stack.channels[0]))
    coarse = tmp_path / "coarse_mask.nii.gz"
    brain = load_sample_mask("mni152")
    nib.save(nib.Nifti1Image(brain.data[::2, ::2, ::2].astype(np.uint8), brain.affine @ np.diag([2, 2, 2, 1])), coarse)
    out = tmp_path / "file.nii.gz"
    assert main(["segment", str(t1), "-k", "3", "--mask", str(coarse), "-o", str(out)]) == 0
    assert "note: The mask coarse_mask.nii.gz is on another grid" in capsys.readouterr().err
    empty = tmp_path / "empty.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros(stack.shape, np.uint8), stack.affine), empty)
    assert main(["segment", str(t1), "-k", "3", "--mask", str(empty), "-o", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "neuroseg: error: empty.nii.gz: is an empty mask: every voxel is 0. "
        "Use a mask with the region to analyse set to 1."
    )
