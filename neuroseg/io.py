"""Load NIfTI-1, NIfTI-2 and MGH/MGZ images from bytes or paths, safely.

Everything a user can upload passes through :func:`load_bytes`: the format is
sniffed from magic bytes (never from the name), the header is parsed and
checked against a memory budget *before* any voxel data is decompressed, a
gzip stream is inflated with a byte cap and its CRC is verified, and the voxel
array handed to the analysis is exactly what ``nib.load(f).get_fdata()`` gives
(DESIGN 3.4).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.freesurfer.mghformat import MGHHeader, MGHImage
from nibabel.imageglobals import LoggingOutputSuppressor

from neuroseg.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_PEEK_BYTES = 544  # enough for the largest fixed header (NIfTI-2, 540 bytes)
_MAX_EXTENSION_BYTES = 16 * 2**20
_TRAILING_SLACK = 2**20  # MGH footer and tags after the voxel data
_CHUNK = 2**20

DEFAULT_BUDGET_MB = 256
"""Default memory budget per image, in MiB; ``NEUROSEG_MEMORY_BUDGET_MB`` overrides it."""


def memory_budget_bytes() -> int:
    """Return the memory budget for one image, in bytes.

    The budget bounds both the decompressed file and the float64 working copy
    of one 3-D volume, so the largest accepted volume is ``budget / 8`` voxels
    (256 MiB: about 33 million voxels, e.g. 322**3; a 1 mm brain has 7 to 9 million).
    """
    mb = os.environ.get("NEUROSEG_MEMORY_BUDGET_MB", "")
    try:
        value = float(mb)
    except ValueError:
        value = DEFAULT_BUDGET_MB
    if not np.isfinite(value) or value <= 0:
        value = DEFAULT_BUDGET_MB
    return int(value * 2**20)


@dataclass(frozen=True)
class LoadedImage:
    """One image as the analysis sees it.

    Attributes
    ----------
    name : str
        Display name (the uploaded file name); never used as a path.
    data : ndarray
        float64 3-D voxel array of the chosen volume, as ``get_fdata()`` gives it.
    affine : ndarray
        4x4 voxel-to-world affine of the source image.
    header : nibabel header
        The source header, for display and for exports.
    format : str
        ``"NIfTI-1"``, ``"NIfTI-2"`` or ``"MGH"``.
    shape : tuple of int
        Full shape of the source image (may be 4-D).
    volume : int
        Index of the chosen volume in a 4-D image (0 otherwise).
    digest : str
        SHA-256 of the file's bytes plus the volume index; keys every cache.
    warnings : tuple of str
        Things that are odd but do not stop the analysis.
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

    @property
    def n_volumes(self) -> int:
        """Number of volumes (the 4th dimension), 1 for a 3-D image."""
        return self.shape[3] if len(self.shape) > 3 else 1

    @property
    def zooms(self) -> tuple[float, float, float]:
        """Voxel edge lengths in mm, from the affine's columns."""
        return tuple(float(z) for z in np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0)))


@dataclass(frozen=True)
class _HeaderInfo:
    klass: type
    header: object
    format: str
    shape: tuple[int, ...]
    itemsize: int
    data_offset: int


def load_path(path: str | os.PathLike, *, volume: int = 0, budget: int | None = None) -> LoadedImage:
    """Load an image file from disk through the same checks as an upload.

    Parameters
    ----------
    path : str or path-like
        A ``.nii``, ``.nii.gz``, ``.mgh`` or ``.mgz`` file.
    volume : int, default 0
        Volume to analyse in a 4-D image.
    budget : int, optional
        Memory budget in bytes; :func:`memory_budget_bytes` by default.

    Returns
    -------
    LoadedImage
    """
    path = Path(path)
    budget = memory_budget_bytes() if budget is None else budget
    try:
        size = path.stat().st_size
        if size > budget:
            raise InputError(
                path.name,
                f"is {size / 2**20:.0f} MiB, more than the {budget / 2**20:.0f} MiB memory budget.",
                "Crop or downsample it, or raise NEUROSEG_MEMORY_BUDGET_MB.",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path.name, f"cannot be read ({exc.strerror or exc}).") from None
    return load_bytes(raw, path.name, volume=volume, budget=budget)


