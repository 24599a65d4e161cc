"""A tissue model on top of the lesson's mixture: bias field, spatial prior, partial volume (DESIGN 3.9).

The lesson labels each voxel by its intensities alone. Real scans need three
more things, which FSL FAST, SPM and ANTs Atropos model and which this module
adds, each optional:

* **bias field** (``bias_correct``): each channel is multiplied by a smooth
  field. Its logarithm is a polynomial of the voxel coordinates (total degree
  3, no constant: SPM's low-frequency basis idea) fitted inside the EM loop,
  as FAST does, to the posterior-weighted log residual between each voxel and
  the intensity the model expects there, each voxel weighted by the precision
  of the classes it belongs to.
* **spatial prior** (``beta``): a Potts Markov random field solved by mean
  field: a voxel's prior for a tissue grows with ``exp(beta * n)``, ``n`` the
  mean posterior of that tissue over its 26 neighbours (8 on a slice) in the mask.
* **partial volume** (``partial_volume``): besides the k pure classes, the
  mixture holds mixed classes at fractions 1/4, 1/2 and 3/4 between classes
  adjacent in label order (CSF/GM and GM/WM with a T1 first) and between the
  first class and the zero background, with interpolated means and
  covariances. Their posteriors are shared out to the pure classes by
  fraction (all to the tissue for a background mix), so a dark rim at the
  brain's edge is CSF, not a class of its own.

Pure-class parameters are re-estimated from the pure posteriors only, on
bias-corrected intensities. Labels keep DESIGN 3.3's numbering (ascending mean
of the first channel), so with a T1 first and k = 3 they read CSF, GM, WM.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import ndimage

from neuroseg.mixture import GMMResult, fit_gmm

DEFAULT_BETA = 1.5
"""The spatial prior's default strength, chosen from the Dice-versus-beta curve in BENCHMARKS.md."""

FRACTIONS = (0.25, 0.5, 0.75)
_BIAS_DEGREE = 3
_BIAS_FIT_ROWS = 200_000
_REG = 1e-6


@dataclass(frozen=True)
class TissueFit:
    """A fitted tissue model and what it says about each voxel.

    Attributes
    ----------
    result : GMMResult
        Labels, confidence and pure-class parameters (in bias-corrected
        units), in DESIGN 3.3's label order; ``mode`` is ``"tissue"``.
    posteriors : ndarray
        (n_voxels, k) float32 tissue posteriors in label order (mixed classes
        shared out by fraction); the labels are their argmax.
    bias : ndarray
        (n_voxels, n_channels) estimated multiplicative bias field (ones
        when ``bias_correct`` is off).
    corrected : ndarray
        (n_voxels, n_channels) intensities divided by the bias field.
    beta : float
    bias_correct, partial_volume : bool
    """

    result: GMMResult
    posteriors: np.ndarray
    bias: np.ndarray
    corrected: np.ndarray
    beta: float
    bias_correct: bool
    partial_volume: bool


def tissue_names(channel_names: Sequence[str], k: int) -> tuple[str, ...] | None:
    """CSF, GM, WM for k = 3 when the first channel is T1-weighted (its name says so), else None."""
    if k == 3 and channel_names and "t1" in channel_names[0].lower():
        return ("CSF", "GM", "WM")
    return None


