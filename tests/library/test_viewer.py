"""The crosshair maths: planes through a voxel, clicks mapped back to voxels in every orientation, the readout."""

import itertools

import nibabel as nib
import numpy as np
import pytest

from neuroseg.testing import ROOT
from neuroseg.viz.crosshair import crosshair_position, parse_voxel, plane, readout, voxel_at
from neuroseg.viz.orientation import slice_view


def all_orientations():
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((-1, 1), repeat=3):
            affine = np.eye(4)
            affine[:3, :3] = 0
            for column, (row, sign) in enumerate(zip(perm, signs)):
                affine[row, column] = sign * (column + 1.0)
            yield affine


@pytest.mark.parametrize("axis", ["x", "y", "z"])
def test_a_click_on_the_crosshair_pixel_lands_on_the_crosshair_voxel_in_every_orientation(axis):
    shape = (5, 6, 7)
    volume = np.arange(np.prod(shape)).reshape(shape)
    for affine in all_orientations():
        view = slice_view(affine, axis)
        for voxel in [(0, 0, 0), (4, 5, 6), (1, 3, 2)]:
            row, col = crosshair_position(view, voxel, shape)
            assert voxel_at(view, voxel, row, col, shape) == voxel
            shown = view.apply(plane(volume, axis, voxel))
            assert shown[row, col] == volume[voxel]  # the picture shows that voxel under the crosshair


def test_a_click_elsewhere_moves_only_the_in_plane_coordinates(sample):
    stack, _ = sample
    view = slice_view(stack.affine, "z")  # axial: rows run anterior to posterior, columns left to right
    moved = voxel_at(view, (49, 58, 47), 0, 0, stack.shape)
    assert moved[2] == 47 and moved != (49, 58, 47)
    world = stack.affine @ np.array([*moved, 1.0])
    centre = stack.affine @ np.array([49, 58, 47, 1.0])
    assert world[0] < centre[0] and world[1] > centre[1]  # the top-left corner is left and anterior


def test_parse_voxel_refuses_what_is_not_a_voxel_of_the_grid():
    assert parse_voxel("1,2,3", (5, 5, 5)) == (1, 2, 3)
    assert parse_voxel(" 1, 2 ,3", (5, 5, 5)) == (1, 2, 3)
    for bad in ("1,2", "a,b,c", "1,2,5", "-1,0,0", "1,2,3,4", ""):
        assert parse_voxel(bad, (5, 5, 5)) is None


def test_the_readout_matches_nibabel_at_the_voxel(sample):
    stack, _ = sample
    voxel = (30, 70, 40)
    rows = dict(readout(voxel, stack.affine, stack.channels, stack.names, 2, 0.8771, ("CSF", "GM", "WM")))
    t1 = nib.load(ROOT / "data" / "phantom_t1w.nii.gz")
    assert rows["T1w"] == f"{t1.get_fdata()[voxel]:.6g}"
    world = nib.affines.apply_affine(t1.affine, voxel)
    assert rows["world (x, y, z) mm"] == ", ".join(f"{w:.1f}" for w in world)
    assert rows["label"] == "2 (GM)" and rows["posterior of that label"] == "0.877"


def test_the_readout_adds_mni_coordinates_when_a_registration_gives_them():
    from neuroseg.viz.crosshair import readout

    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    to_mni = np.array([[2.0, 0, 0, -90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
    volume = np.zeros((3, 4, 5))
    rows = dict(readout((1, 2, 3), affine, [volume], ["T1"], voxel_to_mni=to_mni))
    assert rows["MNI (x, y, z) mm"] == "-88.0, -122.0, -66.0"
    assert "MNI (x, y, z) mm" not in dict(readout((1, 2, 3), affine, [volume], ["T1"]))
