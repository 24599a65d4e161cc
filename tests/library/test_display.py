import numpy as np
import pytest
from nibabel.orientations import apply_orientation, axcodes2ornt, inv_ornt_aff, ornt_transform

from neuroseg.core.axes import axis_planes
from neuroseg.viz.orientation import slice_view

RAS = np.diag([2.0, 3.0, 4.0, 1.0])


def reoriented(data, affine, codes):
    """The same image stored in another voxel order (e.g. LPS with axes swapped)."""
    transform = ornt_transform(axcodes2ornt("RAS"), axcodes2ornt(codes))
    return apply_orientation(data, transform), affine @ inv_ornt_aff(transform, data.shape)


@pytest.mark.parametrize("codes", ["LPS", "ASR", "PIL", "RAS"])
@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_display_shows_the_same_world_picture_whatever_the_voxel_order(codes, plane):
    data = np.arange(5 * 6 * 7, dtype=float).reshape(5, 6, 7)
    ras_axis = {"sagittal": "x", "coronal": "y", "axial": "z"}[plane]
    ras_view = slice_view(RAS, ras_axis)
    expected = ras_view.apply(np.take(data, 2, axis="xyz".index(ras_axis)))

    other, affine = reoriented(data, RAS, codes)
    axis = next(a for a, p in axis_planes(affine).items() if p == plane)
    # the voxel at RAS index 2 along the plane normal, in the other order
    world = RAS @ np.array([2, 2, 2, 1.0])
    index = int(round((np.linalg.inv(affine) @ world)["xyz".index(axis)]))
    view = slice_view(affine, axis)
    np.testing.assert_array_equal(view.apply(np.take(other, index, axis="xyz".index(axis))), expected)
    assert (view.row_mm, view.col_mm) == (ras_view.row_mm, ras_view.col_mm)
    assert view.plane == plane


def test_axial_view_has_anterior_up_and_right_on_the_right():
    view = slice_view(RAS, "z")
    assert (view.top, view.bottom, view.left, view.right) == ("A", "P", "L", "R")
    data = np.zeros((5, 6))
    data[4, 5] = 1  # most right (x) and most anterior (y)
    shown = view.apply(data)
    assert shown[0, -1] == 1 and shown.shape == (6, 5)
    assert (view.row_mm, view.col_mm) == (3.0, 2.0)
