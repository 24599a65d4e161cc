"""The template registered onto an extracted brain: a real head lines up, a blob does not pass the quality check."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from neuroseg.models.registration import MIN_CORRELATION, _template, register_template


def warped_template_brain(registration, affine, shape) -> np.ndarray:
    """The template's brain mask carried onto an image's grid by the registration."""
    _, brain, template_affine = _template()
    to_template = np.linalg.inv(template_affine) @ registration.voxel_to_mni(affine)
    moved = ndimage.affine_transform(brain.astype(np.float32), to_template[:3, :3], to_template[:3, 3], shape, order=1)
    return moved > 0.5


def test_a_tilted_head_in_lps_lines_up_with_the_template(tilted_head):
    head, extraction = tilted_head
    registration = register_template(head.data, head.image.affine, extraction.mask)
    assert registration.correlation >= MIN_CORRELATION
    warped = warped_template_brain(registration, head.image.affine, head.data.shape)
    dice = 2 * (warped & head.brain).sum() / (warped.sum() + head.brain.sum())
    assert dice >= 0.9
    # the head was turned 12, -8, 15 degrees: the registration undoes it (a brain's own shape differs a little)
    linear = registration.mni_to_world[:3, :3]
    u, _, vt = np.linalg.svd(linear)
    turned = np.degrees(np.arccos((np.trace(u @ vt) - 1) / 2))
    assert 10 < turned < 30


def test_the_template_onto_itself_is_the_identity(mni152_sample):
    stack, _ = mni152_sample
    _, brain, _ = _template()
    registration = register_template(stack.channels[0], stack.affine, brain)
    assert registration.correlation > 0.95
    np.testing.assert_allclose(registration.mni_to_world, np.eye(4), atol=0.05 * 4)  # within a voxel's fraction


def test_an_ellipsoid_of_one_intensity_fails_the_check():
    rng = np.random.default_rng(0)
    g = np.mgrid[:80, :96, :80]
    ellipsoid = ((g[0] - 40) / 30) ** 2 + ((g[1] - 48) / 37) ** 2 + ((g[2] - 40) / 27) ** 2 < 1
    volume = ellipsoid * 500 + rng.normal(0, 50, ellipsoid.shape)
    registration = register_template(volume, np.diag([2.0, 2.0, 2.0, 1.0]), ellipsoid)
    assert registration.correlation < MIN_CORRELATION
