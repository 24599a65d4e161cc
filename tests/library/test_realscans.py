"""The tissue model on real scans (IBSR18, from ../shared/data): better than the lesson's mixture; bright millilitres take no class.

IBSR data: the Center for Morphometric Analysis at Massachusetts General Hospital.
"""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from neuroseg.models import FitData, FitOptions, fit
from neuroseg.models.options import DEFAULT_BETA
from neuroseg.models.tissue import bright_outliers, fit_tissue_model
from neuroseg.testing import ROOT

pytestmark = pytest.mark.slow  # tissue-model fits of real 1.3-million-voxel scans

IBSR = ROOT.parent / "shared" / "data" / "ibsr18"


def read_scan(name: str):
    """A real skull-stripped T1 of IBSR18 (int16, 1.5 mm coronal slabs), its manual labels and its voxel size."""
    folder = IBSR / name
    if not folder.exists():
        pytest.fail(f"{folder} is missing: the tests read IBSR18 from ../shared/data (see its README)")
    image = nib.load(folder / f"{name}.nii.gz")
    truth = np.squeeze(np.asarray(nib.load(folder / f"{name}_seg.nii.gz").dataobj))
    return np.squeeze(image.get_fdata()), truth, tuple(float(z) for z in image.header.get_zooms()[:3])


@pytest.fixture(scope="module")
def scan():
    """IBSR_04, whose white matter the lesson's mixture gets right (0.88) and the first tissue model did not."""
    return read_scan("IBSR_04")


def ball(shape, spacing, centre, ml: float) -> np.ndarray:
    radius = (ml * 1000 * 3 / (4 * np.pi)) ** (1 / 3)
    grid = np.indices(shape).transpose(1, 2, 3, 0) * np.array(spacing)
    return np.linalg.norm(grid - np.array(centre) * np.array(spacing), axis=-1) <= radius


def tissue_labels(volume, spacing) -> np.ndarray:
    mask = volume > 0
    result = fit_tissue_model(volume[mask][:, None], mask, 3, 0, bias_correct=True, beta=DEFAULT_BETA, spacing=spacing)
    labels = np.zeros(volume.shape, np.uint8)
    labels[mask] = result.labels
    return labels


def dice(a, b) -> float:
    return float(2 * np.sum(a & b) / (a.sum() + b.sum()))


@pytest.mark.parametrize(
    "name",
    [
        "IBSR_04",  # the mixture is good here (GM / WM 0.88 / 0.88) and the model's WM furthest below it
        "IBSR_09",  # the mixture's worst GM (0.73): its CSF class sits in grey matter
        "IBSR_16",  # a bias field: no intensity threshold reaches WM 0.84, the field does
    ],
)
def test_the_tissue_model_beats_the_lessons_mixture_on_a_real_scan(name):
    volume, truth, spacing = read_scan(name)
    mask = volume > 0
    plain = fit(FitData(volume[mask][:, None]), 3, 0, FitOptions(mode="exact")).labels
    tissue = tissue_labels(volume, spacing)[mask]
    scores = {
        method: [dice(labels == c, truth[mask] == c) for c in (2, 3)] for method, labels in
        (("plain", plain), ("tissue", tissue))
    }  # fmt: skip
    (plain_gm, plain_wm), (gm, wm) = scores["plain"], scores["tissue"]
    assert gm >= plain_gm + 0.02 and gm > 0.84, scores
    assert wm >= plain_wm - 0.025 and wm > 0.85, scores  # IBSR_04 is the worst of ten: 0.021 below


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
