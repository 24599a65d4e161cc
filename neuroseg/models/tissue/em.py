"""The tissue model's EM loop: the observation model (pure and mixed Gaussians), the bias field and the spatial prior combined.

Pure-class parameters are re-estimated from the pure posteriors only, on
bias-corrected intensities; with the spatial prior on, the component weights
are held after the first ``SETTLE_WEIGHTS`` iterations, so that EM converges.
With per-voxel tissue priors (``priors=template``) a component's prior at a
voxel is its weight times its tissues' prior probabilities there, normalised
over the components, and the weights are re-estimated as SPM's unified
segmentation does (Ashburner and Friston 2005, eq. 27). The plain update (the
mean posterior) counts the priors twice: on a real head, where an affine
registration leaves them a few millimetres off, it grew GM to 67 % of the
brain and shrank CSF to 3 % (BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroseg.models.gaussian import MIN_VARIANCE, normalise, weighted_log_prob
from neuroseg.models.tissue.bias import bias_update
from neuroseg.models.tissue.partial_volume import component_gaussians
from neuroseg.models.tissue.spatial import Neighbours

SETTLE_WEIGHTS = 6
"""With the spatial prior on, the component weights are re-estimated in this many first EM iterations, then held.

The prior already favours a voxel's local majority; re-estimating the global
proportions as well lets the largest class feed on itself (at 9 % noise the
GM class widened and took CSF and WM over tens of iterations: BENCHMARKS.md).
Held weights let the model converge instead of relying on an early stop.
"""


@dataclass(frozen=True)
class State:
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
class EM:
    """The EM loop's fixed settings."""

    components: list
    k: int
    beta: float
    max_iter: int
    tol: float
    spacing: tuple[float, ...]

    def run(self, X, mask, basis, means, covs, weights, coef, priors=None) -> State:
        """EM from the given parameters (and bias coefficients, or none) on the voxels of ``mask``.

        ``priors`` is None or the (k, n) float32 prior tissue probabilities of the voxels.
        """
        k, n = self.k, len(X)
        shares = np.array([c.shares(k) for c in self.components])  # (m, k) tissue share of each component
        log_priors = None if priors is None else np.log(shares.astype(np.float32) @ priors)  # (m, n)
        log_bias = np.zeros(X.shape) if coef is None else basis.field(coef)
        grid = Neighbours(mask, X, self.spacing) if self.beta > 0 else None
        # per-voxel arrays are component-major, (components, n) float32: reductions over the
        # components then run along whole rows, many times faster than over a short last axis
        posteriors = np.full((k, n), 1.0 / k, dtype=np.float32)
        labels, converged, iteration, current = np.zeros(n, np.intp), False, 0, 0.0
        for iteration in range(1, self.max_iter + 1):
            corrected = X * np.exp(-log_bias)
            comp_means, comp_covs = component_gaussians(self.components, means, covs)
            log_p = weighted_log_prob(corrected, comp_means, comp_covs, np.log(np.maximum(weights, 1e-12)), np.float32)
            if log_priors is not None:
                log_p += log_priors
            if self.beta > 0:  # row by row: a (components, n) temporary would be the loop's largest array
                pull = (self.beta * shares).astype(np.float32)
                neighbours = grid.neighbour_means(posteriors)
                for c, row in enumerate(log_p):
                    row += pull[c] @ neighbours
            resp, log_norm = normalise(log_p, axis=0)
            posteriors = shares.T.astype(np.float32) @ resp
            current = float(log_norm.mean() - log_bias.sum() / n)  # with the Jacobian of dividing by the field
            if priors is not None:  # each voxel's normaliser of the weighted priors
                prior_norm = (weights @ shares).astype(np.float32) @ priors
                current -= float(np.log(prior_norm).mean())
            if self.beta == 0 or iteration <= SETTLE_WEIGHTS:
                weights = resp.mean(axis=1, dtype=np.float64)
                if priors is not None:  # SPM's update: each component's mean share of the weighted priors
                    shared = (priors / prior_norm).mean(axis=1, dtype=np.float64)  # (k,): a component's is linear in them
                    weights /= shares @ shared
                    weights /= weights.sum()
            means, covs = pure_update(corrected, resp[:k], means, covs)
            if basis is not None:
                coef = bias_update(X, resp, comp_means, comp_covs, basis)
                log_bias = basis.field(coef)
            now = posteriors.argmax(axis=0)
            changed = np.count_nonzero(now != labels) / n
            labels = now
            if changed < self.tol and iteration > 2:
                converged = True
                break
        return State(means, covs, weights, coef, log_bias, posteriors, current, iteration, converged)


def pure_update(X: np.ndarray, resp: np.ndarray, means: np.ndarray, covs: np.ndarray):
    """Weighted means and covariances (+ ``MIN_VARIANCE``) of the pure classes (``resp`` is (k, n)); kept where a class has no weight."""
    means, covs = means.copy(), covs.copy()
    totals = resp.sum(axis=1, dtype=np.float64)
    for j in range(len(resp)):
        if totals[j] < 10:
            continue
        w = resp[j].astype(np.float64)
        mean = w @ X / totals[j]
        diff = X - mean
        means[j] = mean
        covs[j] = (diff * w[:, None]).T @ diff / totals[j] + MIN_VARIANCE * np.eye(X.shape[1])
    return means, covs