def load_bytes(raw: bytes, name: str, *, volume: int = 0, budget: int | None = None) -> LoadedImage:
    """Load an image from in-memory bytes (an upload), checking it first.

    Parameters
    ----------
    raw : bytes
        The file's content, gzip-compressed or not (decided by magic bytes).
    name : str
        The file's name, used in messages only.
    volume : int, default 0
        Volume to analyse in a 4-D image.
    budget : int, optional
        Memory budget in bytes; :func:`memory_budget_bytes` by default.

    Returns
    -------
    LoadedImage

    Raises
    ------
    InputError
        With a message that names the file, the problem and what would work.
    """
    budget = memory_budget_bytes() if budget is None else budget
    if len(raw) == 0:
        raise InputError(name, "is empty (0 bytes).", "Use the .nii, .nii.gz, .mgh or .mgz file itself.")
    compressed = raw[:2] == GZIP_MAGIC
    head = _gunzip_head(raw, name) if compressed else raw[:_PEEK_BYTES]
    info = _parse_header(head, name)
    warnings = _check_header(info, name, budget)
    expected = info.data_offset + int(np.prod(info.shape)) * info.itemsize
    body = _gunzip_all(raw, name, cap=expected + _TRAILING_SLACK) if compressed else raw
    if info.data_offset >= len(body):
        raise InputError(
            name,
            f"declares its voxel data at byte {info.data_offset:,}, beyond the end of the file ({len(body):,} bytes).",
            "The header is damaged or the file is truncated; fetch or re-export it.",
        )
    if len(body) < expected:
        raise InputError(
            name,
            f"is truncated: its header declares {expected:,} bytes of header and data "
            f"but the {'decompressed ' if compressed else ''}file holds {len(body):,}.",
            "The download or copy was probably cut off; fetch the file again.",
        )
    image = _build_image(info, body, name)
    data, warnings2, affine = _voxel_data(image, info, name, volume)
    digest = hashlib.sha256(raw).hexdigest()[:24] + f"-v{volume}"
    return LoadedImage(
        name=name,
        data=data,
        affine=affine,
        header=image.header,
        format=info.format,
        shape=info.shape,
        volume=volume,
        digest=digest,
        warnings=tuple(warnings + warnings2),
    )


def _gunzip_head(raw: bytes, name: str) -> bytes:
    """Inflate just enough of a gzip stream to read the header."""
    try:
        return zlib.decompressobj(wbits=31).decompress(raw, _PEEK_BYTES)
    except zlib.error:
        raise InputError(
            name, "starts like a gzip file but its stream is damaged.", "Fetch the file again."
        ) from None


def _gunzip_all(raw: bytes, name: str, cap: int) -> bytes:
    """Inflate a whole gzip stream, at most ``cap`` bytes, checking its CRC."""
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                if out.tell() > cap:
                    raise InputError(
                        name,
                        f"decompresses to more than the {cap:,} bytes its header declares.",
                        "The file is damaged or not what it claims; re-export it.",
                    )
    except EOFError:
        raise InputError(
            name, "is a cut-off gzip stream (the end of the file is missing).", "Fetch the file again."
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        problem = (
            "fails its gzip checksum (CRC): the data is corrupted."
            if "CRC" in str(exc) or "length" in str(exc)
            else "has bytes after the end of its gzip stream, or a damaged stream."
        )
        raise InputError(name, problem, "Fetch the file again.") from None
    return out.getvalue()


def _parse_header(head: bytes, name: str) -> _HeaderInfo:
    """Recognise the format from magic numbers and parse the fixed header."""
    stripped = head.lstrip()[:15].lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"<head")):
        raise InputError(
            name,
            "is an HTML or XML page, not an image (a browser may have saved an error page).",
            "Download the image itself.",
        )
    if len(head) >= 4:
        le, be = int.from_bytes(head[:4], "little"), int.from_bytes(head[:4], "big")
        if 348 in (le, be):
            return _parse_nifti(head, name, nib.Nifti1Header, nib.Nifti1Image, 348, b"n+1", b"ni1", "NIfTI-1")
        if 540 in (le, be):
            return _parse_nifti(head, name, nib.Nifti2Header, nib.Nifti2Image, 540, b"n+2", b"ni2", "NIfTI-2")
        if be == 1 and len(head) >= 90:
            return _parse_mgh(head, name)
    if len(head) < 4:
        raise InputError(name, f"is only {len(head)} bytes long, too short to be an image.")
    raise InputError(
        name,
        "is not a NIfTI-1, NIfTI-2 or MGH/MGZ image (its first bytes match none of them).",
        "Use a .nii, .nii.gz, .mgh or .mgz file.",
    )


