"""The bias field: a smooth multiplicative field per channel, its log a polynomial of the coordinates, fitted inside EM.

Its logarithm is a polynomial of the voxel coordinates (total degree 3, no
constant: SPM's low-frequency basis idea) fitted inside the EM loop, as FAST
does, to the posterior-weighted log residual between each voxel and the
intensities of the voxel's components, each voxel weighted by their precision
and by how clearly one component explains it (ambiguous mixtures carry anatomy
that the field would otherwise absorb).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

DEGREE = 3
RIDGE = 0.03
"""Ridge penalty on the field's coefficients, as a fraction of the normal equations' mean diagonal.

Unpenalised, the cubic field bends by -20 to +30 % on real scans whose field
is weak and takes anatomy with it (IBSR18: WM Dice down to 0.80 where the
plain mixture has 0.84-0.88). Chosen on IBSR18's ten scans as the strongest
penalty that keeps the phantoms' strong fields (every phantom within 0.02 of
its unpenalised Dice): 0.1 scored 0.003 more WM on IBSR18 and cost a
phantom 0.04 (BENCHMARKS.md).
"""
FIT_ROWS = 200_000


class BiasBasis:
    """Polynomials of total degree 1..3 in the voxel coordinates (scaled to [-1, 1]) over a mask.

    The least-squares fits use the terms at every ``step``-th mask voxel only
    (at most ``FIT_ROWS``); a fitted polynomial is evaluated at every
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
            np.vander(2.0 * step * np.arange(box[a].start, box[a].stop) / (shape[a] - 1) - 1.0, DEGREE + 1,
                      increasing=True)
            for a in self.axes
        ]  # fmt: skip
        self.exponents = [e for degree in range(1, DEGREE + 1) for e in _exponents(len(self.axes), degree)]
        n = int(self.inside.sum())
        self.rows = slice(None, None, max(1, int(np.ceil(n / FIT_ROWS))))
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
        tensor = np.zeros((DEGREE + 1,) * len(self.axes))
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


def flatten(X: np.ndarray, basis: BiasBasis) -> np.ndarray:
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


def bias_update(X, resp, comp_means, comp_covs, basis: BiasBasis) -> np.ndarray:
    """(terms, d) coefficients of the log bias of each channel: weighted least squares of the log residual.

    Each voxel's residual is ``log x - log m_c`` averaged over its components
    ``c`` by responsibility times (log-domain) precision ``m_c^2 / var_c``.
    The voxel then weighs by that precision times the square of its largest
    responsibility: where no component is clear (mixtures of tissues in
    proportions the model only approximates), the residual carries anatomy,
    which the field would otherwise absorb. The field's mean over the voxels
    is fixed to 1 (its scale belongs to the class means). A ridge penalty
    (``RIDGE``) keeps the field flat where the data do not ask for one.
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
        penalty = (RIDGE + 1e-9) * np.trace(lhs) / len(lhs)
        coef[:, c] = np.linalg.lstsq(lhs + penalty * np.eye(len(lhs)), rhs, rcond=None)[0]
    return coef
