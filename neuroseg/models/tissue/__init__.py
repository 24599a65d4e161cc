"""A tissue model on top of the lesson's mixture: bias field, spatial prior, partial volume (DESIGN 3.9).

The lesson labels each voxel by its intensities alone. Real scans need three
more things, which FSL FAST, SPM and ANTs Atropos model, each optional and
each in a module of its own:

* :mod:`~neuroseg.models.tissue.bias`: a smooth multiplicative bias field per
  channel (``bias_correct``), estimated inside the EM loop;
* :mod:`~neuroseg.models.tissue.spatial`: a contrast-sensitive Potts prior over
  face neighbours (``beta``);
* :mod:`~neuroseg.models.tissue.partial_volume`: mixed classes between adjacent
  tissues and the background (``partial_volume``);

and :mod:`~neuroseg.models.tissue.em` runs the EM loop that combines them.
Labels keep DESIGN 3.3's numbering (ascending mean of the first channel), so
with a T1 first and k = 3 they read CSF, GM, WM.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Sequence

import numpy as np
from scipy import ndimage

from neuroseg.models.data import FitData
from neuroseg.models.gaussian import normalise, weighted_log_prob
from neuroseg.models.mixture import fit_fast
from neuroseg.models.options import FitOptions, OptionError
from neuroseg.models.priors import TISSUES
from neuroseg.models.result import GMMResult, criteria
from neuroseg.models.tissue.bias import BiasBasis, flatten
from neuroseg.models.tissue.em import EM
from neuroseg.models.tissue.partial_volume import components

OUTLIER_FENCE = 1.0
"""How far above the 99th percentile, in 1-99 % ranges, a voxel is an outlier that the tissue model leaves out."""
MAX_OUTLIER_SHARE = 0.01
"""More outliers than this share of the voxels is no outlier but a tissue (the guard stands down)."""
DARK_START_PERCENT = 5.0
"""The dark start puts the first class at the mean of this darkest percentage of the voxels."""
COARSE_START_ABOVE = 1_000_000
"""Above this many voxels (3-D), the model first runs on every second voxel along each axis, then refines."""


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
    priors: np.ndarray | None = None,
    exclude_outliers: bool = True,
) -> GMMResult:
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
        The starting mixture. By default a fast-mode fit with ``seed``
        on the mask's interior (the mask eroded by one voxel), so that the dark
        rim at its edge cannot take a class of its own from the start; with one
        channel, its first class starts at the darkest voxels (``_start``); with
        ``bias_correct``, on intensities whose smooth log trend was removed.
    spacing : sequence of float, optional
        Voxel size in mm along each axis of ``mask`` (default 1 mm): the
        spatial prior couples neighbours by the inverse square of their distance.
    priors : ndarray, optional
        (k, n_voxels) prior probability of each class at each voxel, in label
        order (with a T1 first and k = 3: CSF, GM, WM), such as the registered
        template's (:func:`neuroseg.models.priors.template_priors`).
    exclude_outliers : bool, default True
        Leave the voxels that :func:`bright_outliers` finds out of the fit, then label them (see Notes).

    Returns
    -------
    GMMResult
        ``model`` ``"tissue"``; means and covariances in bias-corrected units;
        with ``posteriors``, ``bias`` and ``corrected`` (one row per voxel).

    Notes
    -----
    Voxels far brighter than the bulk of the brain (:func:`bright_outliers`: a
    vessel, fat, a marker, a planted ball) are left out of the fit, so that they
    cannot take a tissue class or bend the field, and are then labelled by the
    fitted classes (with no field and no spatial prior).
    """
    X = np.asarray(X, dtype=np.float64)
    outliers = bright_outliers(X) if exclude_outliers else np.zeros(len(X), bool)
    if outliers.any() and outliers.mean() <= MAX_OUTLIER_SHARE:
        return _without_outliers(X, mask, k, seed, outliers, priors, bias_correct=bias_correct, beta=beta,
                                 partial_volume=partial_volume, max_iter=max_iter, tol=tol, init=init,
                                 spacing=spacing)  # fmt: skip
    start = time.perf_counter()
    n, d = X.shape
    mixture = components(k, partial_volume)
    spacing = (1.0,) * mask.ndim if spacing is None else tuple(float(v) for v in spacing)
    if len(spacing) != mask.ndim:
        raise ValueError(f"spacing has {len(spacing)} values for a {mask.ndim}-D mask")
    if priors is not None and priors.shape != (k, n):
        raise ValueError(f"priors have shape {priors.shape}, not (k, n_voxels) = {(k, n)}")
    model = EM(mixture, k, beta, max_iter, tol, spacing)
    weights = np.full(len(mixture), 1.0 / len(mixture))
    coarse_start = mask.ndim == 3 and n > COARSE_START_ABOVE
    if coarse_start:
        # every second voxel along each axis (an eighth of them) settles the parameters and the field cheaply;
        # without the spatial prior, which on that grid would thin out ribbons such as the cortex
        rows = np.zeros(mask.shape, dtype=bool)
        rows[::2, ::2, ::2] = True
        settle_mask, rows = mask[::2, ::2, ::2], rows[mask]
        settle_basis = BiasBasis(settle_mask, step=2, shape=mask.shape) if bias_correct else None
    basis = BiasBasis(mask) if bias_correct else None
    if not coarse_start:
        rows, settle_mask, settle_basis = slice(None), mask, basis
    init = init or _start(X[rows], settle_mask, settle_basis, k, seed)
    means, covs, coef = init.means, init.covariances, None
    if coarse_start:
        coarse = replace(model, beta=0.0).run(
            X[rows], settle_mask, settle_basis, means, covs, weights, None, None if priors is None else priors[:, rows]
        )  # fmt: skip
        means, covs, weights, coef = coarse.means, coarse.covs, coarse.weights, coarse.coef
    fit = model.run(X, mask, basis, means, covs, weights, coef, priors)
    corrected = X * np.exp(-fit.log_bias)
    order = np.lexsort(fit.means.T[::-1])
    posteriors = np.ascontiguousarray(fit.posteriors[order].T)
    labels = (posteriors.argmax(axis=1) + 1).astype(np.uint8)
    n_free = len(mixture) - 1 + k * d + k * d * (d + 1) // 2 + (len(basis.exponents) * d if basis is not None else 0)
    log_likelihood = fit.log_likelihood * n
    bic, aic = criteria(log_likelihood, n_free, n)
    options = FitOptions(bias_correct=bias_correct, mrf=beta, priors="off" if priors is None else "template")
    return GMMResult(
        k=k, seed=seed, model="tissue", options=options, n_fit=n, n_bins=None, labels=labels,
        confidence=posteriors.max(axis=1), means=fit.means[order], covariances=fit.covs[order],
        weights=posteriors.mean(axis=0), bic=bic, aic=aic, n_iter=fit.iterations, converged=fit.converged,
        seconds=time.perf_counter() - start, posteriors=posteriors, bias=np.exp(fit.log_bias), corrected=corrected,
    )  # fmt: skip