def _parse_nifti(head, name, header_class, image_class, size, single, pair, label) -> _HeaderInfo:
    if len(head) < size:
        raise InputError(
            name,
            f"ends inside its {label} header ({len(head)} of {size} bytes).",
            "The file is truncated; fetch it again.",
        )
    # byte order from sizeof_hdr, not nibabel's guess (which trusts dim[0], the field a damaged header gets wrong)
    endianness = "<" if int.from_bytes(head[:4], "little") == size else ">"
    hdr = header_class(head[:size], endianness=endianness, check=False)
    magic = bytes(hdr["magic"]).rstrip(b"\x00")
    if magic == pair:
        raise InputError(
            name,
            "is the header half of a .hdr/.img pair; the voxel data lives in a separate file.",
            "Convert the pair to a single .nii file (e.g. with nibabel or fslchfiletype) and use that.",
        )
    if magic != single:
        raise InputError(
            name,
            "is an Analyze 7.5 header (no NIfTI magic), which carries no reliable orientation.",
            "Convert it to a single-file NIfTI (e.g. with nibabel or FSL) first.",
        )
    dim = [int(d) for d in hdr["dim"]]
    if not 2 <= dim[0] <= 7:
        raise InputError(
            name,
            f"has an invalid header: dim[0] = {dim[0]}, but an image has 2 to 7 dimensions.",
            "The file is damaged or not an image; re-export it.",
        )
    shape = tuple(dim[1 : dim[0] + 1])
    intent = int(hdr["intent_code"])
    if 3000 <= intent <= 3099:
        raise InputError(
            name,
            "is a CIFTI file (surface and grayordinate data), not a volume.",
            "Use a volumetric NIfTI image instead.",
        )
    try:
        dtype = hdr.get_data_dtype()
    except (KeyError, ValueError):
        raise InputError(
            name,
            f"uses data type code {int(hdr['datatype'])}, which is not a known NIfTI type.",
            "The header is damaged, or the writer is non-standard; re-export it as int16 or float32.",
        ) from None
    _check_dtype(dtype, hdr, name)
    offset = int(hdr["vox_offset"])
    return _HeaderInfo(image_class, hdr, label, shape, dtype.itemsize, offset)


def _parse_mgh(head: bytes, name: str) -> _HeaderInfo:
    hdr = MGHHeader(head[:90], check=False)
    dims = [int(d) for d in hdr["dims"]]
    shape = tuple(dims[:3]) + ((dims[3],) if dims[3] > 1 else ())
    try:
        dtype = hdr.get_data_dtype()
    except (KeyError, ValueError):
        raise InputError(
            name,
            f"uses MGH data type code {int(hdr['type'])}, which is not known.",
            "Re-export it with FreeSurfer's mri_convert, or as NIfTI.",
        ) from None
    return _HeaderInfo(MGHImage, hdr, "MGH", shape, dtype.itemsize, hdr.get_data_offset())


