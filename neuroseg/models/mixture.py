"""Gaussian mixture segmentation with the label convention of DESIGN 3.3.

Exact mode is scikit-learn's ``GaussianMixture(n_components=k,
random_state=seed).fit_predict(X)`` on every row, renumbered 1..k by ascending
mean of the first channel. Fast mode is the same fit run on a weighted
intensity histogram of the rows (:mod:`neuroseg.models.binned`) when there are more
than ``max_fit_voxels`` rows; with that many rows or fewer it *is* the exact
fit. The histogram is lossless for integer images, whose rows repeat, and its
k-means start takes the exact fit's random draws, so fast mode lands in the
exact fit's optimum (mean ARI against it in BENCHMARKS.md).
"""

from __future__ import annotations

import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from neuroseg.core.features import standardise
from neuroseg.models.binned import fit_histogram
from neuroseg.models.data import FitData
from neuroseg.models.gaussian import full_covariances, n_parameters, summarise
from neuroseg.models.options import FitOptions
from neuroseg.models.result import GMMResult, criteria, label_order


def fit_exact(data: FitData, k: int, seed: int, options: FitOptions, with_confidence: bool = True) -> GMMResult:
    """``GaussianMixture(n_components=k, random_state=seed).fit_predict`` on every row, labels renumbered 1..k.

    One pass over the rows after the fit gives labels, confidence and
    log-likelihood; the labels are ``fit_predict``'s (scikit-learn's own
    weighted log-probabilities, so the lesson's partition is kept exactly).
    """
    start = time.perf_counter()
    X_fit, transform = standardise(data.X) if options.standardise else (data.X, None)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GaussianMixture(
            n_components=k, covariance_type=options.covariance, random_state=seed, max_iter=options.max_iter
        )
        model.fit(X_fit)
        raw, confidence, log_norm = summarise(model._estimate_weighted_log_prob(X_fit), with_confidence)
    fitted = (model.weights_, model.means_, model.covariances_, model.n_iter_, model.converged_)
    return _finish(data, k, seed, options, "exact", fitted, raw, slice(None), confidence, float(log_norm.sum()),
                   None, transform, start)  # fmt: skip


def fit_fast(data: FitData, k: int, seed: int, options: FitOptions, with_confidence: bool = True) -> GMMResult:
    """The exact fit up to ``options.max_fit_voxels`` rows; above that the same fit on the rows' intensity histogram.

    The histogram's bins, weighted by their counts, stand in for the rows
    (:mod:`neuroseg.models.binned`); one E-step on the bins then labels every
    row. A histogram with fewer occupied bins than k (nearly constant float
    data) cannot seed k clusters, so such rows are fitted exactly.
    """
    if not options.uses_histogram(len(data.X)):
        return fit_exact(data, k, seed, options, with_confidence)
    bins = data.intensity_histogram()
    if len(bins) < k:
        return fit_exact(data, k, seed, options, with_confidence)
    start = time.perf_counter()
    transform = None
    if options.standardise:
        transform = standardise(data.X)[1]
        bins = bins.standardised(transform)
    with threadpool_limits(limits=1):
        fit = fit_histogram(bins, k, seed, covariance_type=options.covariance, max_iter=options.max_iter)
        raw, confidence, log_norm = summarise(fit.log_prob(bins), with_confidence)
    # labels and confidence are gathered from the bins last, once
    confidence = None if confidence is None else confidence[bins.inverse]
    fitted = (fit.weights, fit.means, fit.covariances, fit.n_iter, fit.converged)
    return _finish(data, k, seed, options, "fast", fitted, raw, bins.inverse, confidence,
                   float(bins.counts @ log_norm), len(bins), transform, start)  # fmt: skip


def _finish(data, k, seed, options, model, fitted, raw, rows, confidence, log_likelihood, n_bins, transform, start):
    """The result in label order and raw units, with BIC and AIC on every row."""
    weights, means, covariances, n_iter, converged = fitted
    n, d = data.X.shape
    bic, aic = criteria(log_likelihood, n_parameters(k, d, options.covariance), n)
    covariances = full_covariances(covariances, options.covariance, means.shape)
    if transform is not None:
        means = transform.invert_means(means)
        covariances = transform.invert_covariances(covariances)
    order, rank = label_order(means)
    return GMMResult(
        k=k, seed=seed, model=model, options=options, n_fit=n, n_bins=n_bins, labels=rank[raw][rows],
        confidence=confidence, means=means[order], covariances=covariances[order], weights=weights[order],
        bic=bic, aic=aic, n_iter=int(n_iter), converged=bool(converged), seconds=time.perf_counter() - start,
    )  # fmt: skip
