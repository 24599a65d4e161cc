"""Real whole heads for tests and benchmarks: Colin27 from Debian's ``mricron-data``, moved out of MNI space.

Colin27 (``ch2.nii.gz``, one subject's T1 averaged over 27 scans, with its
BET brain ``ch2bet.nii.gz``) is a head nobody here made. The tests never use
it as a template: they tilt, shift and reorient it, resample it to other
voxel sizes and add noise and a coil-like bias field, as a scanner's export
would be, and score the extracted brain against its BET brain carried along.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.orientations import apply_orientation, axcodes2ornt, inv_ornt_aff, ornt_transform
from scipy import ndimage

from neuroseg.models.registration import rotation

TEMPLATES = Path("/usr/share/mricron/templates")
HEAD, BRAIN = TEMPLATES / "ch2.nii.gz", TEMPLATES / "ch2bet.nii.gz"


@dataclass(frozen=True)
class Head:
    """A head image and its BET brain on the same grid."""

    image: nib.Nifti1Image
    brain: np.ndarray

    @property
    def data(self) -> np.ndarray:
        return np.asarray(self.image.dataobj, dtype=np.float64)


def moved_head(
    tilt: tuple[float, float, float] = (0.0, 0.0, 0.0), shift: tuple[float, float, float] = (0.0, 0.0, 0.0),
    zooms: tuple[float, float, float] = (1.0, 1.0, 1.0), axcodes: str = "RAS", noise: float = 0.0,
    bias: float = 0.0, dtype=np.int16, seed: int = 0,
) -> Head:  # fmt: skip
    """Colin27 in the scanner's frame: the head turned by ``tilt`` and moved by ``shift`` (mm) in the world,
    resampled onto a grid of ``zooms`` stored as ``axcodes``, with Rician-like noise (a fraction of its
    99th percentile) and a smooth multiplicative field of strength ``bias``.
    """
    head, brain = nib.load(HEAD), nib.load(BRAIN)
    rigid = np.eye(4)
    rigid[:3, :3], rigid[:3, 3] = rotation(np.radians(tilt)), shift
    # the output grid: the moved head's bounding box at the new voxel size, axes RAS first
    corners = np.array(np.meshgrid(*[[0, n - 1] for n in head.shape], indexing="ij")).reshape(3, -1)
    world = (rigid @ head.affine @ np.vstack([corners, np.ones(8)]))[:3]
    low, high = world.min(axis=1), world.max(axis=1)
    shape = tuple(int(np.ceil((h - l) / z)) + 1 for l, h, z in zip(low, high, zooms))
    affine = np.diag(list(zooms) + [1.0])
    affine[:3, 3] = low
    source = np.linalg.inv(rigid @ head.affine) @ affine  # output voxel -> source voxel
    moved = ndimage.affine_transform(np.asarray(head.dataobj, np.float32), source[:3, :3], source[:3, 3], shape, order=1)
    inside = ndimage.affine_transform((np.asarray(brain.dataobj) > 0).astype(np.float32), source[:3, :3], source[:3, 3],
                                      shape, order=1) > 0.5  # fmt: skip
    rng = np.random.default_rng(seed)
    if bias:
        grid = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
        moved = moved * np.exp(bias * (0.6 * grid[0] + 0.3 * grid[1] ** 2 - 0.5 * grid[2] * grid[0]))
    if noise:
        sigma = noise * np.percentile(moved, 99)
        moved = np.sqrt((moved + rng.normal(0, sigma, shape)) ** 2 + rng.normal(0, sigma, shape) ** 2)
    turn = ornt_transform(axcodes2ornt("RAS"), axcodes2ornt(tuple(axcodes)))
    stored = apply_orientation(moved, turn)
    affine = affine @ inv_ornt_aff(turn, shape)
    data = np.round(stored).astype(dtype) if np.issubdtype(dtype, np.integer) else stored.astype(dtype)
    image = nib.Nifti1Image(data, affine)
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    assert tuple(nib.aff2axcodes(affine)) == tuple(axcodes)
    return Head(image, apply_orientation(inside, turn))


@dataclass(frozen=True)
class BrainScores:
    """A brain mask against a reference brain, scored so that brain definitions may differ (issue 19's targets)."""

    dice: float
    core_kept: float
    """Share of the reference's core (the reference eroded by 3 mm) inside the mask."""
    beyond: float
    """Share of the mask's volume farther than 4 mm outside the reference (scalp, skull, eyes, neck)."""
    volume_ratio: float


def brain_scores(mask: np.ndarray, reference: np.ndarray, zooms) -> BrainScores:
    """Dice, core kept and volume beyond, with distances in mm on the grid's own voxel sizes."""
    inside = ndimage.distance_transform_edt(reference, sampling=zooms)
    outside = ndimage.distance_transform_edt(~reference, sampling=zooms)
    core = inside > 3.0
    return BrainScores(
        dice=float(2 * (mask & reference).sum() / (mask.sum() + reference.sum())),
        core_kept=float((mask & core).sum() / core.sum()),
        beyond=float((mask & (outside > 4.0)).sum() / max(mask.sum(), 1)),
        volume_ratio=float(mask.sum() / reference.sum()),
    )
