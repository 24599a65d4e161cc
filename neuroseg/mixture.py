"""Gaussian mixture segmentation with the label convention of DESIGN 3.3.

Exact mode is scikit-learn's ``GaussianMixture(n_components=k,
random_state=seed).fit_predict(X)`` on every row, renumbered 1..k by ascending
mean of the first channel. Fast mode is the same fit run on a weighted
intensity histogram of the rows (:mod:`neuroseg.binned`) when there are more
than ``max_fit_voxels`` rows; with that many rows or fewer it *is* the exact
fit. The histogram is lossless for integer images, whose rows repeat, and its
k-means start takes the exact fit's random draws, so fast mode lands in the
exact fit's optimum (mean ARI against it in BENCHMARKS.md).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from neuroseg.binned import fit_histogram
from neuroseg.errors import InputError
from neuroseg.features import standardise
from neuroseg.histogram import Histogram, intensity_histogram

LESSON_SEED = 12345
DEFAULT_MAX_FIT_VOXELS = 20_000
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
MODES = ("exact", "fast")


@dataclass(frozen=True)
class GMMResult:
    """One fitted mixture and the labels it gives.

    Attributes
    ----------
    k, seed : int
    mode : {"exact", "fast"}
    covariance_type : str
    standardised : bool
        Whether the model saw per-channel z-scores.
    n_fit : int
        Rows the model was fitted on (all rows, directly or through the histogram).
    n_bins : int or None
        Bins of the intensity histogram fast mode fitted on; None for a fit on the rows.
    labels : ndarray
        uint8 label per row, 1..k by ascending mean of the first channel.
    confidence : ndarray or None
        Largest posterior probability per row (float32); low values mark
        voxels the model is unsure about.
    means : ndarray
        (k, n_channels) component means in raw intensity units, in label order.
    covariances : ndarray
        (k, n_channels, n_channels) full covariances in raw units, in label order.
    weights : ndarray
        (k,) mixing weights, in label order.
    bic, aic : float
        Information criteria on every row (in the space the model was fitted in).
    n_iter : int
    converged : bool
    seconds : float
        Wall time of fitting and labelling.
    """

    k: int
    seed: int
    mode: str
    covariance_type: str
    standardised: bool
    n_fit: int
    n_bins: int | None
    labels: np.ndarray
    confidence: np.ndarray | None
    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray
    bic: float
    aic: float
    n_iter: int
    converged: bool
    seconds: float


def fit_gmm(
    X: np.ndarray,
    k: int,
    seed: int = LESSON_SEED,
    *,
    mode: Literal["exact", "fast"] = "fast",
    max_fit_voxels: int = DEFAULT_MAX_FIT_VOXELS,
    covariance_type: str = "full",
    standardised: bool = False,
    with_confidence: bool = True,
    max_iter: int = 100,
    histogram: Histogram | None = None,
    files: Sequence[str] | None = None,
    mask_file: str | None = None,
) -> GMMResult:
    """Fit a Gaussian mixture to the rows of ``X`` and label every row.

    Parameters
    ----------
    X : ndarray
        (n_voxels, n_channels) feature matrix, float64.
    k : int
        Number of components (clusters).
    seed : int, default 12345
        ``random_state`` of the estimator, and the seed of fast mode's subsample.
    mode : {"fast", "exact"}, default "fast"
        ``"exact"`` fits on every row. ``"fast"`` fits on the rows'
        intensity histogram when there are more than ``max_fit_voxels`` rows.
    max_fit_voxels : int, default 20_000
        Fast mode fits exactly (on the rows) up to this many rows.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    standardised : bool, default False
        Fit on per-channel z-scores; reported means and covariances stay in raw units.
    with_confidence : bool, default True
        Also compute each row's largest posterior probability.
    max_iter : int, default 100
        EM iterations before giving up (scikit-learn's default); a fit that
        stops there is reported with ``converged=False``.
    histogram : Histogram, optional
        ``intensity_histogram(X)`` if already built (a grid of fits shares one).
    files : sequence of str, optional
        The file each column of ``X`` came from, so that a refusal of the data
        names them (``"channel 1"``, ... by default).
    mask_file : str, optional
        The mask file the rows were selected with, named in refusals too.

    Returns
    -------
    GMMResult

    Raises
    ------
    InputError
        For a bad k, mode or covariance type, or too few distinct voxels.
    """
    _check_arguments(k, mode, covariance_type, max_fit_voxels)
    _check_data(X, k, files, mask_file)
    start = time.perf_counter()
    X_fit, transform = standardise(X) if standardised else (X, None)
    n = len(X)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if uses_histogram(n, mode, max_fit_voxels):
            bins = histogram if histogram is not None else intensity_histogram(X)
            if transform is not None:
                bins = bins.standardised(transform)
            fit = fit_histogram(bins, k, seed, covariance_type=covariance_type, max_iter=max_iter)
            # one E-step on the bins gives every row's labels, confidence and log-likelihood
            raw, confidence, log_norm = _summarise(fit.log_prob(bins), with_confidence)
            rows = bins.inverse  # labels and confidence are gathered from the bins last, once
            confidence = None if confidence is None else confidence[rows]
            log_likelihood = float(bins.counts @ log_norm)
            weights, means, covariances, n_iter, converged = (
                fit.weights,
                fit.means,
                fit.covariances,
                fit.n_iter,
                fit.converged,
            )
            n_bins = len(bins)
        else:
            model = GaussianMixture(
                n_components=k, covariance_type=covariance_type, random_state=seed, max_iter=max_iter
            )
            model.fit(X_fit)
            # one pass over every row gives labels, confidence and log-likelihood; fit_predict's labels are this argmax
            raw, confidence, log_norm = _summarise(model._estimate_weighted_log_prob(X_fit), with_confidence)
            log_likelihood = float(log_norm.sum())
            weights, means, covariances, n_iter, converged = (
                model.weights_,
                model.means_,
                model.covariances_,
                model.n_iter_,
                model.converged_,
            )
            n_bins, rows = None, slice(None)
    p = n_parameters(k, X.shape[1], covariance_type)
    bic = -2 * log_likelihood + p * np.log(n)
    aic = -2 * log_likelihood + 2 * p
    covariances = _full_covariances(covariances, covariance_type, means.shape)
    if transform is not None:
        means = transform.invert_means(means)
        covariances = transform.invert_covariances(covariances)
    order = np.lexsort(means.T[::-1])
    rank = np.empty(k, dtype=np.uint8)
    rank[order] = np.arange(1, k + 1, dtype=np.uint8)
    return GMMResult(
        k=k,
        seed=seed,
        mode=mode,
        covariance_type=covariance_type,
        standardised=standardised,
        n_fit=n,
        n_bins=n_bins,
        labels=rank[raw][rows],
        confidence=confidence,
        means=means[order],
        covariances=covariances[order],
        weights=weights[order],
        bic=float(bic),
        aic=float(aic),
        n_iter=int(n_iter),
        converged=bool(converged),
        seconds=time.perf_counter() - start,
    )


def uses_histogram(n_rows: int, mode: str, max_fit_voxels: int) -> bool:
    """Whether :func:`fit_gmm` fits these rows through their intensity histogram (fast mode above ``max_fit_voxels``)."""
    return mode == "fast" and n_rows > max_fit_voxels


def _summarise(weighted: np.ndarray, with_confidence: bool):
    """Argmax, largest posterior (float32, or None) and log-normaliser of each row of weighted log-probabilities."""
    best = weighted.max(axis=1)
    log_norm = best + np.log(np.exp(weighted - best[:, None]).sum(axis=1))
    confidence = np.exp(best - log_norm).astype(np.float32) if with_confidence else None
    return weighted.argmax(axis=1), confidence, log_norm


def n_parameters(k: int, d: int, covariance_type: str) -> int:
    """Free parameters of a k-component, d-dimensional mixture (as scikit-learn counts them for BIC/AIC)."""
    covariance = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[covariance_type]
    return covariance + k * d + k - 1


def _check_arguments(k: int, mode: str, covariance_type: str, max_fit_voxels: int) -> None:
    if mode not in MODES:
        raise InputError("mode", f"must be 'exact' or 'fast', not {mode!r}.")
    if covariance_type not in COVARIANCE_TYPES:
        raise InputError("covariance type", f"must be one of {', '.join(COVARIANCE_TYPES)}, not {covariance_type!r}.")
    if int(k) != k or k < 1:
        raise InputError("k", f"must be a whole number of at least 1, not {k!r}.")
    if k > 255:
        raise InputError("k", f"is {k}; labels are stored as uint8, so at most 255 clusters.")
    if max_fit_voxels < 1:
        raise InputError("fast-mode voxels", f"must be at least 1, not {max_fit_voxels}.")


def _check_data(X: np.ndarray, k: int, files: Sequence[str] | None, mask_file: str | None) -> None:
    """Refuse data that cannot give k clusters, naming the files whose data it is."""
    columns = list(files) if files is not None else [f"channel {j + 1}" for j in range(X.shape[1])]
    everything = ", ".join(dict.fromkeys(columns + ([mask_file] if mask_file else [])))
    where = f"inside the mask {mask_file}" if mask_file else "inside the analysis mask"
    n = len(X)
    if n == 0:
        rule = "" if mask_file else " (finite and > 0 in every channel)"
        raise InputError(
            everything,
            f"no voxel is {where}{rule} here, so there is nothing to segment.",
            "Pick another slice or the whole volume, another mask, or check the images.",
        )
    if n < k:
        raise InputError(
            everything, f"only {n} voxels are {where}, fewer than k = {k} clusters.", "Lower k or analyse more voxels."
        )
    # cheap first: almost always the first few thousand rows already hold k distinct rows
    if len(np.unique(X[:5000], axis=0)) < k and (n_distinct := len(np.unique(X, axis=0))) < k:
        culprits = [c for j, c in enumerate(columns) if len(np.unique(X[:, j])) < k] or columns
        raise InputError(
            ", ".join(dict.fromkeys(culprits)),
            f"the voxels {where} take only {n_distinct} distinct value(s), so k = {k} clusters cannot be told apart.",
            f"Use k <= {n_distinct}, or check that this is an intensity image.",
        )


def _full_covariances(cov: np.ndarray, covariance_type: str, shape: tuple[int, int]) -> np.ndarray:
    """Return (k, d, d) covariances whatever the covariance type."""
    k, d = shape
    if covariance_type == "full":
        return cov.copy()
    if covariance_type == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])