def fit_tissue_model(
    X: np.ndarray,
    mask: np.ndarray,
    k: int,
    seed: int,
    *,
    bias_correct: bool = False,
    beta: float = 0.0,
    partial_volume: bool = True,
    max_iter: int = 15,
    tol: float = 3e-3,
    init: GMMResult | None = None,
    files: Sequence[str] | None = None,
    mask_file: str | None = None,
) -> TissueFit:
    """Fit the tissue model to the masked voxels of a slice or volume.

    Parameters
    ----------
    X : ndarray
        (n_voxels, n_channels) raw intensities of the voxels of ``mask``, in C order.
    mask : ndarray of bool
        The analysed voxels in their 2-D or 3-D grid (``X``'s rows are ``mask``'s voxels).
    k, seed : int
        Tissue classes, and the seed of the starting mixture.
    bias_correct : bool, default False
        Estimate a multiplicative bias field per channel.
    beta : float, default 0
        Strength of the spatial prior; 0 is off.
    partial_volume : bool, default True
        Model mixed classes between adjacent tissues and the background.
    max_iter : int, default 15
        EM iterations at most.
    tol : float, default 3e-3
        Stop when fewer than this fraction of the voxels change label in an iteration.
    init : GMMResult, optional
        The starting mixture. By default a fast-mode ``fit_gmm`` with ``seed``
        on the mask's interior (the mask eroded by one voxel), so that the dark
        rim at its edge cannot take a class of its own from the start; with
        ``bias_correct``, on intensities whose smooth log trend was removed.
    files, mask_file
        Passed to ``fit_gmm`` so refusals of the data name their files.

    Returns
    -------
    TissueFit
    """
    start = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    basis = _bias_basis(mask) if bias_correct else None
    log_bias = np.zeros((n, d))
    if init is None:
        interior = ndimage.binary_erosion(mask)[mask]
        rows = interior if interior.sum() >= max(50 * k, 1000) else slice(None)
        trend = np.zeros((n, d)) if basis is None else _flatten(X, basis)  # only to start: EM re-estimates the field
        start_X = X[rows] * np.exp(-trend[rows])
        init = fit_gmm(start_X, k, seed, with_confidence=False, files=files, mask_file=mask_file)
    means, covs = init.means.copy(), init.covariances.copy()
    components = _components(k, partial_volume)
    weights = np.full(len(components), 1.0 / len(components))
    shares = np.array([c.shares(k) for c in components])  # (m, k) tissue share of each component
    grid = _Grid(mask)
    posteriors = np.full((n, k), 1.0 / k)
    labels, converged, iteration = np.zeros(n, np.intp), False, 0
    for iteration in range(1, max_iter + 1):
        corrected = X * np.exp(-log_bias)
        comp_means, comp_covs = _component_gaussians(components, means, covs)
        log_p = _log_gaussians(corrected, comp_means, comp_covs)
        log_p += np.log(np.maximum(weights, 1e-12)).astype(np.float32)
        if beta > 0:
            log_p += (beta * grid.neighbour_means(posteriors) @ shares.T).astype(np.float32)
        resp, log_norm = _normalise(log_p)
        posteriors = resp @ shares.astype(np.float32)
        current = float(log_norm.mean() - log_bias.sum(axis=1).mean())  # with the Jacobian of dividing by the field
        weights = resp.mean(axis=0)
        means, covs = _pure_update(corrected, resp[:, :k], means, covs)
        if basis is not None:
            log_bias = _bias_update(X, resp, comp_means, comp_covs, basis, k)
        changed = np.count_nonzero(posteriors.argmax(axis=1) != labels) / n
        labels = posteriors.argmax(axis=1)
        if changed < tol and iteration > 2:
            converged = True
            break
    corrected = X * np.exp(-log_bias)
    order = np.lexsort(means.T[::-1])
    rank = np.empty(k, dtype=np.uint8)
    rank[order] = np.arange(1, k + 1, dtype=np.uint8)
    posteriors = posteriors[:, order].astype(np.float32)
    labels = (posteriors.argmax(axis=1) + 1).astype(np.uint8)
    n_free = len(components) - 1 + k * d + k * d * (d + 1) // 2 + (basis.shape[1] * d if basis is not None else 0)
    log_likelihood = current * n
    result = GMMResult(
        k=k, seed=seed, mode="tissue", covariance_type="full", standardised=False, n_fit=n, n_bins=None,
        labels=labels, confidence=posteriors.max(axis=1), means=means[order], covariances=covs[order],
        weights=posteriors.mean(axis=0), bic=float(-2 * log_likelihood + n_free * np.log(n)),
        aic=float(-2 * log_likelihood + 2 * n_free), n_iter=iteration, converged=converged,
        seconds=time.perf_counter() - start,
    )  # fmt: skip
    return TissueFit(result, posteriors, np.exp(log_bias), corrected, float(beta), bias_correct, partial_volume)


