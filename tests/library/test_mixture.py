import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from neuroseg.analysis.metrics import adjusted_rand_index
from neuroseg.core.features import Scope, make_features
from neuroseg.errors import InputError
from neuroseg.models import FitData, FitOptions, fit


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two labelings group the voxels identically (labels may be renamed)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("k, seed, scope", [
    (3, 12345, Scope("slice", "z", 47)), (2, 0, Scope("slice", "y", 60)), (5, 7, Scope("slice", "x", 40)),
    (4, 12345, Scope("volume")),
])  # fmt: skip
def test_exact_mode_is_sklearns_partition_renumbered_by_first_channel_mean(sample, k, seed, scope):
    stack, _ = sample
    X = make_features(stack.channels, scope).X
    reference = GaussianMixture(n_components=k, random_state=seed).fit_predict(X)
    result = fit(FitData(X), k, seed, FitOptions(mode="exact"))
    assert same_partition(result.labels, reference)
    assert result.labels.dtype == np.uint8 and set(np.unique(result.labels)) == set(range(1, k + 1))
    means = np.array([X[result.labels == label, 0].mean() for label in range(1, k + 1)])
    assert np.all(np.diff(result.means[:, 0]) > 0)
    assert np.all(np.diff(means) > 0)
    assert result.n_fit == len(X)


def test_ties_in_the_first_channel_are_broken_by_the_next():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 10], 0.1, (200, 2)), rng.normal([0, -10], 0.1, (200, 2))])
    X[:, 0] = 0.0  # both clusters have exactly the same first-channel mean
    result = fit(FitData(X), 2, 0, FitOptions(mode="exact"))
    assert result.means[0, 1] < result.means[1, 1]
    assert np.all(result.labels[200:] == 1) and np.all(result.labels[:200] == 2)


def test_fast_mode_on_few_voxels_is_the_exact_fit(sample):
    stack, _ = sample
    X = make_features(stack.channels, Scope("slice", "z", 47)).X
    fast, exact = fit(FitData(X), 3, 1, FitOptions(mode="fast")), fit(FitData(X), 3, 1, FitOptions(mode="exact"))
    np.testing.assert_array_equal(fast.labels, exact.labels)
    assert fast.n_fit == len(X)


@pytest.mark.parametrize("k, seed", [(3, 12345), (4, 12346), (6, 12347)])
def test_fast_mode_agrees_with_exact_on_the_volume_and_is_reproducible(sample, k, seed):
    stack, _ = sample
    X = make_features(stack.channels, Scope("volume")).X
    exact = fit(FitData(X), k, seed, FitOptions(mode="exact"), with_confidence=False)
    fast = fit(FitData(X), k, seed, FitOptions(mode="fast", max_fit_voxels=20_000), with_confidence=False)
    again = fit(FitData(X), k, seed, FitOptions(mode="fast", max_fit_voxels=20_000), with_confidence=False)
    assert fast.n_fit == len(X) == len(fast.labels) and fast.n_bins < len(X) / 2
    assert adjusted_rand_index(fast.labels, exact.labels) >= 0.99
    np.testing.assert_array_equal(fast.labels, again.labels)


def test_standardised_fit_reports_raw_unit_means(sample):
    stack, _ = sample
    X = make_features(stack.channels, Scope("slice", "z", 47)).X
    result = fit(FitData(X), 3, 0, FitOptions(mode="exact", standardise=True))
    for label in range(1, 4):
        members = X[result.labels == label]
        np.testing.assert_allclose(result.means[label - 1], members.mean(axis=0), rtol=0.05)


def test_confidence_is_the_largest_posterior():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (300, 2))])
    result = fit(FitData(X), 2, 0, FitOptions(mode="exact"))
    assert result.confidence.shape == (600,)
    assert np.all((result.confidence >= 0.5) & (result.confidence <= 1.0))


@pytest.mark.parametrize("X, k, message", [
    (np.zeros((0, 2)), 3, "channel 1, channel 2: no voxel is inside the analysis mask"),
    (np.ones((2, 2)), 3, "channel 1, channel 2: only 2 voxels are inside the analysis mask, fewer than k = 3"),
    (np.repeat([[1.0, 2.0], [3.0, 4.0]], 50, axis=0), 3, "channel 1, channel 2: the voxels inside the analysis mask take only 2"),
    (np.ones((10, 2)), 0, "k: must be a whole number of at least 1"),
])  # fmt: skip
def test_impossible_fits_are_refused_with_a_reason(X, k, message):
    with pytest.raises(InputError, match=message):
        fit(FitData(X), k, 0, FitOptions())


def test_refusals_of_the_data_name_the_files_it_came_from():
    X = np.column_stack([np.arange(100.0), np.full(100, 7.0)])
    with pytest.raises(InputError, match=r"^b0.nii: the voxels inside the mask brain.nii.gz take only"):
        fit(FitData(X[:, [1]].repeat(2, axis=1), files=["b0.nii", "b0.nii"], mask_file="brain.nii.gz"), 3, 0, FitOptions())
    with pytest.raises(InputError, match=r"^t1.nii, b0.nii, brain.nii.gz: no voxel is inside the mask brain.nii.gz"):
        fit(FitData(X[:0], files=["t1.nii", "b0.nii"], mask_file="brain.nii.gz"), 3, 0, FitOptions())


def test_a_fit_that_does_not_converge_says_so_and_still_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2))
    result = fit(FitData(X), 4, 0, FitOptions(mode="exact", max_iter=1))
    assert result.converged is False and result.n_iter == 1
    assert set(np.unique(result.labels)) <= {1, 2, 3, 4}
