"""Array axes and the anatomical plane that slicing each one shows."""

from __future__ import annotations

import numpy as np
from nibabel.orientations import io_orientation

AXES = ("x", "y", "z")
_PLANES = {0: "sagittal", 1: "coronal", 2: "axial"}


def axis_planes(affine: np.ndarray) -> dict[str, str]:
    """Name the plane that slicing each array axis shows.

    Slicing across the array axis that runs left-right shows a sagittal
    plane, across anterior-posterior a coronal one, across inferior-superior
    an axial one.

    Parameters
    ----------
    affine : ndarray
        4x4 voxel-to-world affine.

    Returns
    -------
    dict
        ``{"x": plane, "y": plane, "z": plane}``.
    """
    ornt = io_orientation(affine)
    return {axis: _PLANES[int(ornt[i, 0])] for i, axis in enumerate(AXES)}
