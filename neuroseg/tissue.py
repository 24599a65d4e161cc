"""A tissue model on top of the lesson's mixture: bias field, spatial prior, partial volume (DESIGN 3.9).

The lesson labels each voxel by its intensities alone. Real scans need three
more things, which FSL FAST, SPM and ANTs Atropos model and which this module
adds, each optional:

* **bias field** (``bias_correct``): each channel is multiplied by a smooth
  field. Its logarithm is a polynomial of the voxel coordinates (total degree
  3, no constant: SPM's low-frequency basis idea) fitted inside the EM loop,
  as FAST does, to the posterior-weighted log residual between each voxel and
  the intensities of the voxel's components, each voxel weighted by their
  precision and by how clearly one component explains it (ambiguous mixtures
  carry anatomy that the field would otherwise absorb).
* **spatial prior** (``beta``): a contrast-sensitive Potts Markov random
  field solved by mean field. A voxel's prior for a tissue grows with
  ``exp(beta * n)``, ``n = mean_j(c_j * p_j / d_j**2)`` over its face
  neighbours j in the mask (6 in 3-D, 4 on a slice): ``p_j`` the neighbour's
  posterior of that tissue, ``d_j`` its distance in mm, ``c_j`` (at most 1)
  its contrast weight, small across a strong edge, so that the prior smooths
  noise inside tissues without eroding thin ones (sulcal CSF, gyral WM), as
  contrast-sensitive priors do in graph-cut segmentation. ``beta`` is the
  strength between neighbours 1 mm apart; larger voxels, which share less
  anatomy, couple less (the inverse square fits the curves measured at 1.5
  and 3 mm in BENCHMARKS.md).
* **partial volume** (``partial_volume``): besides the k pure classes, the
  mixture holds mixed classes at fractions 1/4, 1/2 and 3/4 between classes
  adjacent in label order (CSF/GM and GM/WM with a T1 first) and between the
  first class and the zero background, with interpolated means and
  covariances. Their posteriors are shared out to the pure classes by
  fraction (all to the tissue for a background mix), so a dark rim at the
  brain's edge is CSF, not a class of its own.

Pure-class parameters are re-estimated from the pure posteriors only, on
bias-corrected intensities; with the spatial prior on, the component weights
are held after the first ``SETTLE_WEIGHTS`` iterations, so that EM
converges. Labels keep DESIGN 3.3's numbering (ascending mean of the first
channel), so with a T1 first and k = 3 they read CSF, GM, WM.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np
from scipy import ndimage

from neuroseg.mixture import GMMResult, fit_gmm

DEFAULT_BETA = 15.0
"""The spatial prior's default strength (neighbours 1 mm apart), chosen from the Dice-versus-beta curves in BENCHMARKS.md."""
CONTRAST_SCALE = 1.5
"""Neighbours whose intensities differ by this many robust noise scales (per channel) couple exp(-1/2) as much."""

