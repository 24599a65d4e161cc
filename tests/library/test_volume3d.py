"""What the 3-D view draws: its volume files, its colour table, its millimetres, and where NiiVue comes from."""

from __future__ import annotations

import gzip

import nibabel as nib
import numpy as np
import pytest
from scipy.stats import norm

from neuroseg.analysis.segment import segment
from neuroseg.core.features import Scope
from neuroseg.ui.view3d import niivue_folder
from neuroseg.viz.figures import mixture_histogram_figure
from neuroseg.viz.palette import label_colour
from neuroseg.viz.volume3d import content_box, display_volume, label_table, nearest_voxel, scene_nifti, world_point


def read(data: bytes) -> nib.Nifti1Image:
    return nib.Nifti1Image.from_bytes(gzip.decompress(data))


def test_display_volume_is_the_windowed_image_zero_outside_what_is_kept_and_cropped_to_it():
    affine = np.array([[-1.2, 0, 0, 90], [0, 1.0, 0.2, -126], [0, 0, 1.5, -72], [0, 0, 0, 1]])
    volume = np.linspace(0, 1000, 8 * 9 * 10).reshape(8, 9, 10)
    keep = np.zeros(volume.shape, bool)
    keep[2:6, 3:9, 1:4] = volume[2:6, 3:9, 1:4] > 300
    image = read(display_volume(volume, affine, 200.0, 800.0, keep=keep))
    data = np.asarray(image.dataobj)
    box = content_box(keep)
    assert data.dtype == np.uint8 and data.shape == volume[box].shape == (4, 6, 3)
    for corner in [(0, 0, 0), (3, 5, 2)]:  # every voxel keeps its place in the world
        source = tuple(c + b.start for c, b in zip(corner, box))
        np.testing.assert_allclose(world_point(image.affine, corner), world_point(affine, source), atol=1e-4)
    inside, grey = keep[box], volume[box]
    assert data[~inside].max() == 0
    np.testing.assert_array_equal(data[inside], np.clip((grey[inside] - 200) / 600 * 255, 0, 255).astype(np.uint8))


def test_without_a_mask_the_image_is_cropped_to_what_the_window_shows():
    volume = np.zeros((20, 20, 20))
    volume[5:15, 4:8, 10:12] = 500.0
    image = read(display_volume(volume, np.eye(4), 100.0, 600.0))
    assert image.shape == (10, 4, 2) and np.asarray(image.dataobj).min() > 0
    assert content_box(np.zeros((3, 4, 5), bool)) == (slice(0, 3), slice(0, 4), slice(0, 5))


def test_scene_files_carry_nothing_but_data_and_affine(sample):
    stack, _ = sample
    image = read(scene_nifti(np.ones(stack.shape, np.uint8), stack.affine))
    assert image.header["descrip"].item() == b"" and image.header["db_name"].item() == b""
    assert not image.header.extensions and image.header["aux_file"].item() == b""


def test_label_table_gives_every_label_its_palette_colour_and_hides_what_is_not_shown():
    table = label_table({1: "CSF", 2: "GM", 3: "WM"}, shown=[1, 3])
    assert table["I"] == [0, 1, 2, 3] and table["labels"] == ["outside", "CSF", "GM", "WM"]
    assert table["A"] == [0, 255, 0, 255]
    for label in (1, 2, 3):
        colour = label_colour(label)
        assert [table[c][label] for c in "RGB"] == [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    assert label_table({1: "cluster 1", 2: "cluster 2"})["A"] == [0, 255, 255]


def test_a_voxel_goes_to_millimetres_and_back_on_an_oblique_grid():
    rotation = nib.eulerangles.euler2mat(0.3, -0.2, 0.1)
    affine = nib.affines.from_matvec(rotation @ np.diag([0.9, 1.0, 1.5]), [-80.0, -110.0, -60.0])
    for voxel in [(0, 0, 0), (17, 3, 40), (63, 63, 41)]:
        assert nearest_voxel(affine, world_point(affine, voxel), (64, 64, 42)) == voxel
    far = world_point(affine, (500, -20, 10))
    assert nearest_voxel(affine, far, (64, 64, 42)) == (63, 0, 10)


def test_the_2mm_sample_travels_small(mni152_sample):
    stack, _ = mni152_sample
    image = display_volume(stack.channels[0], stack.affine, *np.percentile(stack.channels[0], [50, 99.5]))
    assert len(image) < 400_000


def test_niivue_comes_from_the_pinned_nilearn_wheel():
    build = niivue_folder() / "niivue.umd.js"
    assert build.is_file() and build.stat().st_size > 1_000_000
    with build.open("rb") as f:
        assert b"niivue" in f.read(2000)


@pytest.mark.parametrize("model", ["exact", "tissue"])
def test_one_channel_histogram_shows_each_cluster_and_its_weighted_gaussian(mni152_sample, model):
    from neuroseg.models import FitOptions

    stack, _ = mni152_sample
    options = FitOptions(mode="exact") if model == "exact" else FitOptions(bias_correct=True)
    seg = segment(stack, Scope("volume"), 3, 12345, options)
    result = seg.result
    values = (seg.features.X if result.corrected is None else result.corrected)[:, 0]
    fig = mixture_histogram_figure(
        values, result.labels, result.means[:, 0], result.covariances[:, 0, 0], result.weights, "T1w",
        legend=seg.legend(), title="3 clusters",
    )  # fmt: skip
    bars = [t for t in fig.data if t.type == "bar"]
    curves = [t for t in fig.data if t.type == "scatter"]
    assert [b.name for b in bars] == ["cluster 1", "cluster 2", "cluster 3"]
    assert [b.marker.color for b in bars] == [label_colour(i) for i in (1, 2, 3)]
    assert [c.line.color for c in curves[:3]] == [label_colour(i) for i in (1, 2, 3)]
    counted = sum(np.asarray(b.y).sum() for b in bars)
    assert 0.998 * len(values) <= counted <= len(values)  # the middle 99.9 % of the voxels
    low, high = bars[0].x[0] - bars[0].width / 2, bars[0].x[-1] + bars[0].width / 2
    for label, curve in enumerate(curves[:3], start=1):  # each curve holds its cluster's share of the voxels in range
        mean, sd = result.means[label - 1, 0], np.sqrt(result.covariances[label - 1, 0, 0])
        inside = norm.cdf(high, mean, sd) - norm.cdf(low, mean, sd)
        assert np.sum(curve.y) == pytest.approx(result.weights[label - 1] * len(values) * inside, rel=1e-6)
    np.testing.assert_allclose(curves[3].y, sum(np.asarray(c.y) for c in curves[:3]))
    peak = np.argmax(curves[3].y)
    assert curves[3].name == "sum of the Gaussians" and result.means[0, 0] < curves[3].x[peak] < result.means[2, 0] * 1.2
