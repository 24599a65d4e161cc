"""Analysis masks: which voxels are segmented (DESIGN 3.8).

Three choices. ``lesson`` is the teaching recipe's rule, finite and > 0 in
every channel (the default, so results stay identical to the recipe). ``file``
is a mask image: nonzero is inside, resampled nearest-neighbour onto the first
image's grid when its grid differs. ``auto`` finds the foreground from the
images, so background noise around a whole-head image is never clustered:

1. smooth the first channel with a small Gaussian (sigma 1 voxel), so that
   speckle noise does not pass a threshold voxel by voxel;
2. Otsu's threshold on the smoothed finite voxels separates background from
   tissue (the idea of dipy's ``median_otsu``);
3. hysteresis: voxels above half that threshold are kept when they are
   connected to a voxel above it, which keeps the brain's dark partial-volume
   rim and drops isolated noise;
4. the largest connected component is kept and its holes are filled, so dark
   CSF inside (ventricles) belongs to the foreground;
5. voxels that are exactly 0 stay outside: a magnitude image is 0 only where
   it was zero-filled (skull stripping, padding), never in tissue.

Every mask is intersected with "finite in every channel".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import nibabel as nib
import numpy as np
from nibabel.processing import resample_from_to
from scipy import ndimage

from neuroseg.errors import InputError
from neuroseg.io import LoadedImage

MASK_CHOICES = ("lesson", "auto", "file", "brain")
"""Every analysis mask (DESIGN 3.8, 3.12); ``brain`` is resolved by :func:`neuroseg.analysis.brain.brain_mask`."""


@dataclass(frozen=True)
class AnalysisMask:
    """A choice of analysis mask, resolved on a stack's grid.

    Attributes
    ----------
    kind : {"lesson", "auto", "file"}
    region : ndarray of bool or None
        The mask on the first image's grid; None for the lesson rule, which
        depends on the voxel values of each scope.
    source : str
        What the mask came from, for messages: a file name, or a description.
    notices : tuple of str
        Things a user should know (e.g. that the mask was resampled).
    digest : str
        Identifies the mask in cache keys.
    voxel_to_mni : ndarray or None
        ``brain`` only: the 4x4 affine from the first image's voxel indices to MNI millimetres that the
        registration check found (the viewer's MNI readout and the transform export use it).
    """

    kind: str = "lesson"
    region: np.ndarray | None = None
    source: str = "the lesson rule (> 0 in every channel)"
    notices: tuple[str, ...] = ()
    digest: str = "lesson"
    voxel_to_mni: np.ndarray | None = None

    def select(self, parts: Sequence[np.ndarray], region_part: np.ndarray | None = None) -> np.ndarray:
        """The mask within a scope: ``parts`` are the channels' slices (or volumes), ``region_part`` this mask's.

        Parameters
        ----------
        parts : sequence of ndarray
            The scope of each channel.
        region_part : ndarray of bool, optional
            The same scope of :attr:`region` (required unless the rule is the lesson's).
        """
        if self.region is None:
            return lesson_mask(parts)
        return np.logical_and.reduce([np.isfinite(p) for p in parts]) & region_part


LESSON = AnalysisMask()


def lesson_mask(channels: Sequence[np.ndarray]) -> np.ndarray:
    """Voxels that are finite and > 0 in every channel (the lesson's mask).

    NaN and infinite values are left out, so one bad voxel cannot poison a fit.
    """
    mask = np.ones(channels[0].shape, dtype=bool)
    for channel in channels:
        mask &= channel > 0
        mask &= np.isfinite(channel)
    return mask


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold: the cut that maximises the between-class variance of a histogram."""
    counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(counts)[:-1].astype(float)
    w1 = counts.sum() - w0
    m0 = np.cumsum(counts * centres)[:-1] / np.maximum(w0, 1)
    m1 = ((counts * centres).sum() - np.cumsum(counts * centres)[:-1]) / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    return float(edges[1:-1][np.argmax(between)])


def auto_mask(channel: np.ndarray) -> np.ndarray:
    """Foreground of an image found from its intensities (see the module docstring for the method).

    Parameters
    ----------
    channel : ndarray
        3-D intensities (the first channel of a stack).

    Returns
    -------
    ndarray of bool
    """
    finite = np.isfinite(channel)
    filled = np.where(finite, channel, 0.0)
    smooth = ndimage.gaussian_filter(filled, sigma=1.0, mode="nearest")
    values = smooth[finite]
    if values.size == 0 or values.min() == values.max():
        return finite & (filled > 0)
    high = otsu_threshold(values)
    strong = smooth > high
    weak = smooth > high / 2 if high > 0 else smooth > values.min()
    components, n = ndimage.label(weak)
    if n == 0:
        return np.zeros(channel.shape, bool)
    sizes = ndimage.sum_labels(strong, components, index=np.arange(1, n + 1))
    keep = np.zeros(n + 1, bool)
    keep[1 + int(np.argmax(sizes))] = True
    return ndimage.binary_fill_holes(keep[components]) & finite & (filled != 0)


def make_auto(channels: Sequence[np.ndarray]) -> AnalysisMask:
    """The ``auto`` mask of a stack's channels (found from the first channel)."""
    region = auto_mask(channels[0])
    return AnalysisMask("auto", region, "the automatic foreground mask", (), "auto")


def mask_from_image(image: LoadedImage, reference: LoadedImage) -> AnalysisMask:
    """A mask image on the reference grid: nonzero is inside; another grid is resampled nearest-neighbour.

    Raises
    ------
    InputError
        Naming the mask file when it is empty, before or after resampling.
    """
    notices = []
    inside = np.nan_to_num(image.data) != 0
    if not inside.any():
        raise InputError(image.name, "is an empty mask: every voxel is 0.", "Use a mask with the region to analyse set to 1.")
    same = image.data.shape == reference.data.shape and np.allclose(image.affine, reference.affine, atol=1e-3)
    if not same:
        source = nib.Nifti1Image(inside.astype(np.uint8), image.affine)
        moved = resample_from_to(source, (reference.data.shape, reference.affine), order=0, cval=0)
        inside = np.asarray(moved.dataobj) > 0
        notices.append(
            f"The mask {image.name} is on another grid than {reference.name} "
            f"({'x'.join(map(str, image.data.shape))} vs {'x'.join(map(str, reference.data.shape))} voxels); "
            "it was resampled onto the image's grid (nearest neighbour)."
        )
        if not inside.any():
            raise InputError(
                image.name,
                f"does not overlap {reference.name}: after resampling onto its grid no voxel is inside.",
                "Check that the mask and the images are in the same space.",
            )
    digest = hashlib.sha256(image.digest.encode() + reference.digest.encode()).hexdigest()[:24]
    return AnalysisMask("file", inside, image.name, tuple(notices), digest)


def resolve_mask(
    kind: str, channels: Sequence[np.ndarray], reference: LoadedImage, image: LoadedImage | None = None
) -> AnalysisMask:
    """The mask a choice names: ``lesson``, ``auto`` (from ``channels``) or ``file`` (``image``)."""
    if kind == "lesson":
        return LESSON
    if kind == "auto":
        return make_auto(channels)
    if kind == "file":
        if image is None:
            raise InputError("mask", "'file' was chosen but no mask image was given.", "Give a mask file.")
        return mask_from_image(image, reference)
    if kind == "brain":
        raise ValueError("the brain mask is extracted by neuroseg.analysis.brain.brain_mask, which needs the models")
    raise InputError("mask", f"must be one of {', '.join(MASK_CHOICES)}, not {kind!r}.")
