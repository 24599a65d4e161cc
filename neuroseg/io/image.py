"""The image the analysis sees, and the checks every format's voxels and geometry pass."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from neuroseg.errors import InputError
from neuroseg.io.budget import squeeze_trailing


@dataclass(frozen=True)
class LoadedImage:
    """One image as the analysis sees it.

    Attributes
    ----------
    name : str
        Display name: the file's name, or the header file's for a pair; never used as a path.
    data : ndarray
        float64 3-D voxel array of the chosen volume, as ``get_fdata()`` gives it.
    affine : ndarray
        4x4 voxel-to-world affine of the source image.
    header : nibabel header
        The source header, for display and for exports.
    format : str
        ``"NIfTI-1"``, ``"NIfTI-2"``, ``"NIfTI-1 pair"``, ``"NIfTI-2 pair"``, ``"Analyze 7.5"``,
        ``"MGH"``, ``"MINC1"``, ``"MINC2"``, ``"PAR/REC"`` or ``"AFNI"``.
    shape : tuple of int
        Full shape of the source image (may be 4-D).
    volume : int
        Index of the chosen volume in a 4-D image (0 otherwise).
    digest : str
        SHA-256 of the file's bytes plus the volume index; keys every cache.
    warnings : tuple of str
        Things that are odd but do not stop the analysis.
    files : tuple of str
        Every file the image was read from (two for a pair); for a DICOM
        series, the name of the NIfTI file it is offered as (``series_3.nii.gz``).
    """

    name: str
    data: np.ndarray
    affine: np.ndarray
    header: object
    format: str
    shape: tuple[int, ...]
    volume: int
    digest: str
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def script_name(self) -> str:
        """The file a generated script reads this image from: its own, or for a DICOM series the NIfTI the app offers."""
        return self.files[0] if self.format == "DICOM" else self.name

    @property
    def n_volumes(self) -> int:
        """Number of volumes (the 4th dimension), 1 for a 3-D image."""
        return self.shape[3] if len(self.shape) > 3 else 1

    @property
    def zooms(self) -> tuple[float, float, float]:
        """Voxel edge lengths in mm, from the affine's columns."""
        return tuple(float(z) for z in np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0)))


def digest_of(parts: Mapping[str, bytes], volume: int) -> str:
    """SHA-256 of a file's bytes (all of them, in name order, for a pair) plus the volume index."""
    sha = hashlib.sha256()
    for name in sorted(parts):
        sha.update(parts[name])
    return sha.hexdigest()[:24] + f"-v{volume}"


def finish(
    image, fmt: str, header, name: str, volume: int, digest: str, warnings: list[str], *,
    files: tuple[str, ...] = (), time_first: bool = False,
) -> LoadedImage:  # fmt: skip
    """Read one volume of a parsed nibabel image and wrap it, with its warnings.

    ``header`` is the header as written (nibabel repairs its own copy), for
    the geometry checks; ``image`` must already have passed the budget check.
    ``time_first`` marks a 4-D image whose volumes run along the first axis
    (MINC's ``time`` dimension) instead of the last; its shape is reported
    spatial axes first, as for every other format.
    """
    data, more, affine = voxel_data(image, fmt, header, name, volume, time_first)
    shape = tuple(int(s) for s in image.shape)
    if time_first and len(shape) == 4:
        shape = shape[1:] + shape[:1]
    return LoadedImage(
        name=name,
        files=files or (name,),
        data=data,
        affine=affine,
        header=image.header,
        format=fmt,
        shape=shape,
        volume=volume,
        digest=digest,
        warnings=tuple(warnings + more),
    )


def voxel_data(image, fmt: str, header, name: str, volume: int, time_first: bool = False):
    """Return the float64 voxels of one volume, the affine and value warnings."""
    shape = tuple(int(s) for s in image.shape)
    time_first = time_first and len(shape) == 4
    shape = shape[1:] + shape[:1] if time_first else squeeze_trailing(shape)
    warnings = []
    try:
        if len(shape) == 4:
            if not 0 <= volume < shape[3]:
                raise InputError(
                    name, f"has {shape[3]} volumes; volume {volume} does not exist.", f"Pick 0 to {shape[3] - 1}."
                )
            data = np.asarray(image.dataobj[volume] if time_first else image.dataobj[..., volume], dtype=np.float64)
        else:
            data = image.get_fdata()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(name, f"has voxel data that cannot be read ({exc}).", "The file is damaged.") from None
    data = data.reshape(shape[:3] + (1,) * (3 - len(shape[:3])))
    affine = np.asarray(image.affine, dtype=np.float64)
    affine, geometry = _checked_affine(affine, header, fmt, name)
    warnings += geometry
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    if zooms.max() > 1.5 * zooms.min():
        sizes = " x ".join(f"{z:.3g}" for z in zooms)
        warnings.append(f"{name}: voxels are anisotropic ({sizes} mm); resolution differs between slice axes.")
    if len(shape) == 4:
        warnings.append(f"{name}: is 4-D with {shape[3]} volumes; volume {volume} is analysed.")
    warnings += _value_warnings(data, name)
    return data, warnings, affine


def _checked_affine(affine: np.ndarray, header, fmt: str, name: str):
    """Warn about geometry problems; ``header`` is the header as written (nibabel repairs its own copy)."""
    warnings = []
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:3, :3])) < 1e-12:
        warnings.append(
            f"{name}: the affine is singular or not finite, so orientation and voxel size are unknown; "
            "a 1 mm grid in RAS orientation is assumed."
        )
        return np.eye(4), warnings
    if fmt.startswith("NIfTI"):
        pixdim = np.asarray(header["pixdim"][1:4], dtype=float)
        if np.any(pixdim <= 0):
            warnings.append(
                f"{name}: the header's voxel sizes (pixdim {', '.join(f'{p:g}' for p in pixdim)}) are not all positive; "
                "absolute values are used and 0 is read as 1 mm, as nibabel does."
            )
        qcode, scode = int(header["qform_code"]), int(header["sform_code"])
        if qcode == 0 and scode == 0:
            warnings.append(
                f"{name}: no orientation codes (qform_code = sform_code = 0); the orientation shown is a guess."
            )
        elif qcode > 0 and scode > 0:
            gap = float(np.abs(header.get_qform() - header.get_sform()).max())
            if gap > 1e-3:
                warnings.append(
                    f"{name}: the qform and sform disagree (by up to {gap:.3g} mm); the sform is used, as nibabel does."
                )
    return affine, warnings


def _value_warnings(data: np.ndarray, name: str) -> list[str]:
    finite = np.isfinite(data)
    n_bad = int(data.size - np.count_nonzero(finite))
    if n_bad == data.size:
        raise InputError(name, "has no finite voxel values (all NaN or infinite).", "Check how it was produced.")
    warnings = []
    if n_bad:
        warnings.append(f"{name}: {n_bad:,} voxels are NaN or infinite; they are left out of the analysis mask.")
    sample = data.ravel()[:: max(1, data.size // 200_000)]
    sample = sample[np.isfinite(sample)]
    values = np.unique(sample)
    if values.size == 1:
        warnings.append(f"{name}: every voxel has the value {values[0]:g}; there is nothing to segment.")
    elif values.size <= 16 and np.all(values == np.round(values)):
        warnings.append(
            f"{name}: has only {values.size} distinct integer values; it looks like a label or mask image, "
            "not an intensity image."
        )
    return warnings
