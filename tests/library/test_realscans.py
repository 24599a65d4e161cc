"""The tissue model on a real scan (IBSR18, read from ../shared/data): a few bright millilitres never take a class."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from neuroseg.models.tissue import bright_outliers, fit_tissue_model
from neuroseg.testing import ROOT

pytestmark = pytest.mark.slow  # tissue-model fits of real 1.3-million-voxel scans

IBSR = ROOT.parent / "shared" / "data" / "ibsr18"


@pytest.fixture(scope="module")
def scan():
    """IBSR_04: a real skull-stripped T1 (int16, 0.94 x 1.5 x 0.94 mm) and its manual labels."""
    folder = IBSR / "IBSR_04"
    if not folder.exists():
        pytest.fail(f"{folder} is missing: the tests read IBSR18 from ../shared/data (see its README)")
    image = nib.load(folder / "IBSR_04.nii.gz")
    truth = np.squeeze(np.asarray(nib.load(folder / "IBSR_04_seg.nii.gz").dataobj))
    return np.squeeze(image.get_fdata()), truth, tuple(float(z) for z in image.header.get_zooms()[:3])


def ball(shape, spacing, centre, ml: float) -> np.ndarray:
    radius = (ml * 1000 * 3 / (4 * np.pi)) ** (1 / 3)
    grid = np.indices(shape).transpose(1, 2, 3, 0) * np.array(spacing)
    return np.linalg.norm(grid - np.array(centre) * np.array(spacing), axis=-1) <= radius


def tissue_labels(volume, spacing) -> np.ndarray:
    mask = volume > 0
    result = fit_tissue_model(volume[mask][:, None], mask, 3, 0, bias_correct=True, beta=15, spacing=spacing)
    labels = np.zeros(volume.shape, np.uint8)
    labels[mask] = result.labels
    return labels


def dice(a, b) -> float:
    return float(2 * np.sum(a & b) / (a.sum() + b.sum()))


def test_a_bright_ball_inside_the_brain_takes_no_class_and_leaves_white_matter_as_it_was(scan):
    volume, truth, spacing = scan
    assert not bright_outliers(volume[volume > 0][:, None]).any()  # the guard is idle on the clean scan
    inside = ball(volume.shape, spacing, np.argwhere(truth == 3).mean(axis=0).astype(int), 3.0)
    planted = np.where(inside, 2.5 * volume.max(), volume)
    clean, with_ball = tissue_labels(volume, spacing), tissue_labels(planted, spacing)
    away = ~inside
    wm = [dice((labels == 3) & away, (truth == 3) & away) for labels in (clean, with_ball)]
    assert abs(wm[1] - wm[0]) <= 0.01 and wm[1] > 0.75, wm
    assert {1, 2, 3} <= set(np.unique(with_ball[away & (planted > 0)]))  # three tissues remain


def test_small_bright_blobs_beside_the_brain_leave_its_white_matter_volume(scan):
    volume, truth, spacing = scan
    empty = np.argwhere((volume == 0) & (np.indices(volume.shape)[0] > 5))
    corner = empty[np.argmin(np.linalg.norm(empty - np.array(volume.shape) * [0.1, 0.5, 0.5], axis=1))]
    blobs = ball(volume.shape, spacing, corner, 2.0) | ball(volume.shape, spacing, corner + [0, 0, 30], 5.0)
    blobs &= volume == 0
    planted = np.where(blobs, 2.0 * volume.max(), volume)
    clean, with_blobs = tissue_labels(volume, spacing), tissue_labels(planted, spacing)
    wm_clean, wm_blobs = int(((clean == 3) & ~blobs).sum()), int(((with_blobs == 3) & ~blobs).sum())
    assert abs(wm_blobs - wm_clean) <= 0.05 * wm_clean, (wm_clean, wm_blobs)
