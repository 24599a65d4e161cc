"""One segmentation run: a stack and a scope in, labels in intensity and image space out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuroseg.analysis.brain import registered, whole_head_notice
from neuroseg.analysis.metrics import cluster_table, dice_per_tissue
from neuroseg.core.axes import AXES
from neuroseg.core.features import Features, Scope, labels_to_image, make_features
from neuroseg.core.stack import VolumeStack
from neuroseg.models import MODELS, FitData, FitOptions, GMMResult, fit
from neuroseg.models.gaussian import normalise, weighted_log_prob
from neuroseg.models.histogram import Histogram
from neuroseg.models.priors import template_priors
from neuroseg.models.tissue import tissue_names


@dataclass(frozen=True)
class Segmentation:
    """A fitted mixture together with the voxels it labels.

    Attributes
    ----------
    stack : VolumeStack
    features : Features
    result : GMMResult
    settings : dict
        Everything that decides the result, recorded in exports.
    """

    stack: VolumeStack
    features: Features
    result: GMMResult
    settings: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)  # tables kept for reruns of a page

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a user should know about the analysed voxels (a whole head under the lesson's rule, ...)."""
        return tuple(self.settings.get("warnings", ()))

    @property
    def tissue_names(self) -> tuple[str, ...] | None:
        """CSF, GM, WM for k = 3 with a T1 first, unless the analysed voxels are plainly not a brain."""
        return None if self.warnings else tissue_names(self.stack.names, self.result.k)

    def legend(self) -> dict[int, str]:
        """Each label's name: its tissue (CSF, GM, WM for k = 3 with a T1 first) or ``cluster j``."""
        names = self.tissue_names
        return {j: names[j - 1] if names else f"cluster {j}" for j in range(1, self.result.k + 1)}

    def label_image(self) -> np.ndarray:
        """uint8 labels in the scope's shape (a 2-D slice or the volume), 0 outside the mask."""
        return labels_to_image(self.result.labels, self.features.mask)

    def label_volume(self) -> np.ndarray:
        """uint8 labels on the full grid of the first image, 0 outside the analysed scope."""
        return self.features.scope.embed(self.label_image(), self.stack.shape)

    def confidence_image(self) -> np.ndarray:
        """Largest posterior per voxel in the scope's shape (NaN outside the mask)."""
        out = np.full(self.features.mask.shape, np.nan, dtype=np.float32)
        out[self.features.mask] = self.result.confidence
        return out

    def caption(self) -> str:
        """What ran, on which voxels, with which options: ``GaussianMixture(n_components=3, ...) on axial slice 47, ...``."""
        r = self.result
        call = MODELS[r.model].caption(r.k, r.seed, r.options)
        where = self.features.scope.describe(self.stack.affine)
        return f"{call} on {where}, inside {self.stack.mask.source}; {r.options.describe(titled=False)}."

    def table(self) -> pd.DataFrame:
        """Per-cluster table (see :func:`neuroseg.analysis.metrics.cluster_table`), on bias-corrected intensities if estimated."""
        if "table" not in self._memo:
            X = self.features.X if self.result.corrected is None else self.result.corrected
            table = cluster_table(X, self.result, self.stack.names, self.stack.voxel_ml)
            names = self.tissue_names
            if names is not None:
                table["tissue"] = names  # last, so the contract's columns (DESIGN 3.5) keep their places
            self._memo["table"] = table
        return self._memo["table"].copy()

    def dice(self, truth: np.ndarray, tissues: Sequence[str]) -> pd.DataFrame:
        """Dice per tissue (:func:`neuroseg.analysis.metrics.dice_per_tissue`) against the stack's reference labels ``truth``.

        ``truth`` is on the full grid; only the analysed scope is compared.
        """
        key = ("dice", tuple(tissues))
        if key not in self._memo:
            self._memo[key] = dice_per_tissue(self.features.scope.extract(truth), self.label_image(), tissues)
        return self._memo[key].copy()

    def posteriors(self) -> np.ndarray:
        """(n_voxels, k) float32 posterior of each label (in label order) for every analysed voxel."""
        if self.result.posteriors is not None:
            return self.result.posteriors
        return posterior_rows(self.features.X, self.result)

    def at(self, voxel: tuple[int, int, int]) -> tuple[int, float | None]:
        """The label of a voxel of the full grid and that label's posterior (0 and None outside the analysed voxels)."""
        scope, mask = self.features.scope, self.features.mask
        if scope.kind == "slice":
            a = AXES.index(scope.axis)
            if voxel[a] != scope.index:
                return 0, None
            voxel = tuple(v for i, v in enumerate(voxel) if i != a)
        if not mask[voxel]:
            return 0, None
        row = int(np.count_nonzero(mask.ravel()[: np.ravel_multi_index(voxel, mask.shape)]))
        label = int(self.result.labels[row])
        posteriors = (
            self.result.posteriors[row]
            if self.result.posteriors is not None
            else posterior_rows(self.features.X[row : row + 1], self.result)[0]
        )
        return label, float(posteriors[label - 1])

    def scope_image(self, rows: np.ndarray) -> np.ndarray:
        """Per-voxel float32 values (rows, or rows x columns) on the scope's grid, 0 outside the mask."""
        mask = self.features.mask
        out = np.zeros(mask.shape + rows.shape[1:], dtype=np.float32)
        out[mask] = rows
        return out

    def volume_image(self, rows: np.ndarray) -> np.ndarray:
        """Per-voxel float32 values on the full grid of the first image, 0 outside the mask and the scope."""
        return self.features.scope.embed(self.scope_image(rows), self.stack.shape + rows.shape[1:])


