"""The table of models and :func:`fit`, the one entry point every fit goes through (see :mod:`neuroseg.models`)."""

from __future__ import annotations

from collections.abc import Callable

from neuroseg.models.data import FitData, check_data
from neuroseg.models.mixture import fit_exact, fit_fast
from neuroseg.models.options import FitOptions, check_k
from neuroseg.models.result import GMMResult
from neuroseg.models.tissue import fit_tissue

Model = Callable[[FitData, int, int, FitOptions, bool], GMMResult]

MODELS: dict[str, Model] = {"exact": fit_exact, "fast": fit_fast, "tissue": fit_tissue}
"""Each model by the name :attr:`FitOptions.model` gives: the lesson's exact fit, its fast path, the tissue model."""

def fit(data: FitData, k: int, seed: int, options: FitOptions = FitOptions(), *, with_confidence: bool = True) -> GMMResult:
    """Fit the model that ``options`` name to ``data`` with k components and ``seed``, and label every row.

    Parameters
    ----------
    data : FitData
        The rows (and, for the tissue model, their grid and voxel size).
    k, seed : int
    options : FitOptions, default FitOptions()
    with_confidence : bool, default True
        Also compute each row's largest posterior probability.

    Returns
    -------
    GMMResult
        Labels 1..k in DESIGN 3.3's order.

    Raises
    ------
    InputError
        For a bad k, or rows that cannot give k clusters (naming their files).
    """
    k = check_k(k)
    check_data(data, k)
    return MODELS[options.model](data, k, seed, options, with_confidence)
