"""The spatial prior: a contrast-sensitive Potts Markov random field over face neighbours, solved by mean field.

A voxel's prior for a tissue grows with ``exp(beta * n)``, ``n =
mean_j(c_j * p_j / d_j**2)`` over its face neighbours j in the mask (6 in 3-D,
4 on a slice): ``p_j`` the neighbour's posterior of that tissue, ``d_j`` its
distance in mm, ``c_j`` (at most 1) its contrast weight, small across a strong
edge, so that the prior smooths noise inside tissues without eroding thin ones
(sulcal CSF, gyral WM), as contrast-sensitive priors do in graph-cut
segmentation. ``beta`` is the strength between neighbours 1 mm apart; larger
voxels, which share less anatomy, couple less (the inverse square fits the
curves measured at 1.5 and 3 mm in BENCHMARKS.md). Kept apart from the
observation model, as dipy keeps its spatial prior apart from its likelihood.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import ndimage

CONTRAST_SCALE = 1.5
"""Neighbours whose intensities differ by this many robust noise scales (per channel) couple exp(-1/2) as much."""


class Neighbours:
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
