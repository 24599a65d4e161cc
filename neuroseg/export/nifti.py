"""Label volumes, posteriors and corrected images as NIfTI files on the source grid, in memory."""

from __future__ import annotations

import gzip
import json

import nibabel as nib
import numpy as np

from neuroseg.analysis.segment import Segmentation
from neuroseg.errors import InputError
from neuroseg.io import LoadedImage


def label_nifti(segmentation: Segmentation) -> nib.Nifti1Image:
    """The label volume as a NIfTI image on the source grid, with the settings recorded.

    The affine (and qform/sform codes of a NIfTI source) are the first
    image's; the settings go into the description and a JSON comment extension.
    """
    s = segmentation.settings
    description = f"neuroseg k={s['k']} seed={s['seed']} {s['model']} {s['scope']}"
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
    if segmentation.result.corrected is None:
        raise InputError("bias field", "was not estimated for this segmentation.", "Switch bias correction on.")
    raw = segmentation.stack.channels[channel].astype(np.float32)
    inside = segmentation.volume_image(np.ones(len(segmentation.features.X))) > 0
    out = raw.copy()
    out[inside] = segmentation.result.corrected[:, channel]
    name = segmentation.stack.names[channel]
    return _nifti_like_source(segmentation, out, "none", f"neuroseg {name} divided by its bias field")


def converted_nifti(image: LoadedImage) -> nib.Nifti1Image:
    """A converted image (a DICOM series) as the NIfTI file a generated script reads: its voxels in their own type."""
    header = image.header
    return nib.Nifti1Image(image.data.astype(header.get_data_dtype()), image.affine, header)


def nifti_gz_bytes(image: nib.Nifti1Image) -> bytes:
    """Serialise a NIfTI image to ``.nii.gz`` bytes in memory (nothing touches the disk)."""
    return gzip.compress(image.to_bytes(), compresslevel=6)
