"""The table of models and :func:`fit`, the one entry point every fit goes through (see :mod:`neuroseg.models`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from neuroseg.models.data import FitData, check_data
from neuroseg.models.mixture import fit_exact, fit_fast
from neuroseg.models.options import FitOptions, check_k
from neuroseg.models.result import GMMResult
from neuroseg.models.tissue import fit_tissue


@dataclass(frozen=True)
class Model:
    """One model: how it fits, and how it is named in captions and records.

    Attributes
    ----------
    fit : callable
        ``(data, k, seed, options, with_confidence) -> GMMResult``; ``options`` hold only what it uses
        (:meth:`FitOptions.effective`).
    call : str
        What ran, for a caption: a template of ``k``, ``seed`` and ``arguments`` (scikit-learn's, beyond them).
    title : str
        Its name where the settings text alone must say which model ran (the mixture's modes name themselves).
    always : str
        What the model always does, whatever its options.
    """

    fit: Callable[[FitData, int, int, FitOptions, bool], GMMResult]
    call: str
    title: str = ""
    always: str = ""

    def describe(self, parts: Sequence[str], titled: bool = True) -> str:
        """The settings text: the options' words, then what the model always does."""
        text = ", ".join(list(parts) + ([self.always] if self.always else []))
        return f"{self.title} with {text}" if titled and self.title else text

    def caption(self, k: int, seed: int, options: FitOptions) -> str:
        """What ran, for a caption: ``GaussianMixture(n_components=3, random_state=12345)``, the tissue model's name."""
        return self.call.format(k=k, seed=seed, arguments=options.sklearn_arguments())


_MIXTURE_CALL = "GaussianMixture(n_components={k}, random_state={seed}{arguments})"
MODELS: dict[str, Model] = {
    "exact": Model(fit_exact, _MIXTURE_CALL),
    "fast": Model(fit_fast, _MIXTURE_CALL),
    "tissue": Model(
        fit_tissue, "the tissue model (k = {k}, seed {seed})", "the tissue model",
        "partial-volume classes, full covariances of the raw intensities, started from a fast fit on the mask's "
        "interior",
    ),  # fmt: skip
}
"""Each model by the name :attr:`FitOptions.model` gives: the lesson's exact fit, its fast path, the tissue model.

A model's own options are declared in :data:`neuroseg.models.options.OPTIONS` with its name in their ``models``.
"""


def fit(data: FitData, k: int, seed: int, options: FitOptions = FitOptions(), *, with_confidence: bool = True) -> GMMResult:
    """Fit the model that ``options`` name to ``data`` with k components and ``seed``, and label every row.

    Parameters
    ----------
    data : FitData
        The rows (and, for the tissue model, their grid and voxel size).
    k, seed : int
    options : FitOptions, default FitOptions()
        Options the model does not use are reset to their defaults (:meth:`FitOptions.effective`),
        so the result's ``options`` state only what acted.
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
    options = options.effective()
    return MODELS[options.model].fit(data, k, seed, options, with_confidence)
