"""scikit-learn's Gaussian mixture fit, run on a weighted intensity histogram.

``GaussianMixture(k, random_state=seed).fit(X)`` does two things: k-means
(k-means++ seeding, then Lloyd's iterations) to start, then EM. Both only
need sums over rows, so both can run on a :class:`~neuroseg.models.histogram.Histogram`
with its bin counts as weights. The start decides which local optimum EM
ends in, and it is sensitive: k-means on a histogram coarser than the data
lands elsewhere at k >= 4 (mean ARI 0.85 against the exact fit at k = 8 with
256 levels per channel). So:

* k-means++ takes the exact fit's random draws, row by row in the rows' order
  (the candidate rows are found in the cumulative sum of each row's distance,
  taken to the bins of a lossless histogram and to the rows themselves when
  binning lost something: on float data the bins' distances drew other rows,
  and at k = 8 fast mode agreed with the exact fit at ARI 0.81 instead of
  0.995), and Lloyd's iterations run on the fine histogram. On a lossless
  histogram this *is* the exact fit's start.
* EM, which settles in the optimum its start points to, runs on a coarser
  histogram (``Histogram.coarse``).
* Labels, confidence and log-likelihood come from one E-step on the fine bins.

The M-step and the precision Cholesky factors are scikit-learn's own helpers
(private functions of ``sklearn.mixture``), so the arithmetic is the exact
fit's; ``tests/library/test_binned.py`` pins the agreement, and would catch a change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky, _estimate_gaussian_parameters

from neuroseg.models.gaussian import coefficients, normalise
from neuroseg.models.histogram import Histogram

TOL = 1e-3
REG_COVAR = 1e-6
KMEANS_TOL = 1e-4
COARSEN_ABOVE = 20_000
SHARED_SEEDING_UP_TO = 8


@dataclass(frozen=True)
class BinnedFit:
    """Parameters of a mixture fitted on a histogram, in scikit-learn's component order.

    ``precisions_cholesky`` is always (k, d, d), whatever the covariance type;
    ``covariances`` has scikit-learn's shape for that type.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray
    n_iter: int
    converged: bool

    def log_prob(self, histogram: Histogram) -> np.ndarray:
        """(m, k) weighted log-density of each bin under each component (scikit-learn's ``_estimate_weighted_log_prob``).

        One matrix product with the bins' monomials (:mod:`neuroseg.models.gaussian`).
        """
        chol = self.precisions_cholesky
        precisions = chol @ np.swapaxes(chol, 1, 2)
        log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        terms = coefficients(self.means, precisions, log_det, np.log(self.weights), histogram.centre)
        return histogram.monomials @ terms.T


def fit_histogram(
    histogram: Histogram, k: int, seed: int, *, covariance_type: str = "full", max_iter: int = 100
) -> BinnedFit:
    """Fit ``GaussianMixture(k, covariance_type=..., random_state=seed)`` to the histogram's rows.

    Parameters
    ----------
    histogram : Histogram
        The rows grouped into bins (:func:`neuroseg.models.histogram.intensity_histogram`).
    k, seed : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    max_iter : int, default 100

    Returns
    -------
    BinnedFit
    """
    centres = kmeans_plusplus(histogram, k, seed)
    # KMeans stops when the centres move less than this (scikit-learn's tolerance on the rows)
    tol = KMEANS_TOL * histogram.row_variance.mean()
    labels = lloyd(histogram, centres, tol)
    if labels is None:  # a cluster emptied: scikit-learn's relocation of empty clusters decides what follows
        scale = max(histogram.values.var(axis=0).mean(), np.finfo(float).tiny)
        kmeans = KMeans(k, init=centres, n_init=1, tol=tol / scale)
        labels = kmeans.fit(histogram.values, sample_weight=histogram.counts).labels_
    weights, means, covariances = _parameters_from_labels(histogram, labels, k, covariance_type)
    em_bins = histogram.coarse if len(histogram) > COARSEN_ABOVE else histogram
    return _em(em_bins, weights, means, covariances, covariance_type, max_iter)


