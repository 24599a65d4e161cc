import numpy as np
import pytest

from neuroseg.analysis.compare import fit_grid, grid_table, label_alignments
from neuroseg.analysis.metrics import (
    adjusted_rand_index,
    align_labels,
    cluster_table,
    dice_per_tissue,
    mean_pairwise_ari,
)
from neuroseg.core.features import Scope, make_features
from neuroseg.models import FitData, FitOptions, fit


def test_align_labels_renames_without_changing_the_partition():
    reference = np.array([1, 1, 2, 2, 3, 3, 0])
    permuted = np.array([3, 3, 1, 1, 2, 2, 0])
    np.testing.assert_array_equal(align_labels(reference, permuted), reference)


def test_align_labels_gives_extra_clusters_new_numbers():
    reference = np.array([1, 1, 1, 2, 2, 2])
    finer = np.array([2, 2, 3, 1, 1, 1])
    aligned = align_labels(reference, finer)
    np.testing.assert_array_equal(aligned, [1, 1, 3, 2, 2, 2])


def test_dice_matches_clusters_to_tissues():
    truth = np.array([0, 1, 1, 2, 2, 3, 3, 3])
    labels = np.array([0, 2, 2, 3, 1, 1, 1, 1])
    dice = dice_per_tissue(truth, labels, ("CSF", "GM", "WM")).set_index("tissue")
    assert dice.loc["CSF", "cluster"] == 2 and dice.loc["CSF", "dice"] == pytest.approx(1.0)
    assert dice.loc["WM", "cluster"] == 1 and dice.loc["WM", "dice"] == pytest.approx(2 * 3 / (3 + 4))
    assert dice.loc["GM", "dice"] == pytest.approx(2 * 1 / (2 + 1))


def test_cluster_table_counts_volumes_and_intensities():
    X = np.array([[1.0, 10], [3.0, 10], [10.0, 0], [12.0, 2]])
    result = fit(FitData(X), 2, 0, FitOptions(mode="exact"))
    table = cluster_table(X, result, ["T1", "b0"], voxel_ml=0.008)
    assert table["n_voxels"].tolist() == [2, 2]
    assert table["volume_ml"].tolist() == pytest.approx([0.016, 0.016])
    assert table["mean_T1"].tolist() == pytest.approx([2.0, 11.0])
    assert table["sd_b0"].tolist() == pytest.approx([0.0, 1.0])
    assert table["weight"].sum() == pytest.approx(1.0)


def test_phantom_segmentation_recovers_the_tissues(sample):
    stack, truth = sample
    scope = Scope("volume")
    features = make_features(stack.channels, scope)
    result = fit(FitData(features.X), 3, 12345, FitOptions())
    labels = np.zeros(stack.shape, np.uint8)
    labels[features.mask] = result.labels
    dice = dice_per_tissue(truth, labels, ("CSF", "GM", "WM")).set_index("tissue")["dice"]
    assert dice["GM"] > 0.85 and dice["WM"] > 0.9 and dice["CSF"] > 0.65


def test_grid_rows_and_seed_stability(sample):
    stack, _ = sample
    X = make_features(stack.channels, Scope("slice", "z", 47)).X
    pairs = [(k, s) for k in (2, 3) for s in (0, 1, 2)]
    results = fit_grid(FitData(X), pairs, n_jobs=2)
    assert [(r.k, r.seed) for r in results] == pairs
    table = grid_table(results)
    assert list(table.columns) == ["k", "seed", "bic", "aic", "converged", "n_iter", "seconds", "mean_pairwise_ari"]
    k3 = [r.labels for r in results if r.k == 3]
    assert table.loc[table.k == 3, "mean_pairwise_ari"].iloc[0] == pytest.approx(mean_pairwise_ari(k3))
    mappings = label_alignments(results)
    for r in results:
        aligned = mappings[(r.k, r.seed)][r.labels]
        assert adjusted_rand_index(aligned, r.labels) == pytest.approx(1.0)  # same partition, renumbered
        first = next(f.labels for f in results if f.k == r.k)
        assert np.mean(aligned == first) >= np.mean(r.labels == first)  # and closer in colour to the first seed


@pytest.mark.parametrize("seed", range(5))
def test_adjusted_rand_index_equals_sklearns(seed):
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    a = rng.integers(1, 5, 3000).astype(np.uint8)
    b = np.where(rng.random(3000) < 0.7, a, rng.integers(1, 7, 3000)).astype(np.uint8)
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)
    assert adjusted_rand_index(a, a) == 1.0


def test_bic_and_aic_equal_sklearns(sample):
    from sklearn.mixture import GaussianMixture

    stack, _ = sample
    X = make_features(stack.channels, Scope("slice", "z", 47)).X
    for covariance_type in ("full", "tied", "diag", "spherical"):
        model = GaussianMixture(3, covariance_type=covariance_type, random_state=1).fit(X)
        result = fit(FitData(X), 3, 1, FitOptions(mode="exact", covariance=covariance_type))
        assert result.bic == pytest.approx(model.bic(X), rel=1e-9)
        assert result.aic == pytest.approx(model.aic(X), rel=1e-9)


@pytest.mark.parametrize("k, runs", [(8, 5), (40, 6)])  # one joint table; too many cells for one, so pair by pair
def test_mean_pairwise_ari_is_the_mean_of_scikit_learns_pairwise_scores(k, runs):
    from itertools import combinations

    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(k)
    base = rng.integers(1, k + 1, 20_000)
    labelings = [
        np.where(rng.random(20_000) < 0.3 * i / runs, rng.integers(1, k + 1, 20_000), base) for i in range(runs)
    ]
    expected = np.mean([adjusted_rand_score(a, b) for a, b in combinations(labelings, 2)])
    assert mean_pairwise_ari([x.astype(np.uint8) for x in labelings]) == pytest.approx(expected, abs=1e-12)
