"""The MNI152 template's brain registered onto an extracted brain: one affine per image, and its quality check (DESIGN 3.12).

The template (nilearn's MNI152 2009a T1 and brain mask, 2 mm, in ``data/``)
is brain only, so it is registered onto the *extracted* brain (registered to
a whole head it is pulled onto the skull). The affine (12 parameters:
translation, rotation, scales, shears) maps MNI millimetres to the image's
world millimetres and is found in two steps:

1. a start from the two brains' centres and volumes (no rotation: both are
   in world RAS coordinates, whatever the image's voxel order);
2. Powell's method on the Pearson correlation of the template's intensities
   with the image's (zero outside its brain, box-averaged to about 2 mm) at
   the template's brain voxels, on a coarse grid of them (every 8 mm, then
   every 6 mm: every 4 mm took twice as long for a template-mask Dice of 0.951
   instead of 0.949 on a moved Colin27).

The correlation it ends with is the quality check: a brain's anatomy
correlates with the template's, a blob or an ellipsoid of one intensity does
not, whatever shape the extraction gave it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from scipy import ndimage, optimize

from neuroseg.core.samples import BUNDLED_DIR

TEMPLATE_T1 = BUNDLED_DIR / "mni152_t1.nii.gz"
TEMPLATE_MASK = BUNDLED_DIR / "mni152_brain_mask.nii.gz"
MIN_CORRELATION = 0.5
"""A registration whose correlation with the template ends below this is not a brain's (BENCHMARKS.md)."""
STEPS_MM = (8, 6)


@dataclass(frozen=True)
class Registration:
    """The template registered onto an image.

    Attributes
    ----------
    mni_to_world : ndarray
        4x4 affine from MNI millimetres to the image's world millimetres.
    correlation : float
        Pearson correlation of the template's and the image's intensities inside the template's brain, after registration.
    """

    mni_to_world: np.ndarray
    correlation: float

    def voxel_to_mni(self, affine: np.ndarray) -> np.ndarray:
        """4x4 affine from the image's voxel indices to MNI millimetres (``affine`` is the image's voxel-to-world)."""
        return np.linalg.inv(self.mni_to_world) @ affine


@functools.cache
def _template() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The template's T1 and brain mask on its grid, and its affine (read once, read-only)."""
    t1, mask = nib.load(TEMPLATE_T1), nib.load(TEMPLATE_MASK)
    arrays = np.asarray(t1.dataobj, np.float64), np.asarray(mask.dataobj) > 0, t1.affine
    for array in arrays:
        array.flags.writeable = False
    return arrays


def template_coordinates(voxel_to_mni: np.ndarray, voxels: np.ndarray, template_affine: np.ndarray) -> np.ndarray:
    """(3, n) voxel coordinates on a template grid (``template_affine``: its voxel-to-MNI) of (n, 3) image voxels."""
    to_template = np.linalg.inv(template_affine) @ np.asarray(voxel_to_mni, dtype=np.float64)
    return to_template[:3, :3] @ np.asarray(voxels, dtype=np.float64).T + to_template[:3, 3:]


def template_brain(voxel_to_mni: np.ndarray, voxels: np.ndarray) -> np.ndarray:
    """Whether each of (n, 3) image voxels lies inside the template's brain, through a voxel-to-MNI affine."""
    _, brain, template_affine = _template()
    coordinates = template_coordinates(voxel_to_mni, voxels, template_affine)
    return ndimage.map_coordinates(brain.astype(np.float32), coordinates, order=1, mode="constant") > 0.5


def rotation(angles) -> np.ndarray:
    """A 3x3 rotation about x, then y, then z, by ``angles`` in radians."""
    out = np.eye(3)
    for axis, angle in enumerate(angles):
        c, s = np.cos(angle), np.sin(angle)
        i, j = [a for a in range(3) if a != axis]
        r = np.eye(3)
        r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
        out = r @ out
    return out


def _world(affine: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """(n, 3) points ``indices`` taken through a 4x4 affine."""
    return (affine[:3, :3] @ indices.T).T + affine[:3, 3]


def _parameters_to_affine(p: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """12 parameters (shift mm, rotation rad, log scales, shears) as an affine that turns and scales about ``centre``."""
    shift, angles, scales, shears = p[:3], p[3:6], np.exp(p[6:9]), p[9:12]
    shear = np.eye(3)
    shear[0, 1], shear[0, 2], shear[1, 2] = shears
    linear = rotation(angles) @ np.diag(scales) @ shear
    out = np.eye(4)
    out[:3, :3] = linear
    out[:3, 3] = centre + shift - linear @ centre
    return out


def register_template(volume: np.ndarray, affine: np.ndarray, brain: np.ndarray) -> Registration:
    """Register the MNI152 template's brain onto the extracted brain of an image.

    Parameters
    ----------
    volume : ndarray
        The image's intensities (3-D, its own voxel order).
    affine : ndarray
        Its voxel-to-world affine.
    brain : ndarray of bool
        The extracted brain on the same grid.

    Returns
    -------
    Registration
    """
    t1, template_mask, template_affine = _template()
    template_centre = _world(template_affine, np.argwhere(template_mask)).mean(axis=0)
    image_points = np.argwhere(brain)
    image_centre = _world(affine, image_points).mean(axis=0)
    voxel_ml = abs(np.linalg.det(affine[:3, :3])) / 1000
    template_ml = abs(np.linalg.det(template_affine[:3, :3])) / 1000
    scale = np.log((brain.sum() * voxel_ml) / (template_mask.sum() * template_ml)) / 3
    image = np.where(brain, np.nan_to_num(np.asarray(volume, np.float64)), 0.0)
    # the brain at about the template's 2 mm: a box mean on every f-th voxel (f voxels of the image's size)
    factor = tuple(max(1, int(round(2.0 / z))) for z in np.sqrt((affine[:3, :3] ** 2).sum(axis=0)))
    box = ndimage.uniform_filter(image, size=factor, origin=[-(f // 2) for f in factor], mode="constant")
    image = box[tuple(slice(None, None, f) for f in factor)]  # sample j averages voxels f*j .. f*j + f - 1
    coarse = np.diag(list(factor) + [1.0])
    coarse[:3, 3] = [(f - 1) / 2 for f in factor]
    to_voxels = np.linalg.inv(affine @ coarse)
    start = np.zeros(12)
    start[:3] = image_centre - template_centre
    start[6:9] = scale
    for step in STEPS_MM:
        stride = max(1, int(round(step / abs(template_affine[0, 0]))))
        grid = np.zeros(template_mask.shape, bool)
        grid[::stride, ::stride, ::stride] = True
        points = np.argwhere(template_mask & grid)
        mni = _world(template_affine, points)
        values = t1[tuple(points.T)]
        values = (values - values.mean()) / values.std()

        def cost(p: np.ndarray) -> float:
            world = _world(_parameters_to_affine(p, template_centre), mni)
            sampled = ndimage.map_coordinates(image, _world(to_voxels, world).T, order=1, mode="constant")
            spread = sampled.std()
            return 1.0 if spread == 0 else -float(values @ (sampled - sampled.mean())) / (len(values) * spread)

        start = optimize.minimize(cost, start, method="Powell", options={"xtol": 1e-2, "ftol": 1e-3}).x
    mni_to_world = _parameters_to_affine(start, template_centre)
    return Registration(mni_to_world, -cost(start))
