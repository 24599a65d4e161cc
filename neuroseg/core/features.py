"""From a volume stack to the analysis mask and feature matrix of a scope, and back.

The recipe takes one slice, keeps voxels that are > 0 in both images and lists
them as rows of an (n_voxels, n_channels) matrix in C order, exactly as
``img_slice[mask]`` does. These functions do the same for a slice or a whole
volume, and put labels back where the rows came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from neuroseg.core.axes import AXES, axis_planes
from neuroseg.core.masks import LESSON, AnalysisMask
from neuroseg.errors import InputError


@dataclass(frozen=True)
class Scope:
    """The part of the volume an analysis looks at.

    Attributes
    ----------
    kind : {"slice", "volume"}
    axis : {"x", "y", "z"}
        Array axis a slice is taken across (``"z"`` for a volume).
    index : int
        Slice index along ``axis`` (0 for a volume).

    All volume scopes are equal whatever slice they were made with, so that
    what is cached for the volume stays cached while the slice moves.
    """

    kind: Literal["slice", "volume"] = "slice"
    axis: str = "z"
    index: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("slice", "volume"):
            raise InputError("scope", f"must be 'slice' or 'volume', not {self.kind!r}.")
        if self.axis not in AXES:
            raise InputError("axis", f"must be one of x, y, z, not {self.axis!r}.")
        if self.kind == "volume":
            object.__setattr__(self, "axis", "z")
            object.__setattr__(self, "index", 0)

    def describe(self, affine: np.ndarray | None = None) -> str:
        """``"axial slice 47"`` (the plane named from ``affine``; ``"slice 47 along z"`` without it), or ``"the whole volume"``."""
        if self.kind == "volume":
            return "the whole volume"
        if affine is None:
            return f"slice {self.index} along {self.axis}"
        return f"{axis_planes(affine)[self.axis]} slice {self.index}"

    def extract(self, volume: np.ndarray) -> np.ndarray:
        """Return the slice (2-D view) or the whole volume."""
        if self.kind == "volume":
            return volume
        a = AXES.index(self.axis)
        if not 0 <= self.index < volume.shape[a]:
            raise InputError(
                "slice", f"{self.index} is outside the volume (axis {self.axis} has 0..{volume.shape[a] - 1})."
            )
        return volume[(slice(None),) * a + (self.index,)]  # a view (np.take is ~1000x slower on a 1 mm volume)

    def spacing(self, zooms: Sequence[float]) -> tuple[float, ...]:
        """Voxel size (mm) along each axis of what ``extract`` returns: a slice drops its own axis."""
        if self.kind == "volume":
            return tuple(float(z) for z in zooms)
        a = AXES.index(self.axis)
        return tuple(float(z) for i, z in enumerate(zooms) if i != a)

    def embed(self, part: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Put a slice (or a volume) back into a zero volume of ``shape``."""
        if self.kind == "volume":
            return part
        out = np.zeros(shape, dtype=part.dtype)
        index = [slice(None)] * 3
        index[AXES.index(self.axis)] = self.index
        out[tuple(index)] = part
        return out


def feature_matrix(channels: Sequence[np.ndarray], mask: np.ndarray) -> np.ndarray:
    """Stack masked voxels into an (n_voxels, n_channels) float64 matrix, C order."""
    return np.column_stack([np.asarray(c, dtype=np.float64)[mask] for c in channels])


@dataclass(frozen=True)
class Standardisation:
    """Per-channel centring and scaling, kept so results can be mapped back."""

    mean: np.ndarray
    scale: np.ndarray

    def apply(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def invert_means(self, means: np.ndarray) -> np.ndarray:
        return means * self.scale + self.mean

    def invert_covariances(self, covariances: np.ndarray) -> np.ndarray:
        return covariances * np.outer(self.scale, self.scale)


def standardise(X: np.ndarray) -> tuple[np.ndarray, Standardisation]:
    """Centre each column and scale it to unit variance (constant columns kept as-is)."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    transform = Standardisation(mean, scale)
    return transform.apply(X), transform


def plane_rows(mask: np.ndarray, plane: Scope) -> tuple[np.ndarray, np.ndarray]:
    """One plane of a 3-D mask, and the rows (mask voxels numbered in C order) that lie on it.

    ``values[rows]`` are then the plane's values of any per-row array, so a
    plane of a whole-volume label map is drawn without building the volume:
    the voxels before each plane voxel are counted from per-line totals.
    """
    lines = mask.sum(axis=2)  # mask voxels on each line along the last axis
    before_line = (np.cumsum(lines.ravel()) - lines.ravel()).reshape(lines.shape)
    a, i = AXES.index(plane.axis), plane.index
    inside = plane.extract(mask)
    if a == 2:
        rank = before_line + mask[:, :, :i].sum(axis=2)
    else:
        start = before_line[:, i] if a == 1 else before_line[i]
        rank = start[:, None] + np.cumsum(inside, axis=1) - inside
    return inside, rank[inside]


def labels_to_image(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scatter per-row labels back into an image the shape of ``mask`` (0 outside)."""
    out = np.zeros(mask.shape, dtype=np.uint8)
    out[mask] = labels
    return out


@dataclass(frozen=True)
class Features:
    """Rows to fit and where they came from.

    Attributes
    ----------
    X : ndarray
        (n_voxels, n_channels) raw intensities, float64, in C order of the scope.
    mask : ndarray
        Boolean mask in the scope's shape (2-D for a slice).
    scope : Scope
    """

    X: np.ndarray
    mask: np.ndarray
    scope: Scope


def make_features(channels: Sequence[np.ndarray], scope: Scope, mask: AnalysisMask = LESSON) -> Features:
    """Build the mask and feature matrix of a scope, as the lesson does.

    Parameters
    ----------
    channels : sequence of ndarray
        Co-registered 3-D volumes, one per channel.
    scope : Scope
        A slice or the whole volume.
    mask : AnalysisMask, default the lesson rule
        Which voxels to analyse (a stack's :attr:`~neuroseg.core.stack.VolumeStack.mask`).

    Returns
    -------
    Features
    """
    parts = [scope.extract(c) for c in channels]
    inside = mask.select(parts, None if mask.region is None else scope.extract(mask.region))
    return Features(X=feature_matrix(parts, inside), mask=inside, scope=scope)
