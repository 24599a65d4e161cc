"""Brain extraction on real heads nobody here made: Colin27 moved out of MNI space, scored against its BET brain."""

from __future__ import annotations

import numpy as np
import pytest

from neuroseg.models.brain import extract_brain, largest_component, resize_nearest
from neuroseg.testing.heads import BRAIN, HEAD, brain_scores, moved_head

pytestmark = pytest.mark.slow  # the brain extraction networks on 1 mm heads

POSES = {
    "LPS 1 mm, tilted and shifted, int16": dict(tilt=(12, -8, 15), shift=(20, -35, 40), axcodes="LPS", noise=0.03, bias=0.3),
    "PIR 1.3 mm, float32": dict(tilt=(-10, 5, 20), shift=(-15, 10, -25), zooms=(1.3, 1.3, 1.3), axcodes="PIR", noise=0.03,
                                bias=0.3, dtype=np.float32),
    "LAS anisotropic 1 x 1.2 x 1.5 mm": dict(tilt=(5, 10, 0), zooms=(1.0, 1.2, 1.5), axcodes="LAS", noise=0.05, bias=0.4),
}  # fmt: skip


@pytest.fixture(scope="module", params=list(POSES), ids=list(POSES))
def head(request):
    if not HEAD.exists():
        pytest.fail(f"{HEAD} is missing: apt-get install mricron-data (the README's test command does)")
    return moved_head(**POSES[request.param])


def test_the_brain_of_a_moved_head_meets_the_targets(head):
    mask = extract_brain(head.data, head.image.affine).mask
    assert mask.shape == head.data.shape and mask.dtype == bool
    scores = brain_scores(mask, head.brain, head.image.header.get_zooms()[:3])
    assert scores.core_kept >= 0.99, scores
    assert scores.beyond <= 0.02, scores
    assert scores.dice >= 0.92, scores


def test_extraction_is_reproducible_and_probabilities_are_probabilities():
    head = moved_head(zooms=(2.0, 2.0, 2.0))
    first, again = extract_brain(head.data, head.image.affine), extract_brain(head.data, head.image.affine)
    np.testing.assert_array_equal(first.mask, again.mask)
    assert 0.0 <= first.probability.min() and first.probability.max() <= 1.0
    assert np.all(first.probability[first.mask] > 0.0)


def test_nearest_exact_resampling_maps_centres_to_centres():
    volume = np.arange(4 * 6 * 8).reshape(4, 6, 8)
    np.testing.assert_array_equal(resize_nearest(volume, volume.shape), volume)
    half = resize_nearest(volume, (2, 3, 4))
    np.testing.assert_array_equal(half, volume[1::2, 1::2, 1::2])
    assert resize_nearest(volume, (8, 12, 16))[::2, ::2, ::2].tolist() == volume.tolist()


def test_the_largest_component_counts_diagonal_neighbours():
    mask = np.zeros((5, 5, 5), bool)
    mask[0, 0, 0] = mask[1, 1, 1] = mask[2, 2, 2] = True  # one 26-connected line of three
    mask[4, 4, 0] = mask[4, 3, 0] = True
    assert largest_component(mask).sum() == 3 and not largest_component(np.zeros((3, 3, 3), bool)).any()


def test_the_command_line_segments_inside_the_brain_of_a_head(tilted_head, tmp_path, capsys):
    import nibabel as nib

    from neuroseg.cli import main
    from neuroseg.testing.heads import brain_scores

    head, _ = tilted_head
    nib.save(head.image, tmp_path / "head_T1w.nii.gz")
    out = tmp_path / "labels.nii.gz"
    assert main(["segment", str(tmp_path / "head_T1w.nii.gz"), "-k", "3", "--mask", "brain", "-o", str(out)]) == 0
    assert "note: Brain extracted from head_T1w.nii.gz:" in capsys.readouterr().err
    labels = nib.load(out)
    np.testing.assert_allclose(labels.affine, head.image.affine, atol=1e-5)
    scores = brain_scores(np.asarray(labels.dataobj) > 0, head.brain, head.image.header.get_zooms()[:3])
    assert scores.dice >= 0.92 and scores.beyond <= 0.02, scores