FRACTIONS = (0.25, 0.5, 0.75)
_BIAS_DEGREE = 3
_BIAS_FIT_ROWS = 200_000
_REG = 1e-6
SETTLE_WEIGHTS = 6
"""With the spatial prior on, the component weights are re-estimated in this many first EM iterations, then held.

The prior already favours a voxel's local majority; re-estimating the global
proportions as well lets the largest class feed on itself (at 9 % noise the
GM class widened and took CSF and WM over tens of iterations: BENCHMARKS.md).
Held weights let the model converge instead of relying on an early stop.
"""
COARSE_START_ABOVE = 1_000_000
"""Above this many voxels (3-D), the model first runs on every second voxel along each axis, then refines."""


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
    max_iter: int = 30,
    tol: float = 3e-3,
    init: GMMResult | None = None,
    spacing: Sequence[float] | None = None,
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
        Strength of the spatial prior (for neighbours 1 mm apart); 0 is off.
    partial_volume : bool, default True
        Model mixed classes between adjacent tissues and the background.
    max_iter : int, default 30
        EM iterations at most (in each stage: a volume of more than
        ``COARSE_START_ABOVE`` voxels is first fitted on every second voxel
        along each axis, without the spatial prior, then refined on all of them).
    tol : float, default 3e-3
        Stop when fewer than this fraction of the voxels change label in an iteration.
    init : GMMResult, optional
        The starting mixture. By default a fast-mode ``fit_gmm`` with ``seed``
        on the mask's interior (the mask eroded by one voxel), so that the dark
        rim at its edge cannot take a class of its own from the start; with
        ``bias_correct``, on intensities whose smooth log trend was removed.
    spacing : sequence of float, optional
        Voxel size in mm along each axis of ``mask`` (default 1 mm): the
        spatial prior couples neighbours by the inverse square of their distance.
    files, mask_file
        Passed to ``fit_gmm`` so refusals of the data name their files.

    Returns
    -------
    TissueFit
    """
    start = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    components = _components(k, partial_volume)
    spacing = (1.0,) * mask.ndim if spacing is None else tuple(float(v) for v in spacing)
    if len(spacing) != mask.ndim:
        raise ValueError(f"spacing has {len(spacing)} values for a {mask.ndim}-D mask")
    model = _Model(components, k, beta, max_iter, tol, spacing)
    weights = np.full(len(components), 1.0 / len(components))
    coarse_start = mask.ndim == 3 and n > COARSE_START_ABOVE
    coef = None
    if coarse_start:
        # every second voxel along each axis (an eighth of them) settles the parameters and the field cheaply;
        # without the spatial prior, which on that grid would thin out ribbons such as the cortex
        rows = np.zeros(mask.shape, dtype=bool)
        rows[::2, ::2, ::2] = True
        coarse_mask, rows = mask[::2, ::2, ::2], rows[mask]
        coarse_basis = _BiasBasis(coarse_mask, step=2, shape=mask.shape) if bias_correct else None
        init = init or _start(X[rows], coarse_mask, coarse_basis, k, seed, files, mask_file)
        coarse = replace(model, beta=0.0).run(
            X[rows], coarse_mask, coarse_basis, init.means, init.covariances, weights, None
        )
        means, covs, weights, coef = coarse.means, coarse.covs, coarse.weights, coarse.coef
    basis = _BiasBasis(mask) if bias_correct else None
    if not coarse_start:
        init = init or _start(X, mask, basis, k, seed, files, mask_file)
        means, covs = init.means, init.covariances
    fit = model.run(X, mask, basis, means, covs, weights, coef)
    corrected = X * np.exp(-fit.log_bias)
    order = np.lexsort(fit.means.T[::-1])
    posteriors = np.ascontiguousarray(fit.posteriors[order].T)
    labels = (posteriors.argmax(axis=1) + 1).astype(np.uint8)
    n_free = len(components) - 1 + k * d + k * d * (d + 1) // 2 + (len(basis.exponents) * d if basis is not None else 0)
    log_likelihood = fit.log_likelihood * n
    result = GMMResult(
        k=k, seed=seed, mode="tissue", covariance_type="full", standardised=False, n_fit=n, n_bins=None,
        labels=labels, confidence=posteriors.max(axis=1), means=fit.means[order], covariances=fit.covs[order],
        weights=posteriors.mean(axis=0), bic=float(-2 * log_likelihood + n_free * np.log(n)),
        aic=float(-2 * log_likelihood + 2 * n_free), n_iter=fit.iterations, converged=fit.converged,
        seconds=time.perf_counter() - start,
    )  # fmt: skip
    return TissueFit(result, posteriors, np.exp(fit.log_bias), corrected, float(beta), bias_correct, partial_volume)


def _start(X, mask, basis, k: int, seed: int, files, mask_file) -> GMMResult:
    """The starting mixture: a fast-mode fit on the mask's interior, on intensities with their log trend removed."""
    n, d = X.shape
    interior = ndimage.binary_erosion(mask)[mask]
    rows = interior if interior.sum() >= max(50 * k, 1000) else slice(None)
    trend = np.zeros((n, d)) if basis is None else _flatten(X, basis)  # only to start: EM re-estimates the field
    return fit_gmm(X[rows] * np.exp(-trend[rows]), k, seed, with_confidence=False, files=files, mask_file=mask_file)


@dataclass(frozen=True)
class _State:
    """Where an EM run ended: pure-class parameters, component weights, bias field and posteriors ((k, n))."""

    means: np.ndarray
    covs: np.ndarray
    weights: np.ndarray
    coef: np.ndarray | None
    log_bias: np.ndarray
    posteriors: np.ndarray
    log_likelihood: float
    iterations: int
    converged: bool