@dataclass(frozen=True)
class _Component:
    """A pure class (``b is None``) or a mix of ``fraction`` of class ``a`` with class ``b`` (-1 = background)."""

    a: int
    b: int | None = None
    fraction: float = 1.0

    def shares(self, k: int) -> np.ndarray:
        out = np.zeros(k)
        if self.b is None or self.b < 0:
            out[self.a] = 1.0
        else:
            out[self.a], out[self.b] = self.fraction, 1.0 - self.fraction
        return out


def _components(k: int, partial_volume: bool) -> list[_Component]:
    """Pure classes first (in label order), then the mixed classes."""
    pure = [_Component(j) for j in range(k)]
    if not partial_volume:
        return pure
    pairs = [(j, j + 1) for j in range(k - 1)] + [(0, -1)]
    return pure + [_Component(a, b, f) for a, b in pairs for f in FRACTIONS]


def _component_gaussians(components, means, covs):
    """Means and covariances of every component; a mix interpolates its classes (the background's mean is 0)."""
    out_means, out_covs = [], []
    for c in components:
        if c.b is None:
            out_means.append(means[c.a])
            out_covs.append(covs[c.a])
            continue
        other_mean = np.zeros_like(means[0]) if c.b < 0 else means[c.b]
        other_cov = covs[c.a] if c.b < 0 else covs[c.b]
        out_means.append(c.fraction * means[c.a] + (1 - c.fraction) * other_mean)
        out_covs.append(c.fraction * covs[c.a] + (1 - c.fraction) * other_cov)
    return np.array(out_means), np.array(out_covs)


def _log_gaussians(X: np.ndarray, means: np.ndarray, covs: np.ndarray) -> np.ndarray:
    """(n, m) float32 log densities of every row under every component (full covariances)."""
    n, d = X.shape
    out = np.empty((n, len(means)), dtype=np.float32)
    for j, (mean, cov) in enumerate(zip(means, covs)):
        cov = cov + _REG * np.eye(d) * np.trace(cov) / d
        diff = X - mean
        quadratic = np.einsum("ij,ij->i", diff @ np.linalg.inv(cov), diff)
        out[:, j] = -0.5 * quadratic - 0.5 * (np.linalg.slogdet(cov)[1] + d * np.log(2 * np.pi))
    return out


