"""Joint intensity histograms and densities computed on the server.

The browser gets a fixed-size grid whatever the number of voxels. The density
is a Gaussian kernel density estimate with the same full-covariance kernel as
``scipy.stats.gaussian_kde`` (Scott's rule), evaluated by binning the points
once and convolving the histogram with the kernel (FFT), so its cost is one
pass over the data plus a grid-sized convolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve


@dataclass(frozen=True)
class Grid2D:
    """Values on a regular grid, laid out as ``values[iy, ix]``.

    Attributes
    ----------
    values : ndarray
        (len(y), len(x)) counts or densities.
    x, y : ndarray
        Grid-cell centres along each axis.
    """

    values: np.ndarray
    x: np.ndarray
    y: np.ndarray


def histogram2d(x: np.ndarray, y: np.ndarray, bins: int = 128) -> Grid2D:
    """Count points in ``bins`` x ``bins`` equal cells spanning the data.

    Parameters
    ----------
    x, y : ndarray
        Intensities of the two channels, one value per voxel.
    bins : int, default 128

    Returns
    -------
    Grid2D
        Counts per cell.
    """
    counts, xe, ye = np.histogram2d(x, y, bins=bins)
    return Grid2D(counts.T, (xe[:-1] + xe[1:]) / 2, (ye[:-1] + ye[1:]) / 2)


def kernel_covariance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kernel covariance of ``gaussian_kde`` with Scott's rule: cov(data) * n**(-1/3)."""
    factor = len(x) ** (-1.0 / 6.0)
    return np.cov(np.vstack([x, y])) * factor**2


def kde2d(x: np.ndarray, y: np.ndarray, gridsize: int = 200, cut: float = 3.0) -> Grid2D:
    """Gaussian kernel density of two channels on a grid (binned, FFT-convolved).

    Parameters
    ----------
    x, y : ndarray
        Intensities of the two channels, at least 3 voxels.
    gridsize : int, default 200
        Grid cells per axis.
    cut : float, default 3
        How many kernel standard deviations the grid extends beyond the data,
        as in ``seaborn.kdeplot``.

    Returns
    -------
    Grid2D
        Density values (integrating to ~1 over the grid).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    cov = kernel_covariance(x, y)
    sx, sy = np.sqrt(np.diag(cov))
    gx = np.linspace(x.min() - cut * sx, x.max() + cut * sx, gridsize)
    gy = np.linspace(y.min() - cut * sy, y.max() + cut * sy, gridsize)
    dx, dy = gx[1] - gx[0], gy[1] - gy[0]
    edges_x = np.append(gx - dx / 2, gx[-1] + dx / 2)
    edges_y = np.append(gy - dy / 2, gy[-1] + dy / 2)
    counts = np.histogram2d(y, x, bins=(edges_y, edges_x))[0]
    hx = min(int(np.ceil(4 * sx / dx)), gridsize - 1)
    hy = min(int(np.ceil(4 * sy / dy)), gridsize - 1)
    ox, oy = np.meshgrid(np.arange(-hx, hx + 1) * dx, np.arange(-hy, hy + 1) * dy)
    offsets = np.stack([ox.ravel(), oy.ravel()])
    inv = np.linalg.inv(cov)
    quad = np.einsum("in,ij,jn->n", offsets, inv, offsets)
    kernel = np.exp(-0.5 * quad).reshape(ox.shape) / (2 * np.pi * np.sqrt(np.linalg.det(cov)))
    density = fftconvolve(counts, kernel, mode="same") / len(x)
    return Grid2D(np.clip(density, 0.0, None), gx, gy)
