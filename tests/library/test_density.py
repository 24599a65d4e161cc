import numpy as np
import pytest
from scipy.stats import gaussian_kde

from neuroseg.analysis.density import histogram2d, kde2d


@pytest.mark.parametrize("n", [500, 5_000, 40_000])
def test_binned_kde_agrees_with_gaussian_kde_within_two_percent(n):
    rng = np.random.default_rng(n)
    # two correlated clusters, like T1 against T2 (r ~ -0.9)
    a = rng.multivariate_normal([400, 900], [[900, -700], [-700, 900]], n // 2)
    b = rng.multivariate_normal([850, 430], [[1600, -300], [-300, 900]], n - n // 2)
    x, y = np.vstack([a, b]).T
    ours = kde2d(x, y, gridsize=200)
    gx, gy = np.meshgrid(ours.x[::3], ours.y[::3])  # every third grid point keeps scipy's cost down
    reference = gaussian_kde(np.vstack([x, y]))(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    error = np.abs(ours.values[::3, ::3] - reference).max() / reference.max()
    assert error <= 0.02
    cell = (ours.x[1] - ours.x[0]) * (ours.y[1] - ours.y[0])
    assert ours.values.sum() * cell == pytest.approx(1.0, abs=0.01)


def test_histogram2d_counts_every_point_once():
    rng = np.random.default_rng(0)
    x, y = rng.random(1000), rng.random(1000)
    grid = histogram2d(x, y, bins=16)
    assert grid.values.shape == (16, 16) and grid.values.sum() == 1000
