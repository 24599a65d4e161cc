import numpy as np
import pytest

from neuroseg.core.features import Scope, labels_to_image, make_features
from neuroseg.core.masks import lesson_mask
from neuroseg.errors import InputError
from neuroseg.testing.volumes import blobs


def test_lesson_semantics_on_a_synthetic_pair():
    a, b = blobs()
    a, b = a.astype(np.float64), b.astype(np.float64)
    features = make_features([a, b], Scope("slice", "z", 4))
    img1_slice, img2_slice = a[:, :, 4], b[:, :, 4]
    mask = (img1_slice > 0) & (img2_slice > 0)  # the recipe
    np.testing.assert_array_equal(features.mask, mask)
    np.testing.assert_array_equal(features.X, np.column_stack([img1_slice[mask], img2_slice[mask]]))
    labels = np.arange(1, len(features.X) + 1) % 3 + 1
    image = labels_to_image(labels, features.mask)
    np.testing.assert_array_equal(image[mask], labels)
    assert np.all(image[~mask] == 0) and image.dtype == np.uint8


def test_volume_scope_lists_voxels_in_c_order_and_embeds_back():
    a, b = blobs()
    features = make_features([a, b], Scope("volume"))
    mask = (a > 0) & (b > 0)
    np.testing.assert_array_equal(features.X[:, 0], a[mask].astype(np.float64))
    scope = Scope("slice", "x", 3)
    part = scope.extract(a)
    back = scope.embed(part, a.shape)
    np.testing.assert_array_equal(back[3], a[3])
    assert np.all(back[:3] == 0) and np.all(back[4:] == 0)


def test_non_finite_voxels_are_left_out_of_the_mask():
    a = np.ones((3, 3, 3))
    a[0, 0, 0], a[1, 1, 1] = np.nan, np.inf
    assert lesson_mask([a]).sum() == 25


def test_slice_outside_the_volume_is_a_clear_error():
    with pytest.raises(InputError, match=r"slice: 40 is outside the volume \(axis z has 0..9\)"):
        Scope("slice", "z", 40).extract(np.zeros((4, 4, 10)))


@pytest.mark.parametrize("axis", ["x", "y", "z"])
def test_plane_rows_are_the_rows_of_the_plane_voxels(axis):
    from neuroseg.core.features import plane_rows

    rng = np.random.default_rng(1)
    mask = rng.random((9, 11, 7)) > 0.4
    values = np.arange(1, mask.sum() + 1)  # each row's own number
    volume = np.zeros(mask.shape, dtype=int)
    volume[mask] = values
    for index in (0, 3, {"x": 8, "y": 10, "z": 6}[axis]):
        plane = Scope("slice", axis, index)
        inside, rows = plane_rows(mask, plane)
        np.testing.assert_array_equal(inside, plane.extract(mask))
        drawn = np.zeros(inside.shape, dtype=int)
        drawn[inside] = values[rows]
        np.testing.assert_array_equal(drawn, plane.extract(volume))


def test_volume_scopes_are_equal_whatever_slice_they_came_from():
    assert Scope("volume", "x", 40) == Scope("volume", "z", 3) == Scope("volume")
    assert hash(Scope("volume", "y", 7)) == hash(Scope("volume"))
    assert Scope("slice", "x", 40) != Scope("slice", "x", 41)
