"""The template's tissue probability maps carried onto an image: per-voxel prior class probabilities (DESIGN 3.12).

SPM's unified segmentation owes its robustness on real heads to tissue
probability maps registered to the subject. ``priors=template`` does the same
with the MNI152 2009a CSF, GM and WM maps that nilearn ships (``data/``, 2 mm):
each analysed voxel is taken into MNI space by the registration
(:mod:`neuroseg.models.registration`) and the maps are sampled there
(trilinear). A floor keeps every tissue possible everywhere, so that an
affine registration's few millimetres of misfit, or a brain larger than the
template's, cannot forbid a tissue the intensities plainly show.
"""

from __future__ import annotations

import functools

import nibabel as nib
import numpy as np
from scipy import ndimage

from neuroseg.core.samples import BUNDLED_DIR
from neuroseg.models.registration import template_coordinates

TEMPLATE_PRIORS = BUNDLED_DIR / "mni152_tissue_priors.nii.gz"
TISSUES = ("CSF", "GM", "WM")
FLOOR = 0.05
"""Added to each tissue's probability before they are normalised: outside the template's brain the prior is uniform."""


@functools.cache
def _maps() -> tuple[np.ndarray, np.ndarray]:
    """The template's CSF, GM and WM probabilities ((3, x, y, z) float32) and their voxel-to-MNI affine."""
    image = nib.load(TEMPLATE_PRIORS)
    return np.ascontiguousarray(np.moveaxis(image.get_fdata(dtype=np.float32), -1, 0)), image.affine


def template_priors(voxel_to_mni: np.ndarray, voxels: np.ndarray) -> np.ndarray:
    """Prior CSF, GM and WM probabilities of image voxels, from the registered template.

    Parameters
    ----------
    voxel_to_mni : ndarray
        4x4 affine from the image's voxel indices to MNI millimetres (:meth:`Registration.voxel_to_mni`).
    voxels : ndarray
        (n, 3) voxel indices of the image.

    Returns
    -------
    ndarray
        (3, n) float32, one row per tissue (CSF, GM, WM), each column summing to 1.
    """
    maps, affine = _maps()
    coordinates = template_coordinates(voxel_to_mni, voxels, affine)
    out = np.empty((len(TISSUES), len(voxels)), dtype=np.float32)
    for j, tissue in enumerate(maps):
        ndimage.map_coordinates(tissue, coordinates, output=out[j], order=1, mode="constant", cval=0.0)
    out += FLOOR
    out /= out.sum(axis=0)
    return out