def test_an_image_that_is_no_head_is_refused_in_one_line_with_status_2(tmp_path, capsys):
    import nibabel as nib

    from neuroseg.cli import main

    rng = np.random.default_rng(0)
    g = np.mgrid[:80, :96, :80]
    ellipsoid = ((g[0] - 40) / 30) ** 2 + ((g[1] - 48) / 37) ** 2 + ((g[2] - 40) / 27) ** 2 < 1
    volume = (ellipsoid * 500 + np.abs(rng.normal(0, 50, ellipsoid.shape))).astype(np.float32)
    nib.save(nib.Nifti1Image(volume, np.diag([2.0, 2.0, 2.0, 1.0])), tmp_path / "ellipsoid.nii.gz")
    argv = ["segment", str(tmp_path / "ellipsoid.nii.gz"), "-k", "3", "--mask", "brain", "-o", str(tmp_path / "x.nii.gz")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("neuroseg: error: ellipsoid.nii.gz: does not look like a T1-weighted head")
    assert "--mask FILE" in err and not (tmp_path / "x.nii.gz").exists()


def test_the_bids_app_writes_the_brain_mask_and_the_transform_beside_the_labels(tilted_head, tmp_path):
    import json

    import nibabel as nib

    from neuroseg.cli import main
    from neuroseg.testing.heads import brain_scores

    head, _ = tilted_head
    anat = tmp_path / "bids" / "sub-01" / "anat"
    anat.mkdir(parents=True)
    nib.save(head.image, anat / "sub-01_T1w.nii.gz")
    out = tmp_path / "out"
    assert main(["bids", str(tmp_path / "bids"), str(out), "participant", "--mask", "brain", "--exact"]) == 0
    folder = out / "sub-01" / "anat"
    mask = nib.load(folder / "sub-01_desc-brain_mask.nii.gz")
    np.testing.assert_allclose(mask.affine, head.image.affine, atol=1e-5)
    scores = brain_scores(np.asarray(mask.dataobj) > 0, head.brain, head.image.header.get_zooms()[:3])
    assert scores.dice >= 0.92
    labels = np.asarray(nib.load(folder / "sub-01_desc-neuroseg_dseg.nii.gz").dataobj)
    assert not labels[np.asarray(mask.dataobj) == 0].any()
    xfm = json.loads((folder / "sub-01_from-T1w_to-MNI152NLin2009aSym_mode-image_xfm.json").read_text())
    voxel_to_mni = np.array(xfm["VoxelToMNI"])
    # Colin27 is stored in MNI space: the transform takes the moved brain's centre back to where it was
    bet = nib.load(BRAIN)
    before = bet.affine @ np.append(np.argwhere(np.asarray(bet.dataobj) > 0).mean(axis=0), 1.0)
    after = voxel_to_mni @ np.append(np.argwhere(head.brain).mean(axis=0), 1.0)
    assert np.linalg.norm(after[:3] - before[:3]) < 5.0, (before, after)


def test_a_whole_head_under_the_lessons_rule_is_flagged_and_its_clusters_are_not_named(tilted_head, tmp_path, capsys):
    import nibabel as nib

    from neuroseg.analysis.pipeline import load_stack
    from neuroseg.analysis.segment import segment
    from neuroseg.cli import main
    from neuroseg.core.features import Scope

    head, _ = tilted_head
    small = nib.Nifti1Image(head.data[::2, ::2, ::2].astype(np.int16), head.image.affine @ np.diag([2, 2, 2, 1]))
    path = tmp_path / "head_T1w.nii.gz"
    nib.save(small, path)
    for mask in (None, "auto"):
        stack, _ = load_stack([path], mask=mask)
        seg = segment(stack, Scope("volume"), 3, 12345)
        assert seg.warnings and "looks like a whole head" in seg.warnings[0] and "--mask brain" in seg.warnings[0]
        assert seg.tissue_names is None and "tissue" not in seg.table()
    assert main(["segment", str(path), "-k", "3", "-o", str(tmp_path / "x.nii.gz")]) == 0
    assert "warning: The analysed voxels" in capsys.readouterr().err
    brain, _ = load_stack([path], mask="brain")
    seg = segment(brain, Scope("volume"), 3, 12345)
    assert not seg.warnings and seg.tissue_names == ("CSF", "GM", "WM")
