"""The rows a model fits, where they lie, and whose they are; and the one check of them that every fit passes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neuroseg.errors import InputError
from neuroseg.models.histogram import Histogram, intensity_histogram


@dataclass(frozen=True)
class FitData:
    """What a model is fitted to.

    Attributes
    ----------
    X : ndarray
        (n_voxels, n_channels) float64 raw intensities, in C order of ``mask``.
    mask : ndarray of bool or None
        The rows' voxels in their 2-D or 3-D grid (the tissue model's neighbourhoods and bias field need it).
    spacing : tuple of float or None
        Voxel size in mm along each axis of ``mask``.
    files : tuple of str
        The file each column came from, so that a refusal names them (``channel 1``, ... by default).
    mask_file : str or None
        The mask file the rows were selected with, named in refusals too.
    histogram : Histogram or None
        The rows' intensity histogram when already built (a grid of fits shares one); see :meth:`intensity_histogram`.
    priors : ndarray or None
        (3, n_voxels) float32 prior CSF, GM and WM probabilities of the rows (``priors="template"``).
    """

    X: np.ndarray
    mask: np.ndarray | None = None
    spacing: tuple[float, ...] | None = None
    files: tuple[str, ...] = ()
    mask_file: str | None = None
    histogram: Histogram | None = None
    priors: np.ndarray | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def intensity_histogram(self) -> Histogram:
        """The rows grouped by intensity (built once, shared by every fit of this data)."""
        if self.histogram is not None:
            return self.histogram
        if "histogram" not in self._memo:
            self._memo["histogram"] = intensity_histogram(self.X)
        return self._memo["histogram"]

    @property
    def columns(self) -> list[str]:
        return list(self.files) if self.files else [f"channel {j + 1}" for j in range(self.X.shape[1])]


def check_data(data: FitData, k: int) -> None:
    """Refuse rows that cannot give k clusters, naming the files whose data they are.

    Every fit path (exact, fast, the tissue model, the compare grid, the BIDS
    App) goes through :func:`neuroseg.models.fit`, which calls this first, so
    the same data is refused with the same message whichever model was asked for.
    """
    X, columns = data.X, data.columns
    everything = ", ".join(dict.fromkeys(columns + ([data.mask_file] if data.mask_file else [])))
    where = f"inside the mask {data.mask_file}" if data.mask_file else "inside the analysis mask"
    n = len(X)
    if n == 0:
        rule = "" if data.mask_file else " (finite and > 0 in every channel)"
        raise InputError(
            everything,
            f"no voxel is {where}{rule} here, so there is nothing to segment.",
            "Pick another slice or the whole volume, another mask, or check the images.",
        )
    if n < k:
        raise InputError(
            everything, f"only {n} voxels are {where}, fewer than k = {k} clusters.", "Lower k or analyse more voxels."
        )
    # cheap first: almost always the first few thousand rows already hold k distinct rows
    if len(np.unique(X[:5000], axis=0)) < k and (n_distinct := len(np.unique(X, axis=0))) < k:
        culprits = [c for j, c in enumerate(columns) if len(np.unique(X[:, j])) < k] or columns
        raise InputError(
            ", ".join(dict.fromkeys(culprits)),
            f"the voxels {where} take only {n_distinct} distinct value(s), so k = {k} clusters cannot be told apart.",
            f"Use k <= {n_distinct}, or check that this is an intensity image.",
        )

