"""The crosshair: one voxel shared by every view, the planes through it, and what it reads (DESIGN 3.10).

The crosshair is a voxel ``(i, j, k)`` of the first image's array. Each of the
three orthogonal views shows the plane through it across one array axis,
turned for display by :class:`~neuroseg.viz.orientation.SliceView`; a click on a view
moves the crosshair within that plane.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuroseg.core.axes import AXES
from neuroseg.viz.orientation import SliceView


def centre(shape: Sequence[int]) -> tuple[int, int, int]:
    """The middle voxel of a volume."""
    return tuple(int(n) // 2 for n in shape[:3])


def parse_voxel(text: str, shape: Sequence[int]) -> tuple[int, int, int] | None:
    """``"i,j,k"`` as a voxel inside ``shape``, or None when it is not one."""
    parts = str(text).replace(" ", "").split(",")
    if len(parts) != 3:
        return None
    try:
        voxel = tuple(int(p) for p in parts)
    except ValueError:
        return None
    return voxel if all(0 <= v < n for v, n in zip(voxel, shape)) else None


def format_voxel(voxel: Sequence[int]) -> str:
    """The URL form of a voxel: ``"i,j,k"``."""
    return ",".join(str(int(v)) for v in voxel)


def plane(volume: np.ndarray, axis: str, voxel: Sequence[int]) -> np.ndarray:
    """The plane through ``voxel`` across array ``axis`` (a 2-D view, any trailing axes kept)."""
    a = AXES.index(axis)
    return volume[(slice(None),) * a + (int(voxel[a]),)]  # a view: np.take would copy the volume's worth of work


def _in_plane(axis: str) -> tuple[int, int]:
    a = AXES.index(axis)
    return tuple(i for i in range(3) if i != a)


def crosshair_position(view: SliceView, voxel: Sequence[int], shape: Sequence[int]) -> tuple[int, int]:
    """``(row, col)`` of the crosshair in the displayed plane across ``view.axis``."""
    p, q = _in_plane(view.axis)
    return view.to_display(int(voxel[p]), int(voxel[q]), (shape[p], shape[q]))


def voxel_at(view: SliceView, voxel: Sequence[int], row: int, col: int, shape: Sequence[int]) -> tuple[int, int, int]:
    """The voxel shown at ``(row, col)`` of the view through ``voxel`` (its own axis keeps its index)."""
    p, q = _in_plane(view.axis)
    height, width = (shape[q], shape[p]) if view.transpose else (shape[p], shape[q])
    row, col = int(np.clip(row, 0, height - 1)), int(np.clip(col, 0, width - 1))
    a, b = view.from_display(row, col, (shape[p], shape[q]))
    moved = list(int(v) for v in voxel)
    moved[p], moved[q] = a, b
    return tuple(moved)


def readout(
    voxel: Sequence[int],
    affine: np.ndarray,
    channels: Sequence[np.ndarray],
    names: Sequence[str],
    label: int | None = None,
    posterior: float | None = None,
    label_names: Sequence[str] | None = None,
    voxel_to_mni: np.ndarray | None = None,
) -> list[tuple[str, str]]:
    """What the crosshair reads: indices, world coordinates, every channel's value and, after a fit, its label.

    Parameters
    ----------
    voxel : (i, j, k)
    affine : ndarray
        The first image's voxel-to-world affine.
    channels, names : sequences
        The volumes and their channel names.
    label : int, optional
        The voxel's label after a fit (0 = outside the mask or the analysed scope).
    posterior : float, optional
        The posterior probability of that label at the voxel.
    label_names : sequence of str, optional
        Names of labels 1..k (e.g. CSF, GM, WM).
    voxel_to_mni : ndarray, optional
        4x4 affine from voxel indices to MNI millimetres (the template's registration), for an MNI row.

    Returns
    -------
    list of (field, value) text pairs
    """
    i, j, k = (int(v) for v in voxel)
    world = np.asarray(affine) @ np.array([i, j, k, 1.0])
    rows = [("voxel (i, j, k)", f"{i}, {j}, {k}"), ("world (x, y, z) mm", ", ".join(f"{w:.1f}" for w in world[:3]))]
    if voxel_to_mni is not None:
        mni = np.asarray(voxel_to_mni) @ np.array([i, j, k, 1.0])
        rows.append(("MNI (x, y, z) mm", ", ".join(f"{m:.1f}" for m in mni[:3])))
    rows += [(name, f"{float(channel[i, j, k]):.6g}") for name, channel in zip(names, channels)]
    if label is not None:
        if label == 0:
            rows.append(("label", "0 (outside the analysed voxels)"))
        else:
            name = f" ({label_names[label - 1]})" if label_names else ""
            rows.append(("label", f"{label}{name}"))
            if posterior is not None:
                rows.append(("posterior of that label", f"{posterior:.3f}"))
    return rows
