"""The one Gaussian log-density and normaliser that every model of neuroseg shares.

A Gaussian's log-density is a quadratic polynomial of the row, so the weighted
log-densities of n rows under m components are one ``(m, p) @ (p, n)`` matrix
product of the components' coefficients with the rows' p = 1 + d + d(d+1)/2
monomials (1, z_i, z_i z_j for i <= j, of rows centred on any nearby point).
The fast path evaluates it on histogram bins, the tissue model on voxels in
float32, the app's posterior readout on a few rows. The exact fit keeps
scikit-learn's own arithmetic, so that its labels are ``fit_predict``'s.
"""

from __future__ import annotations

import numpy as np

REG = 1e-6
"""Relative ridge added to a covariance before it is inverted (a share of its mean variance)."""
MIN_VARIANCE = 1e-6
"""The smallest ridge (scikit-learn's ``reg_covar``), so that a class of one intensity still has a density."""


def monomials(X: np.ndarray, centre: np.ndarray, dtype=np.float64) -> np.ndarray:
    """(p, n) monomials of degree <= 2 of the rows of ``X`` (n, d) centred on ``centre``: 1, z_i, z_i z_j (i <= j)."""
    z = (np.asarray(X) - centre).T.astype(dtype)
    i, j = np.triu_indices(z.shape[0])
    return np.concatenate([np.ones((1, z.shape[1]), dtype=dtype), z, z[i] * z[j]])


def coefficients(
    means: np.ndarray, precisions: np.ndarray, log_det_precisions: np.ndarray, log_weights: np.ndarray,
    centre: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """(m, p) coefficients of each component's weighted log-density on the :func:`monomials` of rows around ``centre``.

    Parameters
    ----------
    means : ndarray
        (m, d) component means.
    precisions : ndarray
        (m, d, d) inverse covariances.
    log_det_precisions : ndarray
        (m,) log-determinant of each precision.
    log_weights : ndarray
        (m,) log mixing weights.
    centre : ndarray
        (d,) the point the rows are centred on.
    """
    m, d = means.shape
    shifted = means - centre
    linear = np.einsum("kij,kj->ki", precisions, shifted)
    i, j = np.triu_indices(d)
    quadratic = np.where(i == j, -0.5, -1.0) * precisions[:, i, j]
    constant = log_weights + 0.5 * log_det_precisions - 0.5 * (d * np.log(2 * np.pi) + (linear * shifted).sum(axis=1))
    return np.column_stack([constant, linear, quadratic])


def precisions_of(covariances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precisions and their log-determinants of (m, d, d) covariances, each with a small ridge (relative, floored)."""
    d = covariances.shape[-1]
    variance = np.maximum(REG * np.trace(covariances, axis1=1, axis2=2) / d, MIN_VARIANCE)
    ridge = variance[:, None, None] * np.eye(d)
    precisions = np.linalg.inv(covariances + ridge)
    return precisions, np.linalg.slogdet(precisions)[1]


def weighted_log_prob(
    X: np.ndarray, means: np.ndarray, covariances: np.ndarray, log_weights: np.ndarray, dtype=np.float64
) -> np.ndarray:
    """(m, n) log weight + log N(x | mean, covariance) of every row of ``X`` under every component (full covariances).

    The rows are centred on a subsample's mean first, so that float32 holds
    the monomials exactly enough for the tissue model's voxels.
    """
    n = len(X)
    centre = np.asarray(X)[:: max(1, n // 10_000)].mean(axis=0) if n else np.zeros(X.shape[1])
    precisions, log_det = precisions_of(covariances)
    return coefficients(means, precisions, log_det, log_weights, centre).astype(dtype) @ monomials(X, centre, dtype)


def normalise(log_p: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities (written over ``log_p``) and the log-normaliser (float64) along ``axis``: the E-step.

    ``log_p`` holds weighted log-densities, components along ``axis``; it is
    turned in place into posteriors that sum to one along that axis.
    """
    top = log_p.max(axis=axis, keepdims=True)
    log_p -= top
    np.exp(log_p, out=log_p)
    total = log_p.sum(axis=axis, keepdims=True)
    log_p /= total
    return log_p, (top.astype(np.float64) + np.log(total)).squeeze(axis)


def n_parameters(k: int, d: int, covariance_type: str) -> int:
    """Free parameters of a k-component, d-dimensional mixture (as scikit-learn counts them for BIC/AIC)."""
    covariance = {"full": k * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": k * d, "spherical": k}[covariance_type]
    return covariance + k * d + k - 1


def full_covariances(cov: np.ndarray, covariance_type: str, shape: tuple[int, int]) -> np.ndarray:
    """(k, d, d) covariances from scikit-learn's array for any covariance type."""
    k, d = shape
    if covariance_type == "full":
        return np.array(cov, copy=True)
    if covariance_type == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])


def summarise(weighted: np.ndarray, with_confidence: bool = True) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Each row's best component, largest posterior (float32, or None) and log-normaliser, from (n, m) weighted log-densities."""
    best = weighted.argmax(axis=1)
    responsibilities, log_norm = normalise(np.array(weighted, dtype=np.float64), axis=1)
    confidence = responsibilities.max(axis=1).astype(np.float32) if with_confidence else None
    return best, confidence, log_norm