def bright_outliers(X: np.ndarray) -> np.ndarray:
    """Rows brighter in some channel than its 99th percentile by more than ``OUTLIER_FENCE`` times its 1-99 % range.

    A tissue's intensities sit inside that range; a few millilitres of
    something much brighter (a vessel, fat, a fiducial marker) would otherwise
    take a class of its own and the field would bend around it.
    """
    low, high = np.percentile(X, [1, 99], axis=0)
    return np.any(X > high + OUTLIER_FENCE * (high - low), axis=1)


def _without_outliers(X, mask, k, seed, outliers, priors, **settings) -> GMMResult:
    """The model fitted without the outlier rows, which are then labelled by its classes (no field, no prior)."""
    inliers = ~outliers
    inner_mask = mask.copy()
    inner_mask[mask] = inliers
    inner = fit_tissue_model(
        X[inliers], inner_mask, k, seed, priors=None if priors is None else priors[:, inliers], exclude_outliers=False,
        **settings,
    )  # fmt: skip
    log_p = weighted_log_prob(X[outliers], inner.means, inner.covariances, np.log(np.maximum(inner.weights, 1e-300)))
    posteriors = np.empty((len(X), k), np.float32)
    posteriors[inliers] = inner.posteriors
    posteriors[outliers] = normalise(log_p, axis=0)[0].T
    bias = np.ones(X.shape)
    bias[inliers] = inner.bias
    return replace(
        inner, labels=(posteriors.argmax(axis=1) + 1).astype(np.uint8), confidence=posteriors.max(axis=1),
        posteriors=posteriors, bias=bias, corrected=X / bias, n_fit=int(inliers.sum()),
    )  # fmt: skip


def fit_tissue(data: FitData, k: int, seed: int, options: FitOptions, with_confidence: bool = True) -> GMMResult:
    """The tissue model behind :func:`neuroseg.models.fit`: ``options.bias_correct`` and ``options.mrf`` switch its parts.

    It always models full covariances of raw intensities, and needs ``data.mask`` (the voxels' grid);
    ``options.priors == "template"`` needs k = 3 and ``data.priors``.
    """
    if data.mask is None:
        raise ValueError("the tissue model needs the voxels' grid (FitData.mask)")
    priors = None
    if options.priors == "template":
        if k != len(TISSUES):
            raise OptionError("priors", "template", f"gives CSF, GM and WM priors, so it needs k = 3, not k = {k}.")
        if data.priors is None:
            raise ValueError("priors='template' needs the rows' prior probabilities (FitData.priors)")
        priors = data.priors
    result = fit_tissue_model(
        data.X, data.mask, k, seed, bias_correct=options.bias_correct, beta=options.mrf, spacing=data.spacing,
        priors=priors,
    )  # fmt: skip
    return replace(result, options=options)


def _start(X, mask, basis, k: int, seed: int) -> GMMResult:
    """The starting mixture: a fast-mode fit on the mask's interior; with one channel and k >= 3, CSF at the darkest voxels.

    The interior (the mask eroded by one voxel) keeps the dark rim at the
    mask's edge from taking a class of its own. With one T1 channel, CSF (the
    first of three or more classes) is told from the dim edge of grey matter
    by intensity alone; on a skull-stripped real scan, where CSF is a few
    percent of the voxels, the fit's first class sits inside grey matter and
    EM keeps it there: on IBSR_04 its GM Dice is 0.74 where the start at the
    mean of the darkest ``DARK_START_PERCENT`` of the voxels gives 0.91
    (BENCHMARKS.md); the two optima's likelihoods differ by 0.01 %, too
    little to choose by. With ``basis``, on intensities whose smooth log
    trend was removed.
    """
    n, d = X.shape
    interior = ndimage.binary_erosion(mask)[mask]
    rows = interior if interior.sum() >= max(50 * k, 1000) else slice(None)
    trend = np.zeros((n, d)) if basis is None else flatten(X, basis)  # only to start: EM re-estimates the field
    flat = X * np.exp(-trend)
    start = fit_fast(FitData(flat[rows]), k, seed, FitOptions(), with_confidence=False)
    if d > 1 or k < 3:
        return start
    darkest = flat[flat[:, 0] <= np.percentile(flat[:, 0], DARK_START_PERCENT)]
    return replace(start, means=np.vstack([darkest.mean(axis=0), start.means[1:]]))