@dataclass(frozen=True)
class _Model:
    """The EM loop's fixed settings."""

    components: list
    k: int
    beta: float
    max_iter: int
    tol: float
    spacing: tuple[float, ...]

    def run(self, X, mask, basis, means, covs, weights, coef) -> _State:
        """EM from the given parameters (and bias coefficients, or none) on the voxels of ``mask``."""
        k, n = self.k, len(X)
        shares = np.array([c.shares(k) for c in self.components])  # (m, k) tissue share of each component
        log_bias = np.zeros(X.shape) if coef is None else basis.field(coef)
        grid = _Grid(mask, X, self.spacing) if self.beta > 0 else None
        # per-voxel arrays are component-major, (components, n) float32: reductions over the
        # components then run along whole rows, many times faster than over a short last axis
        posteriors = np.full((k, n), 1.0 / k, dtype=np.float32)
        labels, converged, iteration, current = np.zeros(n, np.intp), False, 0, 0.0
        for iteration in range(1, self.max_iter + 1):
            corrected = X * np.exp(-log_bias)
            comp_means, comp_covs = _component_gaussians(self.components, means, covs)
            log_p = _log_gaussians(corrected, comp_means, comp_covs, np.log(np.maximum(weights, 1e-12)))
            if self.beta > 0:
                log_p += (self.beta * shares).astype(np.float32) @ grid.neighbour_means(posteriors)
            resp, log_norm = _normalise(log_p)
            posteriors = shares.T.astype(np.float32) @ resp
            current = float(log_norm.mean() - log_bias.sum() / n)  # with the Jacobian of dividing by the field
            if self.beta == 0 or iteration <= SETTLE_WEIGHTS:
                weights = resp.mean(axis=1, dtype=np.float64)
            means, covs = _pure_update(corrected, resp[:k], means, covs)
            if basis is not None:
                coef = _bias_update(X, resp, comp_means, comp_covs, basis)
                log_bias = basis.field(coef)
            now = posteriors.argmax(axis=0)
            changed = np.count_nonzero(now != labels) / n
            labels = now
            if changed < self.tol and iteration > 2:
                converged = True
                break
        return _State(means, covs, weights, coef, log_bias, posteriors, current, iteration, converged)


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


