"""How a mixture is fitted: one frozen, hashable options object, checked in one place.

The command line, the app's widgets and caches, the compare grid, the BIDS
App's ``GeneratedBy`` record and the exports' settings text all use
:class:`FitOptions`. Its checks run when it is made, so a bad setting is
refused with the same message wherever it came from; k and the seed are not
part of it, because a grid of fits varies them (:func:`check_k` checks k).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from neuroseg.errors import InputError

LESSON_SEED = 12345
DEFAULT_MAX_FIT_VOXELS = 20_000
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
MODES = ("exact", "fast")
PRIORS = ("none", "template")
MAX_K = 255
DEFAULT_BETA = 15.0
"""The spatial prior's default strength (neighbours 1 mm apart), chosen from the Dice-versus-beta curves in BENCHMARKS.md."""


@dataclass(frozen=True)
class FitOptions:
    """Every setting of a fit except k and the seed.

    Attributes
    ----------
    mode : {"fast", "exact"}, default "fast"
        ``"exact"`` fits scikit-learn's GaussianMixture on every row; ``"fast"``
        fits the same model on the rows' intensity histogram when there are
        more than ``max_fit_voxels`` rows (and *is* the exact fit below that).
    max_fit_voxels : int, default 20_000
    covariance : {"full", "tied", "diag", "spherical"}, default "full"
    standardise : bool, default False
        Fit on per-channel z-scores; reported means and covariances stay in raw units.
    max_iter : int, default 100
        EM iterations of the mixture (scikit-learn's default).
    bias_correct : bool, default False
        Tissue model: estimate a smooth multiplicative bias field per channel.
    mrf : float, default 0
        Tissue model: strength of the spatial prior at 1 mm; 0 is off.
    priors : {"none", "template"}, default "none"
        Tissue model: ``"template"`` takes each voxel's prior CSF, GM and WM
        probabilities from the registered MNI152 template (k = 3, a T1 first).
    """

    mode: str = "fast"
    max_fit_voxels: int = DEFAULT_MAX_FIT_VOXELS
    covariance: str = "full"
    standardise: bool = False
    max_iter: int = 100
    bias_correct: bool = False
    mrf: float = 0.0
    priors: str = "none"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError("mode", f"must be 'exact' or 'fast', not {self.mode!r}.")
        if self.covariance not in COVARIANCE_TYPES:
            raise InputError("covariance type", f"must be one of {', '.join(COVARIANCE_TYPES)}, not {self.covariance!r}.")
        for name, low in (("max_fit_voxels", 1), ("max_iter", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < low:
                raise InputError(name.replace("_", " "), f"must be a whole number of at least {low}, not {value!r}.")
            object.__setattr__(self, name, int(value))
        if not self.mrf >= 0:
            raise InputError("--mrf", f"must be 0 (off) or positive, not {self.mrf:g}.")
        object.__setattr__(self, "mrf", float(self.mrf))
        if self.priors not in PRIORS:
            raise InputError("--priors", f"must be 'none' or 'template', not {self.priors!r}.")
        object.__setattr__(self, "standardise", bool(self.standardise))
        object.__setattr__(self, "bias_correct", bool(self.bias_correct))

    @property
    def model(self) -> str:
        """The model these options fit: ``"tissue"`` when a tissue-model option is on, else the mode."""
        return "tissue" if self.bias_correct or self.mrf > 0 or self.priors != "none" else self.mode

    def uses_histogram(self, n_rows: int) -> bool:
        """Whether a fit of ``n_rows`` rows goes through their intensity histogram (plain fast mode above the limit)."""
        return self.model == "fast" and n_rows > self.max_fit_voxels

    def describe(self) -> str:
        """The settings in words, for the app's captions and the exports."""
        if self.mode == "exact":
            text = "exact (every voxel)"
        else:
            text = f"fast (exact up to {self.max_fit_voxels:,} voxels, above that on their intensity histogram)"
        text += f", {self.covariance} covariance" + (", standardised channels" if self.standardise else "")
        if self.model == "tissue":
            parts = ["bias field"] * self.bias_correct + [f"spatial prior β = {self.mrf:g}"] * (self.mrf > 0)
            parts += ["the template's tissue priors"] * (self.priors == "template")
            text = (
                f"tissue model ({', '.join(parts + ['partial volume'])}) with full covariances of the raw "
                "intensities, started from a fast fit on the mask's interior"
            )
        return text

    def as_dict(self) -> dict:
        """The options as plain values (JSON-ready)."""
        return dataclasses.asdict(self)


def check_k(k: int) -> int:
    """A valid number of clusters, or an :class:`InputError` naming ``k``."""
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise InputError("k", f"must be a whole number of at least 1, not {k!r}.")
    if k > MAX_K:
        raise InputError("k", f"is {k}; labels are stored as uint8, so at most {MAX_K} clusters.")
    return int(k)