def _normalise(log_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities (in place of ``log_p``) and each row's log normaliser."""
    top = log_p.max(axis=1)
    log_p -= top[:, None]
    np.exp(log_p, out=log_p)
    total = log_p.sum(axis=1)
    log_p /= total[:, None]
    return log_p, top.astype(np.float64) + np.log(total)


def _pure_update(X: np.ndarray, resp: np.ndarray, means: np.ndarray, covs: np.ndarray):
    """Weighted means and covariances of the pure classes (kept where a class has no weight)."""
    means, covs = means.copy(), covs.copy()
    totals = resp.sum(axis=0)
    for j in range(resp.shape[1]):
        if totals[j] < 10:
            continue
        w = resp[:, j]
        mean = w @ X / totals[j]
        diff = X - mean
        means[j] = mean
        covs[j] = (diff * w[:, None]).T @ diff / totals[j]
    return means, covs


def _bias_basis(mask: np.ndarray) -> np.ndarray:
    """(n, p) polynomial terms of total degree 1..3 of the mask voxels' coordinates, scaled to [-1, 1]."""
    coords = np.nonzero(mask)
    scaled = [2.0 * c / max(s - 1, 1) - 1.0 for c, s in zip(coords, mask.shape) if s > 1]
    terms = []
    for degree in range(1, _BIAS_DEGREE + 1):
        for powers in _exponents(len(scaled), degree):
            term = np.ones(len(coords[0]))
            for axis, power in enumerate(powers):
                if power:
                    term = term * scaled[axis] ** power
            terms.append(term)
    return np.column_stack(terms)


def _exponents(n_axes: int, degree: int) -> list[tuple[int, ...]]:
    if n_axes == 1:
        return [(degree,)]
    return [(first,) + rest for first in range(degree, -1, -1) for rest in _exponents(n_axes - 1, degree - first)]


def _flatten(X: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """A first log bias: the smooth part of each channel's log intensity, so the starting mixture sees tissues.

    With a strong field the raw intensities cluster by position rather than
    by tissue; removing the polynomial trend of the log intensities (which
    also takes some of the tissues' large-scale layout, corrected by the EM
    loop's own bias updates) lets the starting mixture find the tissues.
    """
    log_bias = np.zeros(X.shape)
    B = basis - basis.mean(axis=0)
    rows = slice(None, None, max(1, int(np.ceil(len(X) / _BIAS_FIT_ROWS))))
    for c in range(X.shape[1]):
        values = np.log(np.maximum(X[:, c], 1e-12))
        coef = np.linalg.lstsq(B[rows], values[rows] - values[rows].mean(), rcond=None)[0]
        log_bias[:, c] = B @ coef
    return log_bias


def _bias_update(X, resp, comp_means, comp_covs, basis, k: int) -> np.ndarray:
    """Log bias per channel: weighted least squares of the log residual on the polynomial basis.

    The residual is ``log x - log m``, ``m`` the clean intensity the posteriors
    expect at the voxel; each voxel weighs by the (log-domain) precision
    ``m^2 / var`` its classes give it. The field's mean over the voxels is
    fixed to 1 (its scale belongs to the class means).
    """
    n, d = X.shape
    rows = slice(None) if n <= _BIAS_FIT_ROWS else slice(None, None, int(np.ceil(n / _BIAS_FIT_ROWS)))
    log_bias = np.empty((n, d))
    B = basis[rows]
    B_centred = B - B.mean(axis=0)
    for c in range(d):
        expected = resp[rows] @ comp_means[:, c]
        precision = resp[rows, :k] @ (comp_means[:k, c] ** 2 / comp_covs[:k, c, c])
        ok = (expected > 1e-6 * np.abs(comp_means[:, c]).max()) & (X[rows, c] > 0)
        weight = np.where(ok, precision, 0.0)
        residual = np.where(ok, np.log(np.where(ok, X[rows, c], 1.0)) - np.log(np.where(ok, expected, 1.0)), 0.0)
        residual -= np.average(residual, weights=weight) if weight.sum() > 0 else 0.0
        lhs = (B_centred * weight[:, None]).T @ B_centred
        rhs = (B_centred * weight[:, None]).T @ residual
        coef = np.linalg.lstsq(lhs + 1e-9 * np.eye(len(lhs)) * np.trace(lhs), rhs, rcond=None)[0]
        log_bias[:, c] = (basis - B.mean(axis=0)) @ coef
    return log_bias


class _Grid:
    """The analysed voxels in their grid (cropped to their bounding box), for neighbour sums."""

    def __init__(self, mask: np.ndarray) -> None:
        box = ndimage.find_objects(mask.astype(np.uint8))[0]
        self.mask = mask[box]
        self.count = self._box_sums(self.mask.astype(np.float32))[self.mask] - 1

    def _box_sums(self, volume: np.ndarray) -> np.ndarray:
        """Sum over each voxel's 3x3(x3) box, itself included (a separable uniform filter)."""
        return ndimage.uniform_filter(volume, size=3, mode="constant") * 3**volume.ndim

    def neighbour_means(self, values: np.ndarray) -> np.ndarray:
        """(n, k): each voxel's mean of ``values`` over its neighbours inside the mask (26 in 3-D, 8 in 2-D)."""
        out = np.empty(values.shape, dtype=np.float32)
        volume = np.zeros(self.mask.shape, dtype=np.float32)
        for j in range(values.shape[1]):
            volume[self.mask] = values[:, j]
            out[:, j] = self._box_sums(volume)[self.mask] - values[:, j]
        return out / np.maximum(self.count, 1)[:, None]