def _check_dtype(dtype: np.dtype, hdr, name: str) -> None:
    code = int(hdr["datatype"])
    label = "1-bit (binary)" if code == 1 else nib.nifti1.data_type_codes.label.get(code, str(dtype))
    if dtype.fields is not None:
        raise InputError(name, f"stores {label} colour voxels, not intensities.", "Convert it to one grey channel.")
    if dtype.kind == "c":
        raise InputError(name, f"stores {label} (complex) voxels.", "Use the magnitude image instead.")
    if dtype.kind not in "biuf" or dtype.itemsize == 0:
        raise InputError(
            name,
            f"stores {label} voxels, which numpy cannot read portably.",
            "Convert it to uint8, int16, float32 or float64.",
        )


def _check_header(info: _HeaderInfo, name: str, budget: int) -> list[str]:
    """Check what the header declares before any voxel data is read."""
    shape = info.shape
    if any(d <= 0 for d in shape):
        raise InputError(
            name, f"declares a shape of {shape}, with a zero or negative size.", "The header is damaged."
        )
    squeezed = _squeeze_trailing(shape)
    if len(squeezed) > 4:
        raise InputError(
            name,
            f"has {len(squeezed)} dimensions {squeezed}; neuroseg reads 2-D, 3-D and 4-D images.",
            "Split it into 3-D volumes first.",
        )
    n_bytes = int(np.prod(shape, dtype=np.float64)) * info.itemsize
    n_vox3 = int(np.prod(squeezed[:3], dtype=np.float64))
    limit = budget / 2**20
    if n_bytes > budget or n_vox3 * 8 > budget:
        raise InputError(
            name,
            f"declares {n_vox3:,} voxels per volume ({n_bytes / 2**20:,.0f} MiB of data), "
            f"more than the {limit:,.0f} MiB memory budget allows.",
            "Crop or downsample it, or raise NEUROSEG_MEMORY_BUDGET_MB where you run neuroseg.",
        )
    warnings = []
    if info.format.startswith("NIfTI"):
        minimum = 352 if info.format == "NIfTI-1" else 544
        offset = info.data_offset
        if offset < minimum:
            raise InputError(
                name,
                f"declares its voxel data at byte {offset}, inside the header (vox_offset must be at least {minimum}).",
                "The header is damaged; re-export the image.",
            )
        if offset - minimum > _MAX_EXTENSION_BYTES:
            raise InputError(
                name,
                f"puts its voxel data at byte {offset:,}, after {(offset - minimum) / 2**20:,.1f} MiB of header "
                f"extensions; at most {_MAX_EXTENSION_BYTES / 2**20:.0f} MiB are accepted.",
                "Strip the extensions (e.g. with nibabel) and try again.",
            )
        slope = float(info.header["scl_slope"])
        if np.isfinite(slope) and slope < 0:
            warnings.append(f"{name}: the scaling slope is negative ({slope:g}), so intensities are inverted.")
    return warnings


def _squeeze_trailing(shape: tuple[int, ...]) -> tuple[int, ...]:
    shape = list(shape)
    while len(shape) > 3 and shape[-1] == 1:
        shape.pop()
    return tuple(shape)


def _build_image(info: _HeaderInfo, body: bytes, name: str):
    try:
        with LoggingOutputSuppressor():
            return info.klass.from_bytes(body)
    except Exception as exc:  # nibabel raises many types for damaged files
        raise InputError(name, f"could not be read as {info.format} ({exc}).", "The file is damaged.") from None


def _voxel_data(image, info: _HeaderInfo, name: str, volume: int):
    """Return the float64 voxels of one volume, the affine and value warnings."""
    shape = _squeeze_trailing(tuple(int(s) for s in image.shape))
    warnings = []
    try:
        if len(shape) == 4:
            if not 0 <= volume < shape[3]:
                raise InputError(
                    name, f"has {shape[3]} volumes; volume {volume} does not exist.", f"Pick 0 to {shape[3] - 1}."
                )
            data = np.asarray(image.dataobj[..., volume], dtype=np.float64)
        else:
            data = image.get_fdata()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(name, f"has voxel data that cannot be read ({exc}).", "The file is damaged.") from None
    data = data.reshape(shape[:3] + (1,) * (3 - len(shape[:3])))
    affine = np.asarray(image.affine, dtype=np.float64)
    affine, geometry = _checked_affine(affine, info.header, info.format, name)
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
