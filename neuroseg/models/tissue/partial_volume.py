"""Partial volume: mixed classes between tissues adjacent in label order, and between the first tissue and the background.

Besides the k pure classes, the mixture holds mixed classes at fractions 1/4,
1/2 and 3/4 between classes adjacent in label order (CSF/GM and GM/WM with a
T1 first) and between the first class and the zero background, with
interpolated means and covariances. Their posteriors are shared out to the
pure classes by fraction (all to the tissue for a background mix), so a dark
rim at the brain's edge is CSF, not a class of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRACTIONS = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Component:
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


def components(k: int, partial_volume: bool) -> list[Component]:
    """Pure classes first (in label order), then the mixed classes."""
    pure = [Component(j) for j in range(k)]
    if not partial_volume:
        return pure
    pairs = [(j, j + 1) for j in range(k - 1)] + [(0, -1)]
    return pure + [Component(a, b, f) for a, b in pairs for f in FRACTIONS]


def component_gaussians(components, means, covs):
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
