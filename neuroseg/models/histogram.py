"""Weighted intensity histograms: the rows of a feature matrix grouped by value.

A mixture model only sees a voxel through its intensities, so voxels with the
same intensities can be fitted once, with a weight. Brain MRI is usually
stored as integers, and a 1 mm brain's 1.9 million voxels take only about
175,000 distinct (T1, T2) pairs: the histogram of distinct rows is *lossless*.
Where a channel holds more distinct values than ``levels`` (float images),
its range is cut into ``levels`` equal bins; each bin keeps the exact mean of
its rows, so first moments stay exact and only the spread inside a bin is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse

from neuroseg.models.gaussian import monomials

DEFAULT_LEVELS = 1024
COARSE_LEVELS = 128
ROW_BLOCK = 1 << 16
_CODE_BITS = 62


@dataclass(frozen=True)
class Histogram:
    """Rows of a feature matrix grouped into bins.

    Attributes
    ----------
    rows : ndarray
        (n, d) the feature matrix itself (not copied).
    values : ndarray
        (m, d) mean row of each bin, float64.
    counts : ndarray
        (m,) number of rows in each bin, float64 (a weight).
    inverse : ndarray
        (n,) bin of each row (``values[inverse]`` approximates ``rows``).
    lossless : bool
        True when every bin holds rows of a single value, so ``values[inverse]``
        *is* ``rows``.
    memo : dict
        Work shared by the fits on this histogram (k-means++ centres per seed, ...).
    """

    rows: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    inverse: np.ndarray
    lossless: bool
    memo: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.counts)

    @cached_property
    def row_variance(self) -> np.ndarray:
        """(d,) variance of each column over the rows (not over the bins)."""
        return self.rows.var(axis=0)

    @cached_property
    def centre(self) -> np.ndarray:
        """(d,) mean row."""
        return self.counts @ self.values / self.counts.sum()

    @cached_property
    def monomials(self) -> np.ndarray:
        """(m, 1 + d + d(d+1)/2) products of degree <= 2 of the centred bin values: 1, z_i, z_i z_j (i <= j).

        A Gaussian's log-density is a quadratic polynomial, so the log-densities
        of every bin under k components are one (m, p) @ (p, k) product.
        """
        return np.ascontiguousarray(monomials(self.values, self.centre).T)

    @cached_property
    def coarse(self) -> Histogram:
        """This histogram's bins grouped again, in at most ``COARSE_LEVELS`` bins per column.

        Its rows are this histogram's bin values (weighted by their counts in
        its bins), so its ``inverse`` maps each of these bins to a coarse bin.
        """
        codes, lossless = _bin_codes(self.values, COARSE_LEVELS)
        values, counts, members = _group(self.values, codes, self.counts)
        return Histogram(self.values, values, counts, members, lossless and self.lossless)

    @cached_property
    def cells(self) -> Cells:
        """This histogram's bins grouped by the coarse bin they fall in (for exact k-means in whole cells)."""
        coarse = self.coarse
        members = coarse.inverse
        radius = np.zeros(len(coarse))
        np.maximum.at(radius, members, np.sqrt(((self.values - coarse.values[members]) ** 2).sum(axis=1)))
        order = np.argsort(members, kind="stable")
        starts = np.concatenate([[0], np.cumsum(np.bincount(members, minlength=len(coarse)))])
        return Cells(coarse.values, coarse.counts, radius, members, order, starts)

    @cached_property
    def row_blocks(self) -> tuple[sparse.csr_matrix, int]:
        """How many rows of each block of ``ROW_BLOCK`` consecutive rows fall in each bin, and the block size.

        A sum over the rows of a per-bin quantity is then one sparse product
        per block, much cheaper than gathering it row by row.
        """
        n = len(self.inverse)
        blocks = np.arange(n) // ROW_BLOCK
        counts = sparse.csr_matrix(
            (np.ones(n, dtype=np.float32), (blocks, self.inverse)), shape=(int(blocks[-1]) + 1 if n else 0, len(self))
        )
        counts.sum_duplicates()
        return counts, ROW_BLOCK

    @cached_property
    def of_rows(self) -> Histogram:
        """The lossless histogram of the rows themselves: one bin per row, in row order (itself when lossless).

        k-means++ draws rows from the running sum of every row's distance to
        its nearest centre; on a lossy histogram the bins' distances shift
        those sums enough to draw other rows (and end in other optima at
        k >= 5 on float data), so the draws are taken on the rows.
        """
        if self.lossless:
            return self
        n = len(self.rows)
        return Histogram(self.rows, self.rows, np.ones(n), np.arange(n), True)

    def standardised(self, transform) -> Histogram:
        """The histogram of ``transform.apply(rows)``: same bins and counts."""
        return Histogram(
            transform.apply(self.rows), transform.apply(self.values), self.counts, self.inverse, self.lossless
        )