def fit_data(
    stack: VolumeStack, features: Features, histogram: Histogram | None = None, options: FitOptions = FitOptions()
) -> FitData:
    """What a model fits for this scope of ``stack``: its rows, their grid and voxel size, and the files they came from.

    With ``options.priors == "template"``, also the rows' prior tissue
    probabilities from the template registered onto the brain (see
    :func:`~neuroseg.analysis.brain.registered`, which refuses other masks).
    """
    priors = None
    if options.priors == "template":
        stack = registered(stack)
        voxels = np.argwhere(features.scope.embed(features.mask, stack.shape))  # the rows' voxels, in their order
        priors = template_priors(stack.mask.voxel_to_mni, voxels)
    return FitData(
        features.X, features.mask, features.scope.spacing(stack.zooms), stack.files,
        stack.mask.source if stack.mask.kind == "file" else None, histogram, priors,
    )  # fmt: skip


def posterior_rows(X: np.ndarray, result: GMMResult) -> np.ndarray:
    """(n, k) float32 posteriors of a plain mixture, from its weights, means and covariances (label order)."""
    log_p = weighted_log_prob(X, result.means, result.covariances, np.log(np.maximum(result.weights, 1e-300)))
    return np.ascontiguousarray(normalise(log_p, axis=0)[0].T, dtype=np.float32)


def segment(
    stack: VolumeStack,
    scope: Scope,
    k: int,
    seed: int,
    options: FitOptions = FitOptions(),
    *,
    features: Features | None = None,
    histogram: Histogram | None = None,
) -> Segmentation:
    """Build the scope's features from ``stack`` and fit the model ``options`` name (:func:`neuroseg.models.fit`).

    Parameters
    ----------
    stack : VolumeStack
    scope : Scope
    k, seed : int
    options : FitOptions, default FitOptions()
    features : Features, optional
        The scope's features if already built (shared, not copied).
    histogram : Histogram, optional
        Their intensity histogram if already built (fast mode shares it across k and seeds).

    Returns
    -------
    Segmentation
    """
    features = make_features(stack.channels, scope, stack.mask) if features is None else features
    result = fit(fit_data(stack, features, histogram, options), k, seed, options)
    settings = {
        "k": k,
        "seed": seed,
        **result.options.record(),
        "n_fit": result.n_fit,
        "histogram_bins": result.n_bins,
        "scope": scope.kind,
        "axis": scope.axis if scope.kind == "slice" else None,
        "slice": scope.index if scope.kind == "slice" else None,
        "channels": list(stack.names),
        "resampled": list(stack.resampled),
        "mask": stack.mask.kind,
        "mask_source": stack.mask.source,
        "description": result.options.describe(),
        "warnings": [notice] if (notice := whole_head_notice(stack)) else [],
    }
    return Segmentation(stack, features, result, settings)
