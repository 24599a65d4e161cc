"""One segmentation run from a stack to label images, tables and exports."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
import pandas as pd
from scipy.stats import multivariate_normal

from neuroseg.errors import InputError
from neuroseg.features import Features, Scope, labels_to_image, make_features
from neuroseg.header import AXES
from neuroseg.metrics import cluster_table, dice_per_tissue
from neuroseg.mixture import GMMResult, fit_gmm
from neuroseg.stack import VolumeStack
from neuroseg.tissue import TissueFit, fit_tissue_model, tissue_names


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
    tissue : TissueFit or None
        The tissue model (bias field, posteriors, corrected intensities) when
        it was used; ``result`` is then its result.
    """

    stack: VolumeStack
    features: Features
    result: GMMResult
    settings: dict = field(default_factory=dict)
    tissue: TissueFit | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)  # tables kept for reruns of a page

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

    def table(self) -> pd.DataFrame:
        """Per-cluster table (see :func:`neuroseg.metrics.cluster_table`), on bias-corrected intensities if estimated."""
        if "table" not in self._memo:
            X = self.features.X if self.tissue is None else self.tissue.corrected
            table = cluster_table(X, self.result, self.stack.names, self.stack.voxel_ml)
            names = tissue_names(self.stack.names, self.result.k)
            if names is not None:
                table["tissue"] = names  # last, so the contract's columns (DESIGN 3.5) keep their places
            self._memo["table"] = table
        return self._memo["table"].copy()

    def dice(self, truth: np.ndarray, tissues: Sequence[str]) -> pd.DataFrame:
        """Dice per tissue (:func:`neuroseg.metrics.dice_per_tissue`) against the stack's reference labels ``truth``.

        ``truth`` is on the full grid; only the analysed scope is compared.
        """
        key = ("dice", tuple(tissues))
        if key not in self._memo:
            self._memo[key] = dice_per_tissue(self.features.scope.extract(truth), self.label_image(), tissues)
        return self._memo[key].copy()

    def posteriors(self) -> np.ndarray:
        """(n_voxels, k) float32 posterior of each label (in label order) for every analysed voxel."""
        if self.tissue is not None:
            return self.tissue.posteriors
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
            self.tissue.posteriors[row]
            if self.tissue is not None
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


def data_sources(stack: VolumeStack) -> dict:
    """The file names a refusal of this stack's data must name (keyword arguments of ``fit_gmm``)."""
    return {"files": stack.files, "mask_file": stack.mask.source if stack.mask.kind == "file" else None}


def posterior_rows(X: np.ndarray, result: GMMResult) -> np.ndarray:
    """(n, k) float32 posteriors of a plain mixture, from its weights, means and covariances (label order)."""
    log_p = np.empty((len(X), result.k))
    for j in range(result.k):
        log_p[:, j] = np.log(max(result.weights[j], 1e-300)) + multivariate_normal(
            result.means[j], result.covariances[j], allow_singular=True
        ).logpdf(X).reshape(len(X))
    log_p -= log_p.max(axis=1, keepdims=True)
    p = np.exp(log_p)
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def segment(
    stack: VolumeStack,
    scope: Scope,
    k: int,
    seed: int,
    *,
    features: Features | None = None,
    bias_correct: bool = False,
    mrf_beta: float = 0.0,
    **fit_options,
) -> Segmentation:
    """Build the scope's features from ``stack`` and fit a k-component mixture.

    Parameters
    ----------
    stack : VolumeStack
    scope : Scope
    k, seed : int
    features : Features, optional
        The scope's features if already built (shared, not copied).
    bias_correct : bool, default False
        Estimate a bias field with the tissue model (:mod:`neuroseg.tissue`).
    mrf_beta : float, default 0
        Strength of the tissue model's spatial prior; 0 is off. With either
        option the tissue model starts from the plain fit and refines it.
    **fit_options
        Passed to :func:`neuroseg.mixture.fit_gmm`.

    Returns
    -------
    Segmentation
    """
    features = make_features(stack.channels, scope, stack.mask) if features is None else features
    result = fit_gmm(features.X, k, seed, **data_sources(stack), **fit_options)
    tissue = None
    if bias_correct or mrf_beta > 0:
        tissue = fit_tissue_model(
            features.X, features.mask, k, seed, bias_correct=bias_correct, beta=mrf_beta,
            spacing=scope.spacing(stack.zooms), **data_sources(stack),
        )  # fmt: skip
        result = tissue.result
    settings = {
        "k": k,
        "seed": seed,
        "mode": result.mode,
        "max_fit_voxels": fit_options.get("max_fit_voxels"),
        "n_fit": result.n_fit,
        "histogram_bins": result.n_bins,
        "covariance_type": result.covariance_type,
        "standardised": result.standardised,
        "scope": scope.kind,
        "axis": scope.axis if scope.kind == "slice" else None,
        "slice": scope.index if scope.kind == "slice" else None,
        "channels": list(stack.names),
        "resampled": list(stack.resampled),
        "mask": stack.mask.kind,
        "mask_source": stack.mask.source,
        "bias_correct": bool(bias_correct),
        "mrf_beta": float(mrf_beta),
        "partial_volume": tissue is not None,
    }
    return Segmentation(stack, features, result, settings, tissue)


