"""The scikit-learn internals neuroseg relies on still say what they said: fail loudly when an upgrade changes them.

The fast path runs scikit-learn's own M-step and precision factors on
histogram bins (``models/binned.py``), and the exact fit labels rows with
``GaussianMixture._estimate_weighted_log_prob`` so that its labels are
``fit_predict``'s (``models/mixture.py``). requirements.txt pins
scikit-learn's minor version; these tests say what to check when it moves.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.mixture import _gaussian_mixture as private

from neuroseg.models.gaussian import coefficients, monomials

RNG = np.random.default_rng(0)
X = np.concatenate([RNG.normal((0, 0), 1, (300, 2)), RNG.normal((5, 3), (1, 2), (300, 2))])


def test_the_private_helpers_exist_with_the_arguments_neuroseg_passes():
    assert list(inspect.signature(private._estimate_gaussian_parameters).parameters)[:4] == [
        "X", "resp", "reg_covar", "covariance_type",
    ]  # fmt: skip
    assert list(inspect.signature(private._compute_precision_cholesky).parameters)[:2] == ["covariances", "covariance_type"]
    assert callable(GaussianMixture._estimate_weighted_log_prob)


def test_the_m_step_is_the_responsibility_weighted_moments_plus_reg_covar():
    resp = RNG.random((len(X), 2))
    resp /= resp.sum(axis=1, keepdims=True)
    nk, means, covariances = private._estimate_gaussian_parameters(X, resp, 1e-6, "full")
    np.testing.assert_allclose(nk, resp.sum(axis=0) + 10 * np.finfo(float).eps)
    np.testing.assert_allclose(means, resp.T @ X / nk[:, None])
    for j in range(2):
        diff = X - means[j]
        np.testing.assert_allclose(covariances[j], (resp[:, j] * diff.T) @ diff / nk[j] + 1e-6 * np.eye(2))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_precision_cholesky_factors_invert_the_covariances(covariance_type):
    model = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    chol = private._compute_precision_cholesky(model.covariances_, covariance_type)
    np.testing.assert_allclose(chol, model.precisions_cholesky_)


def test_scikit_learns_weighted_log_prob_is_neurosegs_gaussian_density():
    model = GaussianMixture(3, random_state=0).fit(X)
    theirs = model._estimate_weighted_log_prob(X)
    chol = model.precisions_cholesky_
    log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    centre = X.mean(axis=0)
    terms = coefficients(model.means_, chol @ np.swapaxes(chol, 1, 2), log_det, np.log(model.weights_), centre)
    np.testing.assert_allclose((terms @ monomials(X, centre)).T, theirs, rtol=1e-10, atol=1e-9)
    np.testing.assert_array_equal(theirs.argmax(axis=1), model.predict(X))
