"""NIfTI-1/2 (single files and .hdr/.img pairs), Analyze 7.5 pairs and MGH/MGZ, parsed header first.

These formats have a fixed binary header, so it is parsed by hand from the
first bytes (byte order from ``sizeof_hdr``, never from the field a damaged
header gets wrong), checked against the budget, and only then is the voxel
data inflated, capped at the size the header declares, and handed to nibabel
as in-memory file objects.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from nibabel.fileholders import FileHolder
from nibabel.freesurfer.mghformat import MGHHeader, MGHImage
from nibabel.imageglobals import LoggingOutputSuppressor

from neuroseg.errors import InputError
from neuroseg.io.budget import check_declared
from neuroseg.io.gzipped import data_half, gunzip_all, gunzip_head, is_gzip
from neuroseg.io.image import LoadedImage, finish

PEEK_BYTES = 544  # enough for the largest fixed header (NIfTI-2, 540 bytes)
_MAX_EXTENSION_BYTES = 16 * 2**20
_TRAILING_SLACK = 2**20  # MGH footer and tags after the voxel data


@dataclass(frozen=True)
class _HeaderInfo:
    klass: type
    header: object
    format: str
    shape: tuple[int, ...]
    itemsize: int
    data_offset: int

    @property
    def paired(self) -> bool:
        """Whether the voxel data lives in a companion file (.img)."""
        return self.format.endswith("pair") or self.format.startswith("Analyze")


def load_single(raw: bytes, name: str, volume: int, budget: int, digest: str) -> LoadedImage:
    """Load a single-file NIfTI-1/2 or MGH/MGZ image from its bytes, header first."""
    compressed = is_gzip(raw)
    head = gunzip_head(raw, name, PEEK_BYTES) if compressed else raw[:PEEK_BYTES]
    info = parse_header(head, name)
    check_declared(info.shape, info.itemsize, name, budget)
    warnings = _check_nifti_header(info, name) if info.format.startswith("NIfTI") else []
    expected = info.data_offset + int(np.prod(info.shape)) * info.itemsize
    body = gunzip_all(raw, name, cap=expected + _TRAILING_SLACK) if compressed else raw
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
    return finish(image, info.format, info.header, name, volume, digest, warnings)


def parse_header(head: bytes, name: str) -> _HeaderInfo:
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
        "is not an image nibabel reads (its first bytes match no NIfTI, Analyze, MGH, MINC, PAR or AFNI header).",
        "Use a volume file: .nii(.gz), .hdr + .img, .mgh/.mgz, .mnc, .PAR + .REC or .HEAD + .BRIK.",
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
        image_class, label = (nib.Nifti1Pair if size == 348 else nib.Nifti2Pair), f"{label} pair"
    elif magic != single:
        if size != 348:
            raise InputError(name, f"has a NIfTI-2 sized header without NIfTI-2 magic ({magic!r}).", "The header is damaged.")
        hdr = nib.AnalyzeHeader(head[:size], endianness=endianness, check=False)
        image_class, label = nib.AnalyzeImage, "Analyze 7.5"
    dim = [int(d) for d in hdr["dim"]]
    if not 2 <= dim[0] <= 7:
        raise InputError(
            name,
            f"has an invalid header: dim[0] = {dim[0]}, but an image has 2 to 7 dimensions.",
            "The file is damaged or not an image; re-export it.",
        )
    shape = tuple(dim[1 : dim[0] + 1])
    intent = int(hdr["intent_code"]) if "intent_code" in hdr else 0
    if 3000 <= intent <= 3099:
        raise InputError(
            name,
            "is a CIFTI file (surface and grayordinate data), not a volume.",
            "Use a volumetric NIfTI image instead.",
        )
    dtype = _declared_dtype(
        hdr, name, f"uses data type code {int(hdr['datatype'])}, which is not a known NIfTI type.",
        "The header is damaged, or the writer is non-standard; re-export it as int16 or float32.",
    )  # fmt: skip
    _check_dtype(dtype, hdr, name)
    offset = int(hdr["vox_offset"])
    return _HeaderInfo(image_class, hdr, label, shape, dtype.itemsize, offset)


def load_pair(header_raw: bytes, header_name: str, data_raw: bytes, data_name: str, volume: int, budget: int,
              digest: str) -> LoadedImage:  # fmt: skip
    """Load a NIfTI-1/2 or Analyze 7.5 .hdr/.img pair from the bytes of both files, header first."""
    head = gunzip_head(header_raw, header_name, PEEK_BYTES) if is_gzip(header_raw) else header_raw[:PEEK_BYTES]
    info = parse_header(head, header_name)
    if not info.paired:
        raise InputError(
            header_name, f"is a single-file {info.format} image, not the header of a pair with {data_name}.",
            f"Use {header_name} on its own.",
        )  # fmt: skip
    check_declared(info.shape, info.itemsize, header_name, budget)
    expected = info.data_offset + int(np.prod(info.shape)) * info.itemsize
    data = data_half(data_raw, data_name, header_name, expected)
    warnings = _check_nifti_header(info, header_name)
    if info.format.startswith("Analyze"):
        warnings.append(
            f"{header_name}: is Analyze 7.5, which records no orientation; nibabel assumes a radiological "
            "(LAS) layout, so left and right may be swapped. Check a known asymmetry before trusting them."
        )
    file_map = {"header": FileHolder(fileobj=io.BytesIO(head)), "image": FileHolder(fileobj=io.BytesIO(data))}
    try:
        with LoggingOutputSuppressor():
            image = info.klass.from_file_map(file_map)
    except Exception as exc:  # nibabel raises many types for damaged files
        raise InputError(header_name, f"could not be read as {info.format} ({exc}).", "The pair is damaged.") from None
    return finish(image, info.format, info.header, header_name, volume, digest, warnings, files=(header_name, data_name))


def _parse_mgh(head: bytes, name: str) -> _HeaderInfo:
    hdr = MGHHeader(head[:90], check=False)
    dims = [int(d) for d in hdr["dims"]]
    shape = tuple(dims[:3]) + ((dims[3],) if dims[3] > 1 else ())
    dtype = _declared_dtype(
        hdr, name, f"uses MGH data type code {int(hdr['type'])}, which is not known.",
        "Re-export it with FreeSurfer's mri_convert, or as NIfTI.",
    )  # fmt: skip
    return _HeaderInfo(MGHImage, hdr, "MGH", shape, dtype.itemsize, hdr.get_data_offset())


def _declared_dtype(hdr, name: str, problem: str, hint: str) -> np.dtype:
    """The header's data type, or a refusal naming the file when its type code is unknown."""
    try:
        return hdr.get_data_dtype()
    except (KeyError, ValueError):
        raise InputError(name, problem, hint) from None


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


def _check_nifti_header(info: _HeaderInfo, name: str) -> list[str]:
    """Check where a NIfTI header puts its data and how it scales it."""
    offset = info.data_offset
    minimum = 0 if info.paired else (352 if info.format == "NIfTI-1" else 544)
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
            f"extensions or padding; at most {_MAX_EXTENSION_BYTES / 2**20:.0f} MiB are accepted.",
            "Strip the extensions (e.g. with nibabel) and try again.",
        )
    warnings = []
    if info.format.startswith("NIfTI"):
        slope = float(info.header["scl_slope"])
        if np.isfinite(slope) and slope < 0:
            warnings.append(f"{name}: the scaling slope is negative ({slope:g}), so intensities are inverted.")
    return warnings


def _build_image(info: _HeaderInfo, body: bytes, name: str):
    try:
        with LoggingOutputSuppressor():
            return info.klass.from_bytes(body)
    except Exception as exc:  # nibabel raises many types for damaged files
        raise InputError(name, f"could not be read as {info.format} ({exc}).", "The file is damaged.") from None
