"""What a 3-D view draws: small uint8 NIfTI volumes, a colour table per label, voxels in millimetres (DESIGN 3.15).

The browser renders the volumes itself (WebGL, in software on a machine
without a GPU), so what travels is the data, as compact as the view allows:
the image window-levelled to 0..255 with everything outside what is shown
set to 0, both files cropped to the box that holds what is shown (a brain
fills about 40 % of its grid, and the browser's work grows with the voxels),
the labels as they are. Each file holds the data and its affine only: no
description, no header fields of the source.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence

import nibabel as nib
import numpy as np

from neuroseg.viz.palette import label_colour
from neuroseg.viz.rasters import window


def content_box(mask: np.ndarray) -> tuple[slice, slice, slice]:
    """The smallest box of the grid that holds every True voxel of ``mask`` (the whole grid when there is none)."""
    box = []
    for axis in range(3):
        inside = np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != axis)))
        box.append(slice(int(inside[0]), int(inside[-1]) + 1) if len(inside) else slice(0, mask.shape[axis]))
    return tuple(box)


def scene_nifti(volume: np.ndarray, affine: np.ndarray, box: tuple[slice, ...] | None = None) -> bytes:
    """A uint8 volume (cropped to ``box``) as ``.nii.gz`` bytes with nothing but its affine (sform and qform, scanner space)."""
    if box is not None:
        volume = volume[box]
        affine = affine @ nib.affines.from_matvec(np.eye(3), [b.start for b in box])
    image = nib.Nifti1Image(np.asarray(volume, dtype=np.uint8), affine)
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    return gzip.compress(image.to_bytes(), compresslevel=6)


def display_volume(
    volume: np.ndarray, affine: np.ndarray, low: float, high: float, keep: np.ndarray | None = None
) -> bytes:
    """The image as the view shows it: window-levelled to 0..255, zero outside ``keep``, cropped to what is left.

    Parameters
    ----------
    volume : ndarray
        3-D intensities.
    affine : ndarray
        (4, 4) voxel-to-world matrix.
    low, high : float
        Display window: ``low`` and below become 0, ``high`` and above 255.
    keep : ndarray of bool, optional
        Voxels to draw (e.g. the analysis mask, so that a rendering shows the
        brain rather than the scalp); the rest become 0. The file is cropped
        to ``content_box(keep)``, or without it to the voxels above the window's low end.

    Returns
    -------
    bytes
        A gzipped NIfTI-1 file.
    """
    grey = window(volume, low, high)
    if keep is not None:
        grey[~keep] = 0
    return scene_nifti(grey, affine, content_box(grey > 0 if keep is None else keep))


def label_table(legend: Mapping[int, str], shown: Sequence[int] | None = None) -> dict[str, list]:
    """NiiVue's per-label colour table: each label in its palette colour, hidden labels transparent.

    Parameters
    ----------
    legend : mapping
        Label number -> name, as every other legend of the app.
    shown : sequence of int, optional
        The labels to draw; all when None.

    Returns
    -------
    dict
        ``R``, ``G``, ``B``, ``A`` (0..255), ``I`` (label numbers) and
        ``labels`` (names) lists, label 0 (outside) transparent.
    """
    numbers = [0, *sorted(legend)]
    table: dict[str, list] = {"R": [], "G": [], "B": [], "A": [], "I": numbers, "labels": ["outside"]}
    for number in numbers:
        colour = label_colour(number) if number else "#000000"
        for channel, start in zip("RGB", (1, 3, 5)):
            table[channel].append(int(colour[start : start + 2], 16))
        visible = number and (shown is None or number in shown)
        table["A"].append(255 if visible else 0)
        if number:
            table["labels"].append(legend[number])
    return table


def world_point(affine: np.ndarray, voxel: Sequence[int]) -> list[float]:
    """World (mm) coordinates of a voxel's centre."""
    return [float(v) for v in nib.affines.apply_affine(affine, np.asarray(voxel, dtype=float))]


def nearest_voxel(affine: np.ndarray, point_mm: Sequence[float], shape: Sequence[int]) -> tuple[int, int, int]:
    """The voxel whose centre is nearest a world point, kept inside the grid."""
    ijk = nib.affines.apply_affine(np.linalg.inv(affine), np.asarray(point_mm, dtype=float))
    return tuple(int(np.clip(round(float(c)), 0, n - 1)) for c, n in zip(ijk, shape[:3]))