@dataclass(frozen=True)
class Cells:
    """Coarse bins seen as cells holding fine bins.

    Attributes
    ----------
    values, counts : ndarray
        (c, d) mean row and (c,) rows of each cell.
    radius : ndarray
        (c,) largest distance from a cell's value to one of its bins' values.
    members : ndarray
        (m,) cell of each fine bin.
    order, starts : ndarray
        Fine bins sorted by cell; cell ``i`` holds ``order[starts[i]:starts[i + 1]]``.
    """

    values: np.ndarray
    counts: np.ndarray
    radius: np.ndarray
    members: np.ndarray
    order: np.ndarray
    starts: np.ndarray

    def bins_of(self, cells: np.ndarray) -> np.ndarray:
        """Indices of the fine bins in the given cells."""
        lengths = self.starts[cells + 1] - self.starts[cells]
        offsets = np.repeat(self.starts[cells] - np.cumsum(lengths) + lengths, lengths)
        return self.order[np.arange(lengths.sum()) + offsets]


def intensity_histogram(X: np.ndarray, levels: int = DEFAULT_LEVELS) -> Histogram:
    """Group the rows of ``X`` by value, in at most ``levels`` bins per column.

    Parameters
    ----------
    X : ndarray
        (n, d) feature matrix.
    levels : int, default 1024
        Bins per column when a column holds more distinct values than this; a
        column of whole numbers spanning fewer than ``levels`` values keeps one
        bin per value (lossless).

    Returns
    -------
    Histogram
    """
    X = np.asarray(X, dtype=np.float64)
    codes, lossless = _bin_codes(X, levels)
    values, counts, inverse = _group(X, codes, np.ones(len(X)))
    return Histogram(X, values, counts, inverse, lossless)


def _bin_codes(X: np.ndarray, levels: int) -> tuple[np.ndarray, bool]:
    """One integer code per row: its bin in each column, combined; and whether binning lost nothing."""
    n, d = X.shape
    levels = max(2, min(levels, int(2 ** (_CODE_BITS / max(d, 1)))))
    lo, hi = X.min(axis=0), X.max(axis=0)
    whole = [bool(np.all(X[:, j] == np.round(X[:, j]))) and hi[j] - lo[j] < levels for j in range(d)]
    step = np.where(whole, 1.0, np.maximum(hi - lo, np.finfo(float).tiny) / levels)
    bins = np.minimum(((X - lo) / step).astype(np.int64), np.where(whole, hi - lo, levels - 1).astype(np.int64))
    sizes = bins.max(axis=0) + 1
    codes = np.ravel_multi_index(tuple(bins.T), tuple(int(s) for s in sizes))
    return codes, all(whole)


def _group(X: np.ndarray, codes: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean row, total weight and member index of each occupied code."""
    top = int(codes.max()) + 1 if len(codes) else 1
    if top <= 8 * max(len(codes), 1 << 20):
        occupied = np.flatnonzero(np.bincount(codes, minlength=top))
        index = np.zeros(top, dtype=np.intp)
        index[occupied] = np.arange(len(occupied))
        inverse = index[codes]
    else:
        occupied, inverse = np.unique(codes, return_inverse=True)
    counts = np.bincount(inverse, weights=weights, minlength=len(occupied))
    sums = np.stack(
        [np.bincount(inverse, weights=weights * X[:, j], minlength=len(occupied)) for j in range(X.shape[1])], axis=1
    )
    return sums / counts[:, None], counts, inverse