def label_nifti(segmentation: Segmentation) -> nib.Nifti1Image:
    """The label volume as a NIfTI image on the source grid, with the settings recorded.

    The affine (and qform/sform codes of a NIfTI source) are the first
    image's; the settings go into the description and a JSON comment extension.
    """
    s = segmentation.settings
    description = f"neuroseg k={s['k']} seed={s['seed']} {s['mode']} {s['scope']}"
    return _nifti_like_source(segmentation, segmentation.label_volume(), "label", description)


def _nifti_like_source(segmentation: Segmentation, data: np.ndarray, intent: str, description: str) -> nib.Nifti1Image:
    source = segmentation.stack.reference
    image = nib.Nifti1Image(data, source.affine)
    if source.format.startswith("NIfTI"):
        image.set_qform(source.affine, code=int(source.header["qform_code"]) or 1)
        image.set_sform(source.affine, code=int(source.header["sform_code"]) or 1)
    image.header.set_xyzt_units("mm")
    image.header.set_intent(intent)
    image.header["descrip"] = description.encode()[:79]
    image.header.extensions.append(nib.nifti1.Nifti1Extension("comment", json.dumps(segmentation.settings).encode()))
    return image


def posteriors_nifti(segmentation: Segmentation) -> nib.Nifti1Image:
    """4-D float32 posteriors on the source grid, one volume per label in label order (0 outside the mask)."""
    data = segmentation.volume_image(segmentation.posteriors())
    return _nifti_like_source(
        segmentation, data, "estimate", f"neuroseg posteriors of labels 1..{segmentation.result.k}"
    )


def corrected_nifti(segmentation: Segmentation, channel: int) -> nib.Nifti1Image:
    """One channel divided by its estimated bias field (raw intensities outside the mask), on the source grid."""
    if segmentation.tissue is None:
        raise InputError("bias field", "was not estimated for this segmentation.", "Switch bias correction on.")
    raw = segmentation.stack.channels[channel].astype(np.float32)
    inside = segmentation.volume_image(np.ones(len(segmentation.features.X))) > 0
    out = raw.copy()
    out[inside] = segmentation.tissue.corrected[:, channel]
    name = segmentation.stack.names[channel]
    return _nifti_like_source(segmentation, out, "none", f"neuroseg {name} divided by its bias field")


def nifti_gz_bytes(image: nib.Nifti1Image) -> bytes:
    """Serialise a NIfTI image to ``.nii.gz`` bytes in memory (nothing touches the disk)."""
    return gzip.compress(image.to_bytes(), compresslevel=6)