def lloyd(histogram: Histogram, centres: np.ndarray, tol: float, max_iter: int = 300) -> np.ndarray | None:
    """scikit-learn's Lloyd iterations (same stopping rules) on the weighted bins; the label of each bin.

    A coarse cell whose nearest centre is nearer than the second by more than
    the cell's diameter has that nearest centre for every bin in it (the
    triangle inequality), so it is assigned whole, from its precomputed sums;
    only the bins of the other cells are assigned one by one, and only the
    cells whose assignment can have changed are revisited. Same result, a
    fraction of the work. Returns None when a cluster empties, where
    scikit-learn relocates it.
    """
    cells, values, counts, k = histogram.cells, histogram.values, histogram.counts, len(centres)
    cell_sums = cells.values * cells.counts[:, None]
    labels = np.full(len(histogram), -1, dtype=np.intp)
    state = (np.zeros(len(cells.counts), dtype=bool), np.full(len(cells.counts), -1))
    strict = False
    for iteration in range(max_iter):
        changed, state, unsure = _assign(cells, values, centres, labels, state)
        sure, nearest = state
        whole = np.flatnonzero(sure)
        weight = np.bincount(nearest[whole], cells.counts[whole], k) + np.bincount(labels[unsure], counts[unsure], k)
        if np.any(weight == 0):
            return None
        sums = np.stack(
            [np.bincount(nearest[whole], cell_sums[whole, j], k) + np.bincount(labels[unsure], counts[unsure] * values[unsure, j], k)
             for j in range(values.shape[1])], axis=1,
        )  # fmt: skip
        moved = sums / weight[:, None]
        shift = ((moved - centres) ** 2).sum()
        centres = moved
        if iteration > 0 and not changed:
            strict = True
            break
        if shift <= tol:
            break
    if not strict:  # scikit-learn relabels with the final centres
        _assign(cells, values, centres, labels, state)
    return labels


def _assign(cells, values: np.ndarray, centres: np.ndarray, labels: np.ndarray, state):
    """Update ``labels`` in place to each bin's nearest centre (the first of equals).

    ``state`` is the previous pass's (whole-cell flags, cell labels): cells
    assigned whole to the same centre both times are not revisited. Returns
    whether any label changed, this pass's state, and the bins assigned one by one.
    """
    distances = _squared_distances(cells.values, centres)
    nearest = distances.argmin(axis=1)
    if len(centres) > 1:
        two = np.sqrt(np.partition(distances, 1, axis=1)[:, :2])
        sure = two[:, 1] - two[:, 0] > 2 * cells.radius
    else:
        sure = np.ones(len(nearest), dtype=bool)
    was_sure, was_nearest = state
    bins = cells.bins_of(np.flatnonzero(~(sure & was_sure & (nearest == was_nearest))))
    owner = cells.members[bins]
    new = np.where(sure[owner], nearest[owner], -1)
    unsure = bins[new < 0]
    new[new < 0] = _squared_distances(values[unsure], centres).argmin(axis=1)
    changed = bool(np.any(labels[bins] != new))
    labels[bins] = new
    return changed, (sure, nearest), unsure


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(n, k) squared distances; written out per column, since numpy's sum over a short last axis is slow."""
    out = (points[:, :1] - centres[:, 0]) ** 2
    for j in range(1, points.shape[1]):
        out += (points[:, j : j + 1] - centres[:, j]) ** 2
    return out


def _parameters_from_labels(histogram: Histogram, labels: np.ndarray, k: int, covariance_type: str):
    """scikit-learn's mixture start from hard k-means labels: weights, means, covariances (+ ``REG_COVAR``)."""
    values, counts = histogram.values, histogram.counts
    d = values.shape[1]
    nk = np.bincount(labels, weights=counts, minlength=k) + 10 * np.finfo(float).eps
    means = (
        np.stack([np.bincount(labels, weights=counts * values[:, j], minlength=k) for j in range(d)], axis=1)
        / nk[:, None]
    )
    full = np.empty((k, d, d))
    for c in range(k):
        inside = labels == c
        diff = values[inside] - means[c]
        full[c] = (counts[inside] * diff.T) @ diff / nk[c]
    eye = REG_COVAR * np.eye(d)
    if covariance_type == "full":
        covariances = full + eye
    elif covariance_type == "tied":
        covariances = np.tensordot(nk, full, axes=1) / nk.sum() + eye
    elif covariance_type == "diag":
        covariances = np.diagonal(full, axis1=1, axis2=2) + REG_COVAR
    else:
        covariances = np.diagonal(full, axis1=1, axis2=2).mean(axis=1) + REG_COVAR
    return nk / histogram.counts.sum(), means, covariances


def kmeans_plusplus(histogram: Histogram, k: int, seed: int) -> np.ndarray:
    """scikit-learn's k-means++ centres for ``KMeans(k, random_state=RandomState(seed))`` on the rows.

    The random draws are scikit-learn's, and each is turned into a row index
    as scikit-learn does (in the cumulative sum of every row's squared
    distance to its nearest centre); distances are taken to the bins of a
    lossless histogram, and to the rows themselves otherwise (``Histogram.of_rows``). Seeds
    for k and k + 1 share their draws when they try as many candidates per
    centre (k = 3..7 all try three), so the centres for the largest such k up
    to 8 are computed once and their prefixes reused.
    """
    trials = 2 + int(np.log(k))
    longest = k
    while longest < SHARED_SEEDING_UP_TO and 2 + int(np.log(longest + 1)) == trials:
        longest += 1
    with histogram.memo.setdefault(("lock", seed, trials), threading.Lock()):  # other seeds go on in other threads
        known = histogram.memo.get(("kmeans++", seed, trials))
        if known is None or len(known) < k:
            known = histogram.memo[("kmeans++", seed, trials)] = _kmeans_plusplus(histogram.of_rows, longest, trials, seed)
    return known[:k].copy()