def _log_gaussians(X: np.ndarray, means: np.ndarray, covs: np.ndarray, log_weights: np.ndarray) -> np.ndarray:
    """(m, n) float32 weighted log densities of every row under every component (full covariances).

    A Gaussian's log density is a quadratic polynomial of the row, so all m of
    them are one (m, p) @ (p, n) product with the rows' p = 1 + d + d(d+1)/2
    monomials (of the centred rows, which float32 holds exactly enough).
    """
    n, d = X.shape
    centre = X[:: max(1, n // 10_000)].mean(axis=0)  # any nearby centre keeps float32 exact enough
    z = (X - centre).T.astype(np.float32)
    i, j = np.triu_indices(d)
    monomials = np.concatenate([np.ones((1, n), dtype=np.float32), z, z[i] * z[j]])
    rows = []
    for mean, cov, log_weight in zip(means, covs, log_weights):
        precision = np.linalg.inv(cov + _REG * np.eye(d) * np.trace(cov) / d)
        shifted = mean - centre
        linear = precision @ shifted
        constant = log_weight - 0.5 * (shifted @ linear - np.linalg.slogdet(precision)[1] + d * np.log(2 * np.pi))
        rows.append(np.concatenate([[constant], linear, np.where(i == j, -0.5, -1.0) * precision[i, j]]))
    return np.array(rows, dtype=np.float32) @ monomials


def _normalise(log_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities (in place of the (m, n) ``log_p``) and each voxel's log normaliser."""
    top = log_p.max(axis=0)
    log_p -= top
    np.exp(log_p, out=log_p)
    total = log_p.sum(axis=0)
    log_p /= total
    return log_p, top.astype(np.float64) + np.log(total)


def _pure_update(X: np.ndarray, resp: np.ndarray, means: np.ndarray, covs: np.ndarray):
    """Weighted means and covariances of the pure classes (``resp`` is (k, n)); kept where a class has no weight."""
    means, covs = means.copy(), covs.copy()
    totals = resp.sum(axis=1, dtype=np.float64)
    for j in range(len(resp)):
        if totals[j] < 10:
            continue
        w = resp[j].astype(np.float64)
        mean = w @ X / totals[j]
        diff = X - mean
        means[j] = mean
        covs[j] = (diff * w[:, None]).T @ diff / totals[j]
    return means, covs


class _BiasBasis:
    """Polynomials of total degree 1..3 in the voxel coordinates (scaled to [-1, 1]) over a mask.

    The least-squares fits use the terms at every ``step``-th mask voxel only
    (at most ``_BIAS_FIT_ROWS``); a fitted polynomial is evaluated at every
    mask voxel through its separable form (one small tensor contraction per
    axis), so the n-by-terms matrix of a 1 mm brain (290 MB) is never built.
    """

    def __init__(self, mask: np.ndarray, step: int = 1, shape: tuple[int, ...] | None = None) -> None:
        """``mask`` may be every ``step``-th voxel of a grid of ``shape``: coordinates are that grid's, scaled."""
        shape = mask.shape if shape is None else shape
        box = ndimage.find_objects(mask.astype(np.uint8))[0]
        self.inside = mask[box]
        self.axes = [a for a, size in enumerate(shape) if size > 1]
        self.powers = [
            np.vander(2.0 * step * np.arange(box[a].start, box[a].stop) / (shape[a] - 1) - 1.0, _BIAS_DEGREE + 1,
                      increasing=True)
            for a in self.axes
        ]  # fmt: skip
        self.exponents = [e for degree in range(1, _BIAS_DEGREE + 1) for e in _exponents(len(self.axes), degree)]
        n = int(self.inside.sum())
        self.rows = slice(None, None, max(1, int(np.ceil(n / _BIAS_FIT_ROWS))))
        coords = [c[self.rows] for c in np.nonzero(self.inside)]
        terms = np.column_stack(
            [
                np.prod([self.powers[i][coords[a], e[i]] for i, a in enumerate(self.axes)], axis=0)
                for e in self.exponents
            ]
        )
        self.centre = terms.mean(axis=0)
        self.matrix = terms - self.centre  # centred: a fitted field has no constant part

    def evaluate(self, coef: np.ndarray) -> np.ndarray:
        """(n,) the centred polynomial with coefficients ``coef`` at every mask voxel, in C order."""
        tensor = np.zeros((_BIAS_DEGREE + 1,) * len(self.axes))
        for e, c in zip(self.exponents, coef):
            tensor[e] = c
        for powers in self.powers:  # contract one axis at a time: (..., degree) x (size, degree)
            tensor = np.tensordot(tensor, powers, axes=([0], [1]))
        return tensor.reshape(self.inside.shape)[self.inside] - self.centre @ coef

    def field(self, coef: np.ndarray) -> np.ndarray:
        """(n, d) log bias of each channel, from (terms, d) coefficients."""
        return np.column_stack([self.evaluate(c) for c in coef.T])


def _exponents(n_axes: int, degree: int) -> list[tuple[int, ...]]:
    if n_axes == 1:
        return [(degree,)]
    return [(first,) + rest for first in range(degree, -1, -1) for rest in _exponents(n_axes - 1, degree - first)]


def _flatten(X: np.ndarray, basis: _BiasBasis) -> np.ndarray:
    """A first log bias: the smooth part of each channel's log intensity, so the starting mixture sees tissues.

    With a strong field the raw intensities cluster by position rather than
    by tissue; removing the polynomial trend of the log intensities (which
    also takes some of the tissues' large-scale layout, corrected by the EM
    loop's own bias updates) lets the starting mixture find the tissues.
    """
    log_bias = np.zeros(X.shape)
    for c in range(X.shape[1]):
        values = np.log(np.maximum(X[basis.rows, c], 1e-12))
        coef = np.linalg.lstsq(basis.matrix, values - values.mean(), rcond=None)[0]
        log_bias[:, c] = basis.evaluate(coef)
    return log_bias


def _bias_update(X, resp, comp_means, comp_covs, basis: _BiasBasis) -> np.ndarray:
    """(terms, d) coefficients of the log bias of each channel: weighted least squares of the log residual.

    Each voxel's residual is ``log x - log m_c`` averaged over its components
    ``c`` by responsibility times (log-domain) precision ``m_c^2 / var_c``.
    The voxel then weighs by that precision times the square of its largest
    responsibility: where no component is clear (mixtures of tissues in
    proportions the model only approximates), the residual carries anatomy,
    which the field would otherwise absorb. The field's mean over the voxels
    is fixed to 1 (its scale belongs to the class means).
    """
    rows, B = basis.rows, basis.matrix
    coef = np.empty((B.shape[1], X.shape[1]))
    sampled = resp[:, rows].astype(np.float64)
    clarity = sampled.max(axis=0) ** 2
    for c in range(X.shape[1]):
        means = comp_means[:, c]
        usable = means > 1e-6 * np.abs(means).max()  # a mean of about 0 has no usable log
        precision = np.where(usable, means**2 / comp_covs[:, c, c], 0.0)[:, None] * sampled
        weight = precision.sum(axis=0)
        log_means = np.log(np.where(usable, means, 1.0))
        log_x = np.log(np.maximum(X[rows, c], 1e-12))
        residual = log_x - (log_means @ precision) / np.maximum(weight, 1e-300)
        weight = np.where(X[rows, c] > 0, weight * clarity, 0.0)
        residual -= np.average(residual, weights=weight) if weight.sum() > 0 else 0.0
        lhs = (B * weight[:, None]).T @ B
        rhs = (B * weight[:, None]).T @ residual
        coef[:, c] = np.linalg.lstsq(lhs + 1e-9 * np.eye(len(lhs)) * np.trace(lhs), rhs, rcond=None)[0]
    return coef


class _Grid:
    """The analysed voxels in their grid (cropped to their bounding box) and the couplings of face neighbours.

    Two face neighbours couple by ``c / d^2``: ``d`` their distance in mm and
    ``c = exp(-|dx|^2 / (2 D))`` their contrast weight, ``dx`` the difference
    of their D raw intensities (a smooth bias field hardly changes a neighbour
    difference) in units of ``CONTRAST_SCALE`` times each channel's robust
    scale of neighbour differences. In noise ``c`` is about the same
    everywhere; across a real edge it is small, so the prior smooths within
    tissues without eroding thin ones (sulcal CSF, gyral WM) across edges.
    """

    def __init__(self, mask: np.ndarray, X: np.ndarray, spacing: Sequence[float]) -> None:
        box = ndimage.find_objects(mask.astype(np.uint8))[0]
        self.mask = mask[box]
        volumes = []
        for column in X.T:
            volume = np.zeros(self.mask.shape, dtype=np.float32)
            volume[self.mask] = column
            volumes.append(volume)
        self.links = []  # (slices of the first and of the second voxel of each pair, both in the mask)
        for axis in range(self.mask.ndim):
            first, second = [slice(None)] * self.mask.ndim, [slice(None)] * self.mask.ndim
            first[axis], second[axis] = slice(None, -1), slice(1, None)
            first, second = tuple(first), tuple(second)
            self.links.append((first, second, self.mask[first] & self.mask[second]))
        scales = [_difference_scale(volume, self.links, column) * CONTRAST_SCALE for volume, column in zip(volumes, X.T)]
        self.weights = []
        for (a, b, both), step in zip(self.links, spacing):
            distance = sum(((v[b] - v[a]) / scale) ** 2 for v, scale in zip(volumes, scales))
            self.weights.append(np.where(both, np.exp(-distance / (2 * len(volumes))) / step**2, 0).astype(np.float32))
        neighbours = np.zeros(self.mask.shape, dtype=np.float32)
        for a, b, both in self.links:
            neighbours[a] += both
            neighbours[b] += both
        self.count = np.maximum(neighbours[self.mask], 1)
        self.total = self._sums(np.ones(self.mask.shape, dtype=np.float32))[self.mask] / self.count

    def _sums(self, volume: np.ndarray) -> np.ndarray:
        """Each voxel's coupling-weighted sum of ``volume`` over its face neighbours."""
        out = np.zeros_like(volume)
        for (a, b, _), weight in zip(self.links, self.weights):
            out[a] += weight * volume[b]
            out[b] += weight * volume[a]
        return out

    def neighbour_means(self, posteriors: np.ndarray) -> np.ndarray:
        """(k, n): each voxel's coupling-weighted sum of each class's posterior over its neighbours, per neighbour.

        Posteriors sum to one, so the last class's sum is the couplings' total minus the others' (one pass fewer).
        """
        out = np.empty(posteriors.shape, dtype=np.float32)
        volume = np.zeros(self.mask.shape, dtype=np.float32)
        for j, row in enumerate(posteriors[:-1]):
            volume[self.mask] = row
            out[j] = self._sums(volume)[self.mask] / self.count
        out[-1] = self.total - out[:-1].sum(axis=0)
        return out


def _difference_scale(volume: np.ndarray, links, values: np.ndarray) -> float:
    """A robust noise scale of one channel: the median absolute difference of face neighbours, as a Gaussian sigma.

    Floored at 1 % of the channel's 1-99 percentile range, so that a quantised
    image whose neighbours are mostly equal still has a usable scale.
    """
    differences = np.concatenate([np.abs(volume[b] - volume[a])[both] for a, b, both in links])
    low, high = np.percentile(values, [1, 99])
    scale = np.median(differences) / 0.6745 if differences.size else 0.0
    return float(max(scale, 0.01 * (high - low), 1e-12))
