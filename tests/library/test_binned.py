"""Fast mode: scikit-learn's mixture fit run on the intensity histogram (neuroseg.models.histogram, neuroseg.models.binned)."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.mixture import GaussianMixture

from neuroseg.analysis.compare import fit_grid
from neuroseg.analysis.metrics import adjusted_rand_index
from neuroseg.core.features import Scope, make_features, standardise
from neuroseg.models import FitData, FitOptions, fit
from neuroseg.models.binned import KMEANS_TOL, fit_histogram, lloyd
from neuroseg.models.binned import kmeans_plusplus as histogram_kmeans_plusplus
from neuroseg.models.histogram import intensity_histogram


@pytest.fixture(scope="module")
def volume_X(sample):
    stack, _ = sample
    return make_features(stack.channels, Scope("volume")).X


@pytest.fixture(scope="module")
def float_X():
    """Three correlated float-valued clusters: no two rows alike, so the histogram bins them."""
    rng = np.random.default_rng(5)
    means = [(300.0, 900.0), (600.0, 650.0), (850.0, 400.0)]
    parts = [
        rng.multivariate_normal(m, [[900, -400], [-400, 900]], size=n) for m, n in zip(means, (8000, 15000, 20000))
    ]
    return np.vstack(parts)


def test_integer_rows_are_grouped_without_loss(volume_X):
    histogram = intensity_histogram(volume_X)
    assert histogram.lossless
    assert len(histogram) == len(np.unique(volume_X, axis=0)) < len(volume_X) / 2
    np.testing.assert_array_equal(histogram.values[histogram.inverse], volume_X)
    assert histogram.counts.sum() == len(volume_X)


def test_float_rows_are_binned_with_their_exact_means(float_X):
    histogram = intensity_histogram(float_X, levels=64)
    assert not histogram.lossless
    assert len(histogram) <= 64 * 64 and histogram.counts.sum() == len(float_X)
    for b in (0, len(histogram) // 2, len(histogram) - 1):
        members = float_X[histogram.inverse == b]
        assert len(members) == histogram.counts[b]
        np.testing.assert_allclose(histogram.values[b], members.mean(axis=0))
    width = np.ptp(float_X, axis=0) / 64
    assert np.all(np.abs(histogram.values[histogram.inverse] - float_X) <= width)


def test_cells_hold_their_bins(volume_X):
    cells = intensity_histogram(volume_X).cells
    for c in (0, 7, len(cells.counts) - 1):
        np.testing.assert_array_equal(np.sort(cells.bins_of(np.array([c]))), np.flatnonzero(cells.members == c))
    assert len(cells.bins_of(np.arange(len(cells.counts)))) == len(cells.members)


@pytest.mark.parametrize("k, seed", [(3, 12345), (5, 7), (8, 12346)])
@pytest.mark.parametrize("rows", ["volume_X", "float_X"])
def test_kmeans_plusplus_draws_scikit_learns_centres(request, rows, k, seed):
    """On integer rows through their lossless histogram; on float rows, which the histogram bins, from the rows."""
    X = request.getfixturevalue(rows)
    centred = X - X.mean(axis=0)  # KMeans seeds on centred data
    expected, _ = kmeans_plusplus(centred, k, random_state=np.random.RandomState(seed))
    histogram = intensity_histogram(X) if rows == "volume_X" else intensity_histogram(X, levels=64)
    assert histogram.lossless == (rows == "volume_X")
    np.testing.assert_allclose(histogram_kmeans_plusplus(histogram, k, seed), expected + X.mean(axis=0))


@pytest.mark.parametrize("k, seed", [(4, 12345), (8, 3)])
def test_lloyd_on_bins_is_scikit_learns_kmeans_on_rows(volume_X, k, seed):
    histogram = intensity_histogram(volume_X)
    centres = histogram_kmeans_plusplus(histogram, k, seed)
    tol = KMEANS_TOL * volume_X.var(axis=0).mean()
    labels = lloyd(histogram, centres, tol)
    # assigning whole cells changes nothing: the same iterations with every bin assigned one by one
    every_bin = replace(histogram.cells, radius=np.full(len(histogram.cells.radius), np.inf))
    unpruned = replace(histogram)
    unpruned.__dict__.update(cells=every_bin, coarse=histogram.coarse)
    np.testing.assert_array_equal(lloyd(unpruned, centres, tol), labels)
    # scikit-learn on every row: the same up to its rounding, which breaks exact ties between integer points
    expected = KMeans(k, init=centres, n_init=1).fit(volume_X).labels_
    assert np.mean(labels[histogram.inverse] != expected) < 5e-4


@pytest.mark.parametrize("k, seed", [(3, 12345), (6, 12347)])
def test_fast_mode_lands_in_the_exact_fits_optimum(volume_X, k, seed):
    exact = fit(FitData(volume_X), k, seed, FitOptions(mode="exact"))
    fast = fit(FitData(volume_X), k, seed, FitOptions(mode="fast"))
    assert fast.n_bins == len(intensity_histogram(volume_X)) and fast.n_fit == len(volume_X)
    assert adjusted_rand_index(fast.labels, exact.labels) >= 0.995
    np.testing.assert_allclose(fast.means, exact.means, rtol=0.01)
    np.testing.assert_allclose(fast.weights, exact.weights, atol=0.01)
    assert fast.bic == pytest.approx(exact.bic, rel=1e-4)
    assert np.abs(fast.confidence - exact.confidence).max() < 0.05


def test_fast_mode_keeps_the_label_convention_and_is_reproducible(volume_X):
    first = fit(FitData(volume_X), 5, 12345, FitOptions())
    again = fit(FitData(volume_X, histogram=intensity_histogram(volume_X)), 5, 12345, FitOptions())
    np.testing.assert_array_equal(first.labels, again.labels)
    assert first.labels.dtype == np.uint8 and set(np.unique(first.labels)) == {1, 2, 3, 4, 5}
    member_means = [volume_X[first.labels == label, 0].mean() for label in range(1, 6)]
    assert np.all(np.diff(first.means[:, 0]) > 0) and np.all(np.diff(member_means) > 0)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_fast_mode_on_binned_float_rows_agrees_with_exact(float_X, covariance_type):
    exact = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit_predict(float_X)
    fast = fit(FitData(float_X), 3, 0, FitOptions(mode="fast", max_fit_voxels=1000, covariance=covariance_type))
    assert fast.n_bins < len(float_X)
    assert adjusted_rand_index(fast.labels, exact) >= 0.98


def test_standardised_fast_mode_agrees_with_standardised_exact(volume_X):
    exact = fit(FitData(volume_X), 4, 12345, FitOptions(mode="exact", standardise=True))
    fast = fit(FitData(volume_X), 4, 12345, FitOptions(standardise=True))
    assert adjusted_rand_index(fast.labels, exact.labels) >= 0.99
    np.testing.assert_allclose(fast.means, exact.means, rtol=0.01)


def test_histogram_fit_reports_scikit_learns_parameters(volume_X):
    X, _ = standardise(volume_X)
    model = GaussianMixture(3, random_state=4).fit(X)
    fit = fit_histogram(intensity_histogram(volume_X).standardised(standardise(volume_X)[1]), 3, 4)
    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(fit.means[np.argsort(fit.means[:, 0])], model.means_[order], atol=0.01)
    np.testing.assert_allclose(fit.weights[np.argsort(fit.means[:, 0])], model.weights_[order], atol=0.005)
    assert fit.converged


def test_a_grid_shares_one_histogram_without_changing_any_fit(volume_X):
    pairs = [(3, 1), (5, 1), (7, 1), (3, 2)]
    grid = fit_grid(FitData(volume_X), pairs, n_jobs=2)
    for (k, seed), result in zip(pairs, grid):
        np.testing.assert_array_equal(result.labels, fit(FitData(volume_X), k, seed, FitOptions(), with_confidence=False).labels)


def test_lloyd_gives_up_where_scikit_learn_would_relocate_an_empty_cluster(volume_X):
    histogram = intensity_histogram(volume_X)
    far = np.vstack([histogram_kmeans_plusplus(histogram, 2, 0), volume_X.max(axis=0) * 100])
    assert lloyd(histogram, far, 1e-6) is None
