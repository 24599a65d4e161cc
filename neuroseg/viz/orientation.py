"""Show a slice of the voxel array the way a radiologist expects to see it.

Computation keeps each image's own voxel order (DESIGN 3.4); only what is
drawn is turned so that world +x (Right) is on the right, the top of the
picture is Anterior (axial) or Superior (coronal, sagittal), and pixels have
their physical aspect ratio. This is the neurological convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from nibabel.orientations import io_orientation

from neuroseg.core.axes import AXES

# plane normal (world axis) -> (horizontal world axis, vertical world axis)
_LAYOUT = {2: (0, 1), 1: (0, 2), 0: (1, 2)}
_PLANES = {0: "sagittal", 1: "coronal", 2: "axial"}
_POSITIVE = "RAS"
_NEGATIVE = "LPI"


@dataclass(frozen=True)
class SliceView:
    """How to turn a 2-D array slice for display.

    Attributes
    ----------
    axis : str
        Array axis the slice is taken across (``"x"``, ``"y"`` or ``"z"``).
    plane : str
        ``"axial"``, ``"coronal"`` or ``"sagittal"``.
    transpose, flip_rows, flip_cols : bool
        Operations that :meth:`apply` performs, in this order.
    row_mm, col_mm : float
        Physical height and width of one displayed pixel.
    top, bottom, left, right : str
        Anatomical direction letter at each edge of the displayed image.
    """

    axis: str
    plane: str
    transpose: bool
    flip_rows: bool
    flip_cols: bool
    row_mm: float
    col_mm: float
    top: str
    bottom: str
    left: str
    right: str

    def to_display(self, a: int, b: int, shape: tuple[int, int]) -> tuple[int, int]:
        """Where element ``[a, b]`` of a slice of ``shape`` lands in the displayed picture: ``(row, col)``."""
        row, col = (b, a) if self.transpose else (a, b)
        height, width = (shape[1], shape[0]) if self.transpose else shape
        return (height - 1 - row if self.flip_rows else row), (width - 1 - col if self.flip_cols else col)

    def from_display(self, row: int, col: int, shape: tuple[int, int]) -> tuple[int, int]:
        """The slice element ``(a, b)`` shown at ``(row, col)`` of the displayed picture (inverse of :meth:`to_display`)."""
        height, width = (shape[1], shape[0]) if self.transpose else shape
        row = height - 1 - row if self.flip_rows else row
        col = width - 1 - col if self.flip_cols else col
        return (col, row) if self.transpose else (row, col)

    def apply(self, array2d: np.ndarray) -> np.ndarray:
        """Turn a slice (or an RGB slice, channels last) for display."""
        out = np.swapaxes(array2d, 0, 1) if self.transpose else array2d
        if self.flip_rows:
            out = out[::-1]
        if self.flip_cols:
            out = out[:, ::-1]
        return out


def slice_view(affine: np.ndarray, axis: str) -> SliceView:
    """Work out the display transform for slices across ``axis``.

    Parameters
    ----------
    affine : ndarray
        4x4 voxel-to-world affine of the volume.
    axis : {"x", "y", "z"}
        Array axis (first, second, third) to slice across.

    Returns
    -------
    SliceView
    """
    ornt = io_orientation(affine)
    zooms = np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))
    s = AXES.index(axis)
    a, b = (i for i in range(3) if i != s)
    horizontal, vertical = _LAYOUT[int(ornt[s, 0])]
    transpose = int(ornt[a, 0]) != vertical
    row_axis, col_axis = (b, a) if transpose else (a, b)
    return SliceView(
        axis=axis,
        plane=_PLANES[int(ornt[s, 0])],
        transpose=transpose,
        flip_rows=ornt[row_axis, 1] > 0,
        flip_cols=ornt[col_axis, 1] < 0,
        row_mm=float(zooms[row_axis]),
        col_mm=float(zooms[col_axis]),
        top=_POSITIVE[vertical],
        bottom=_NEGATIVE[vertical],
        left=_NEGATIVE[horizontal],
        right=_POSITIVE[horizontal],
    )
