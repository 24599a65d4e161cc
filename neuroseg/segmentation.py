"""One segmentation run from a stack to label images, tables and exports."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
import pandas as pd

from neuroseg.features import Features, Scope, labels_to_image, make_features
from neuroseg.metrics import cluster_table
from neuroseg.mixture import GMMResult, fit_gmm
from neuroseg.stack import VolumeStack


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
        """Per-cluster table (see :func:`neuroseg.metrics.cluster_table`)."""
        return cluster_table(self.features.X, self.result, self.stack.names, self.stack.voxel_ml)


def data_sources(stack: VolumeStack) -> dict:
    """The file names a refusal of this stack's data must name (keyword arguments of ``fit_gmm``)."""
    return {"files": stack.files, "mask_file": stack.mask.source if stack.mask.kind == "file" else None}


def segment(
    stack: VolumeStack, scope: Scope, k: int, seed: int, *, features: Features | None = None, **fit_options
) -> Segmentation:
    """Build the scope's features from ``stack`` and fit a k-component mixture.

    Parameters
    ----------
    stack : VolumeStack
    scope : Scope
    k, seed : int
    features : Features, optional
        The scope's features if already built (shared, not copied).
    **fit_options
        Passed to :func:`neuroseg.mixture.fit_gmm`.

    Returns
    -------
    Segmentation
    """
    features = make_features(stack.channels, scope, stack.mask) if features is None else features
    result = fit_gmm(features.X, k, seed, **data_sources(stack), **fit_options)
    settings = {
        "k": k,
        "seed": seed,
        "mode": result.mode,
        "max_fit_voxels": fit_options.get("max_fit_voxels"),
        "n_fit": result.n_fit,
        "covariance_type": result.covariance_type,
        "standardised": result.standardised,
        "scope": scope.kind,
        "axis": scope.axis if scope.kind == "slice" else None,
        "slice": scope.index if scope.kind == "slice" else None,
        "channels": list(stack.names),
        "resampled": list(stack.resampled),
        "mask": stack.mask.kind,
        "mask_source": stack.mask.source,
    }
    return Segmentation(stack, features, result, settings)


def label_nifti(segmentation: Segmentation) -> nib.Nifti1Image:
    """The label volume as a NIfTI image on the source grid, with the settings recorded.

    The affine (and qform/sform codes of a NIfTI source) are the first
    image's; the settings go into the description and a JSON comment extension.
    """
    source = segmentation.stack.reference
    image = nib.Nifti1Image(segmentation.label_volume(), source.affine)
    header = image.header
    if source.format.startswith("NIfTI"):
        image.set_qform(source.affine, code=int(source.header["qform_code"]) or 1)
        image.set_sform(source.affine, code=int(source.header["sform_code"]) or 1)
    header.set_xyzt_units("mm")
    header.set_intent("label")
    s = segmentation.settings
    header["descrip"] = f"neuroseg k={s['k']} seed={s['seed']} {s['mode']} {s['scope']}".encode()[:79]
    header.extensions.append(nib.nifti1.Nifti1Extension("comment", json.dumps(s).encode()))
    return image


def nifti_gz_bytes(image: nib.Nifti1Image) -> bytes:
    """Serialise a NIfTI image to ``.nii.gz`` bytes in memory (nothing touches the disk)."""
    return gzip.compress(image.to_bytes(), compresslevel=6)
