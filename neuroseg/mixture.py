"""Gaussian mixture segmentation with the label convention of DESIGN 3.3.

Exact mode is scikit-learn's ``GaussianMixture(n_components=k,
random_state=seed).fit_predict(X)`` on every row, renumbered 1..k by ascending
mean of the first channel. Fast mode starts where the exact fit starts (the
same k-means initialisation, with the same seed, on every row), runs EM on at
most ``max_fit_voxels`` rows drawn reproducibly from the seed (kept in their C
order), and then labels every row; with fewer rows than that it *is* the exact
fit. Sharing the start keeps fast mode in the same local optimum as the exact
fit (mean ARI 0.99 against it on the 2 mm phantom, k = 2..8; see BENCHMARKS.md),
where a subsample's own initialisation often lands elsewhere.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from neuroseg.errors import InputError
from neuroseg.features import standardise

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
        Rows the model was fitted on (all rows in exact mode).
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
        ``"exact"`` fits on every row. ``"fast"`` starts from the exact fit's
        k-means initialisation and runs EM on at most ``max_fit_voxels`` rows.
    max_fit_voxels : int, default 20_000
        Subsample size of fast mode.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    standardised : bool, default False
        Fit on per-channel z-scores; reported means and covariances stay in raw units.
    with_confidence : bool, default True
        Also compute each row's largest posterior probability.
    max_iter : int, default 100
        EM iterations before giving up (scikit-learn's default); a fit that
        stops there is reported with ``converged=False``.
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
    model = GaussianMixture(
        n_components=k, covariance_type=covariance_type, random_state=seed, max_iter=max_iter
    )
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if mode == "exact" or n <= max_fit_voxels:
            raw = model.fit_predict(X_fit)
            n_fit = n
        else:
            weights, means, precisions = _kmeans_start(X_fit, k, seed, covariance_type, model.reg_covar)
            model.set_params(
                weights_init=weights, means_init=means, precisions_init=precisions, init_params="random_from_data"
            )
            rows = np.sort(np.random.default_rng(seed).choice(n, size=max_fit_voxels, replace=False))
            model.fit(X_fit[rows])
            raw = None
            n_fit = max_fit_voxels
        # one pass over every row gives labels, confidence and log-likelihood; predict() is this argmax
        weighted = model._estimate_weighted_log_prob(X_fit)
    best = weighted.max(axis=1)
    log_norm = best + np.log(np.exp(weighted - best[:, None]).sum(axis=1))
    if raw is None:
        raw = weighted.argmax(axis=1)
    del weighted
    confidence = np.exp(best - log_norm).astype(np.float32) if with_confidence else None
    log_likelihood = float(log_norm.sum())
    p = n_parameters(k, X.shape[1], covariance_type)
    bic = -2 * log_likelihood + p * np.log(n)
    aic = -2 * log_likelihood + 2 * p
    means = model.means_
    covariances = _full_covariances(model)
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
        n_fit=n_fit,
        labels=rank[raw],
        confidence=confidence,
        means=means[order],
        covariances=covariances[order],
        weights=model.weights_[order],
        bic=float(bic),
        aic=float(aic),
        n_iter=int(model.n_iter_),
        converged=bool(model.converged_),
        seconds=time.perf_counter() - start,
    )


def _kmeans_start(X: np.ndarray, k: int, seed: int, covariance_type: str, reg_covar: float):
    """The exact fit's starting point: scikit-learn's k-means initialisation on every row.

    ``GaussianMixture`` starts from ``KMeans(k, n_init=1, random_state=seed)``
    on the rows it is given and estimates weights, means and covariances
    (plus ``reg_covar``) from those hard assignments; this does the same on
    all rows and returns weights, means and precisions to start EM from.
    """
    labels = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(X).labels_
    d = X.shape[1]
    counts = np.bincount(labels, minlength=k).astype(float) + 10 * np.finfo(float).eps
    means = np.stack([X[labels == j].mean(axis=0) if counts[j] >= 1 else X.mean(axis=0) for j in range(k)])
    covariances = np.empty((k, d, d))
    for j in range(k):
        diff = X[labels == j] - means[j]
        covariances[j] = diff.T @ diff / counts[j] + reg_covar * np.eye(d)
    if covariance_type == "full":
        precisions = np.linalg.inv(covariances)
    elif covariance_type == "tied":
        tied = sum(counts[j] * (covariances[j] - reg_covar * np.eye(d)) for j in range(k)) / counts.sum()
        precisions = np.linalg.inv(tied + reg_covar * np.eye(d))
    elif covariance_type == "diag":
        precisions = 1.0 / np.stack([np.diag(c) for c in covariances])
    else:
        precisions = 1.0 / np.stack([np.diag(c).mean() for c in covariances])
    return counts / counts.sum(), means, precisions


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


def _full_covariances(model: GaussianMixture) -> np.ndarray:
    """Return (k, d, d) covariances whatever the covariance type."""
    cov = model.covariances_
    k, d = model.means_.shape
    if model.covariance_type == "full":
        return cov.copy()
    if model.covariance_type == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if model.covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])
