"""The brain mask and the template registration as files: a NIfTI mask on the image's grid, the transform as JSON."""

from __future__ import annotations

import json

import nibabel as nib
import numpy as np

from neuroseg.core.stack import VolumeStack
from neuroseg.errors import InputError
from neuroseg.export.names import TEMPLATE_SPACE



def _brain(stack: VolumeStack):
    if stack.mask.kind != "brain" or stack.mask.region is None:
        raise InputError("mask", "is not the extracted brain.", "Choose the mask 'brain' first.")
    return stack.mask


def brain_mask_nifti(stack: VolumeStack) -> nib.Nifti1Image:
    """The extracted brain as a uint8 mask (1 = brain) on the first image's grid and affine."""
    mask = _brain(stack)
    image = nib.Nifti1Image(mask.region.astype(np.uint8), stack.affine)
    image.set_qform(stack.affine, code=1)
    image.set_sform(stack.affine, code=1)
    image.header.set_xyzt_units("mm")
    image.header["descrip"] = f"neuroseg brain mask of {stack.reference.name}".encode()[:79]
    return image


def transform_json(stack: VolumeStack) -> str:
    """The registration as JSON: the 4x4 affine from the first image's voxel indices to MNI millimetres."""
    mask = _brain(stack)
    return json.dumps(
        {
            "Description": f"voxel indices (i, j, k, 1) of {stack.reference.name} -> {TEMPLATE_SPACE} millimetres",
            "Space": TEMPLATE_SPACE,
            "VoxelToMNI": np.round(mask.voxel_to_mni, 6).tolist(),
        },
        indent=2,
    )
