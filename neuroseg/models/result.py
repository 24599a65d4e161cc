"""What every model returns, in DESIGN 3.3's label order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroseg.models.options import FitOptions


@dataclass(frozen=True)
class GMMResult:
    """One fitted model and the labels it gives.

    Attributes
    ----------
    k, seed : int
    model : {"exact", "fast", "tissue"}
        The model that was fitted (a key of :data:`neuroseg.models.MODELS`).
    options : FitOptions
        The options it was fitted with.
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
        (k, n_channels) component means in raw intensity units (bias-corrected
        for the tissue model), in label order.
    covariances : ndarray
        (k, n_channels, n_channels) full covariances in the same units, in label order.
    weights : ndarray
        (k,) mixing weights, in label order.
    bic, aic : float
        Information criteria on every row (in the space the model was fitted in).
    n_iter : int
    converged : bool
    seconds : float
        Wall time of fitting and labelling.
    posteriors : ndarray or None
        Tissue model: (n, k) float32 posteriors in label order (mixed classes shared out by fraction).
    bias : ndarray or None
        Tissue model: (n, n_channels) estimated multiplicative bias field (ones without ``bias_correct``).
    corrected : ndarray or None
        Tissue model: (n, n_channels) intensities divided by the bias field.
    """

    k: int
    seed: int
    model: str
    options: FitOptions
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
    posteriors: np.ndarray | None = None
    bias: np.ndarray | None = None
    corrected: np.ndarray | None = None


def label_order(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The components sorted by ascending mean of the first channel (ties by the next), and each one's label 1..k."""
    order = np.lexsort(means.T[::-1])
    rank = np.empty(len(means), dtype=np.uint8)
    rank[order] = np.arange(1, len(means) + 1, dtype=np.uint8)
    return order, rank


def criteria(log_likelihood: float, n_free: int, n: int) -> tuple[float, float]:
    """BIC and AIC of a fit with ``n_free`` parameters on ``n`` rows."""
    return float(-2 * log_likelihood + n_free * np.log(n)), float(-2 * log_likelihood + 2 * n_free)