def _kmeans_plusplus(histogram: Histogram, k: int, trials: int, seed: int) -> np.ndarray:
    random_state = np.random.RandomState(seed)
    rows = histogram.rows
    middle = histogram.values.mean(axis=0)
    values = histogram.values - middle  # centred, as KMeans centres its data, for accurate distances
    norms, counts = (values**2).sum(axis=1), histogram.counts
    centres = np.empty((k, rows.shape[1]))
    # random_state.choice(n, p=uniform), as scikit-learn draws the first centre, with the cdf built once
    centres[0] = rows[_uniform_cdf(histogram).searchsorted(random_state.random_sample(), side="right")]
    closest = np.maximum(norms - 2 * values @ (centres[0] - middle) + ((centres[0] - middle) ** 2).sum(), 0)
    potential = closest @ counts
    for c in range(1, k):
        draws = random_state.uniform(size=trials) * potential
        chosen = _find_rows(histogram, closest, draws)
        candidates = rows[chosen] - middle
        # norms - 2 c.v + |c|^2, in place (the same bits in fewer passes over the rows)
        distances = candidates @ values.T
        distances *= -2
        distances += norms
        distances += (candidates**2).sum(axis=1)[:, None]
        np.maximum(distances, 0, out=distances)
        np.minimum(distances, closest, out=distances)
        potentials = distances @ counts
        best = int(np.argmin(potentials))
        potential, closest, centres[c] = potentials[best], distances[best], rows[chosen[best]]
    return centres


def _find_rows(histogram: Histogram, closest: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """``np.searchsorted(np.cumsum(closest[histogram.inverse]), draws)``, clipped to the rows, without the n-long sums.

    The running sum is taken over blocks of rows first (one sparse product),
    then over the rows of the blocks the draws fall in.
    """
    blocks, size = histogram.row_blocks
    block_ends = np.cumsum(blocks @ closest)
    found = np.minimum(np.searchsorted(block_ends, draws), len(block_ends) - 1)
    rows = np.empty(len(draws), dtype=np.intp)
    for i, (draw, block) in enumerate(zip(draws, found)):
        start = block * size
        running = np.cumsum(closest[histogram.inverse[start : start + size]])
        running += block_ends[block - 1] if block else 0.0
        rows[i] = start + np.searchsorted(running, draw)
    return np.minimum(rows, len(histogram.rows) - 1)


def _uniform_cdf(histogram: Histogram) -> np.ndarray:
    """The cdf ``RandomState.choice(n, p=np.ones(n) / n)`` searches, for this histogram's n rows (kept)."""
    with histogram.memo.setdefault("lock", threading.RLock()):
        if "uniform cdf" not in histogram.memo:
            n = len(histogram.rows)
            cdf = (np.ones(n) / n).cumsum()
            cdf /= cdf[-1]
            histogram.memo["uniform cdf"] = cdf
    return histogram.memo["uniform cdf"]


def _em(bins: Histogram, weights, means, covariances, covariance_type: str, max_iter: int) -> BinnedFit:
    """scikit-learn's EM loop (same M-step, same stopping rule) with bin counts as weights."""
    values, counts, total = bins.values, bins.counts, bins.counts.sum()
    fit = _fit(weights, means, covariances, covariance_type, 0, False)
    lower_bound = -np.inf
    for n_iter in range(1, max_iter + 1):
        responsibilities, log_norm = normalise(fit.log_prob(bins), axis=1)
        responsibilities *= counts[:, None]
        previous, lower_bound = lower_bound, float(counts @ log_norm) / total
        nk, means, covariances = _m_step(values, responsibilities, covariance_type)
        converged = abs(lower_bound - previous) < TOL
        fit = _fit(nk / nk.sum(), means, covariances, covariance_type, n_iter, converged)
        if converged:
            break
    return fit


def _m_step(values: np.ndarray, responsibilities: np.ndarray, covariance_type: str):
    """scikit-learn's M-step with count-weighted responsibilities.

    Its tied covariance sums ``X.T @ X`` over unweighted rows, so the tied one
    is pooled here from the full ones instead (the same matrix for weighted rows).
    """
    if covariance_type != "tied":
        return _estimate_gaussian_parameters(values, responsibilities, REG_COVAR, covariance_type)
    nk, means, full = _estimate_gaussian_parameters(values, responsibilities, REG_COVAR, "full")
    return nk, means, np.tensordot(nk, full, axes=1) / nk.sum()


def _fit(weights, means, covariances, covariance_type: str, n_iter: int, converged: bool) -> BinnedFit:
    chol = _compute_precision_cholesky(covariances, covariance_type)
    k, d = means.shape
    if covariance_type == "tied":
        chol = np.broadcast_to(chol, (k, d, d))
    elif covariance_type == "diag":
        chol = chol[:, :, None] * np.eye(d)
    elif covariance_type == "spherical":
        chol = chol[:, None, None] * np.eye(d)
    return BinnedFit(weights, means, covariances, chol, n_iter, converged)
