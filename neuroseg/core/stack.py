"""Co-registered images of one subject as named channels of one stack."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Sequence

import nibabel as nib
import numpy as np
import pandas as pd
from nibabel.orientations import aff2axcodes
from nibabel.processing import resample_from_to

from neuroseg.core.masks import LESSON, AnalysisMask
from neuroseg.errors import InputError
from neuroseg.io import LoadedImage
from neuroseg.io.files import part_of
from neuroseg.io.formats import SINGLE_SUFFIXES

AFFINE_TOLERANCE_MM = 1e-3


@dataclass(frozen=True)
class VolumeStack:
    """Channels that share one voxel grid.

    Attributes
    ----------
    names : tuple of str
        Channel names, e.g. ``("T1", "b0")``.
    channels : tuple of ndarray
        One float64 3-D array per channel, all of one shape.
    images : tuple of LoadedImage
        The source images; the first one's grid, affine and header define the stack's.
    digest : str
        Combined digest of the sources and how they were stacked (a cache key).
    resampled : tuple of str
        Names of channels that were resampled onto the reference grid.
    mask : AnalysisMask
        The voxels every analysis of this stack looks at (the lesson rule by default).
    """

    names: tuple[str, ...]
    channels: tuple[np.ndarray, ...]
    images: tuple[LoadedImage, ...]
    digest: str
    resampled: tuple[str, ...] = ()
    mask: AnalysisMask = LESSON

    @property
    def reference(self) -> LoadedImage:
        return self.images[0]

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.channels[0].shape

    @property
    def affine(self) -> np.ndarray:
        return self.reference.affine

    @property
    def zooms(self) -> tuple[float, float, float]:
        return self.reference.zooms

    @property
    def files(self) -> tuple[str, ...]:
        """The channels' file names (the header file of a pair)."""
        return tuple(image.name for image in self.images)

    @property
    def voxel_ml(self) -> float:
        """Volume of one voxel in millilitres (mm^3 / 1000)."""
        return float(np.prod(self.zooms)) / 1000.0


def channel_name(filename: str) -> str:
    """A short channel name from a file name: ``sub-01_T1w.nii.gz`` -> ``sub-01_T1w``, ``scan+orig.HEAD`` -> ``scan+orig``."""
    part = part_of(filename)
    if part.role != "single":
        return part.stem
    for suffix in SINGLE_SUFFIXES + (".gz",):
        if filename.lower().endswith(suffix):
            return filename[: -len(suffix)] or filename
    return filename


def grid_mismatch(image: LoadedImage, reference: LoadedImage) -> str | None:
    """Describe how ``image``'s grid differs from ``reference``'s, or None if it matches."""
    if image.data.shape != reference.data.shape:
        return f"has shape {image.data.shape} but {reference.name} has {reference.data.shape}"
    gap = float(np.abs(image.affine - reference.affine).max())
    if gap > AFFINE_TOLERANCE_MM:
        return f"has an affine that differs from {reference.name}'s by up to {gap:.3g} mm"
    return None


def stack_images(
    images: Sequence[LoadedImage], names: Sequence[str] | None = None, *, resample: bool = False
) -> VolumeStack:
    """Stack images of one subject as channels on the first image's grid.

    Parameters
    ----------
    images : sequence of LoadedImage
        One or more images; the first is the reference.
    names : sequence of str, optional
        Channel names; the file names by default.
    resample : bool, default False
        Resample images whose grid differs onto the reference grid (trilinear,
        nibabel.processing) instead of refusing them.

    Returns
    -------
    VolumeStack

    Raises
    ------
    InputError
        When a grid differs and ``resample`` is False, naming the image and how.
    """
    if not images:
        raise InputError("channels", "no image was given.", "Choose a sample or upload a file.")
    names = tuple(names) if names is not None else tuple(channel_name(im.name) for im in images)
    if len(names) != len(images):
        raise InputError("channels", f"{len(names)} names were given for {len(images)} images.")
    if len(set(names)) != len(names):
        raise InputError("channels", f"channel names must differ, got {', '.join(names)}.")
    reference = images[0]
    channels, resampled = [reference.data], []
    for image, name in zip(images[1:], names[1:]):
        problem = grid_mismatch(image, reference)
        if problem is None:
            channels.append(image.data)
        elif resample:
            channels.append(_resample(image, reference))
            resampled.append(name)
        else:
            raise InputError(
                image.name,
                f"{problem}, so its voxels do not line up.",
                "Tick 'resample onto the first image's grid' (or pass --resample), or co-register the images first.",
            )
    key = "|".join([im.digest for im in images] + list(names) + [f"resample={resample}"])
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return VolumeStack(names, tuple(channels), tuple(images), digest, tuple(resampled))


def _resample(image: LoadedImage, reference: LoadedImage) -> np.ndarray:
    source = nib.Nifti1Image(image.data, image.affine)
    out = resample_from_to(source, (reference.data.shape, reference.affine), order=1, cval=0.0)
    return np.asarray(out.dataobj, dtype=np.float64)


def with_mask(stack: VolumeStack, mask: AnalysisMask) -> VolumeStack:
    """The same stack analysed inside ``mask`` (its digest, the cache key, changes with the mask)."""
    digest = hashlib.sha256(f"{stack.digest}|mask={mask.digest}".encode()).hexdigest()[:24]
    return dataclasses.replace(stack, mask=mask, digest=digest)


def channels_table(stack: VolumeStack) -> pd.DataFrame:
    """One row per channel: name, file(s), format, shape, voxel size, data type, orientation, voxels > 0."""
    return pd.DataFrame(
        [
            {
                "channel": name,
                "file": " + ".join(image.files) if image.files else image.name,
                "format": image.format,
                "shape": " x ".join(map(str, image.shape)),
                "voxel size (mm)": " x ".join(f"{z:.3g}" for z in image.zooms),
                "data type": str(image.header.get_data_dtype()),
                "orientation": "".join(aff2axcodes(image.affine)) + "+",
                "voxels > 0": f"{np.count_nonzero(channel > 0):,}",
            }
            for name, image, channel in zip(stack.names, stack.images, stack.channels)
        ]
    )
