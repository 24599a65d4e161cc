"""Every odd file issue 4 lists, built in memory, with the sentence a user must read.

Each case is ``(id, filename, bytes, outcome, fragment)``: ``outcome`` is
``"error"`` (refused), ``"warning"`` (loaded, with a warning) or ``"ok"``;
``fragment`` is part of the message that names the file and the problem.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from nibabel.freesurfer.mghformat import MGHImage

from neuroseg.testing.volumes import blobs

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


@dataclass(frozen=True)
class Case:
    id: str
    filename: str
    content: bytes
    outcome: str
    fragment: str


def nifti(data=None, *, version=1, codes=(1, 1), affine=AFFINE) -> bytes:
    """A valid single-file NIfTI with both qform and sform set."""
    data = blobs()[0] if data is None else data
    klass = nib.Nifti1Image if version == 1 else nib.Nifti2Image
    image = klass(data, affine)
    image.set_qform(affine, code=codes[0])
    image.set_sform(affine, code=codes[1])
    return image.to_bytes()


def patched(raw: bytes, **fields) -> bytes:
    """The same file with header fields overwritten (the data block is untouched)."""
    header_class = nib.Nifti2Header if int.from_bytes(raw[:4], "little") == 540 else nib.Nifti1Header
    size = header_class.template_dtype.itemsize
    header = header_class(raw[:size], check=False)
    for key, value in fields.items():
        header[key] = value
    return header.binaryblock + raw[size:]


def bad_crc(raw: bytes) -> bytes:
    packed = bytearray(gzip.compress(raw))
    packed[-8] ^= 0xFF  # first byte of the CRC32 trailer
    return bytes(packed)


def with_extension(megabytes: int) -> bytes:
    image = nib.Nifti1Image(blobs()[0], AFFINE)
    image.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"x" * (megabytes * 2**20)))
    return image.to_bytes()


def cases() -> list[Case]:
    rng = np.random.default_rng(7)
    a = blobs()[0]
    valid = nifti()
    nan_some = a.copy()
    nan_some[0, 0, 0], nan_some[1, 1, 1] = np.nan, np.inf
    return [
        # not an image
        Case("empty", "empty.nii", b"", "error", "empty.nii: is empty (0 bytes)"),
        Case("random-bytes", "noise.nii", rng.bytes(4000), "error", "noise.nii: is not an image nibabel reads"),
        Case("gzip-of-random", "noise.nii.gz", gzip.compress(rng.bytes(4000)), "error", "noise.nii.gz: is not an image nibabel reads"),
        Case("gzip-of-text", "table.nii.gz", gzip.compress(b"subject,age\n01,34\n" * 50), "error", "table.nii.gz: is not an image nibabel reads"),
        Case("html-page", "scan.nii.gz", b"<!DOCTYPE html>\n<html><body>404 Not Found</body></html>", "error",
             "scan.nii.gz: is an HTML or XML page, not an image"),
        Case("gzip-named-nii", "packed.nii", gzip.compress(valid), "ok", ""),
        Case("plain-named-gz", "plain.nii.gz", valid, "ok", ""),
        Case("truncated-header", "cut.nii", valid[:200], "error", "cut.nii: ends inside its NIfTI-1 header (200 of 348 bytes)"),
        Case("truncated-data", "cut.nii", valid[:-100], "error", "cut.nii: is truncated: its header declares 7,072 bytes"),
        Case("cut-gzip", "cut.nii.gz", gzip.compress(valid)[:1500], "error", "cut.nii.gz: is a cut-off gzip stream"),
        Case("bad-crc", "crc.nii.gz", bad_crc(valid), "error", "crc.nii.gz: fails its gzip checksum (CRC)"),
        Case("trailing-garbage", "tail.nii.gz", gzip.compress(valid) + b"garbage!", "error",
             "tail.nii.gz: has bytes after the end of its gzip stream"),
        # header lies
        Case("dim0-1", "dims.nii", patched(valid, dim=[1, 12, 14, 10, 1, 1, 1, 1]), "error",
             "dims.nii: has an invalid header: dim[0] = 1, but an image has 2 to 7 dimensions"),
        Case("dim0-9", "dims.nii", patched(valid, dim=[9, 12, 14, 10, 1, 1, 1, 1]), "error", "dim[0] = 9"),
        Case("negative-dim", "dims.nii", patched(valid, dim=[3, 12, -14, 10, 1, 1, 1, 1]), "error",
             "dims.nii: declares a shape of (12, -14, 10), with a zero or negative size"),
        Case("zero-dim", "dims.nii", patched(valid, dim=[3, 12, 0, 10, 1, 1, 1, 1]), "error", "with a zero or negative size"),
        Case("beyond-file", "lie.nii", patched(valid, dim=[3, 100, 100, 100, 1, 1, 1, 1]), "error",
             "lie.nii: is truncated: its header declares 4,000,352 bytes"),
        Case("beyond-memory", "huge.nii.gz", gzip.compress(patched(valid, dim=[3, 5000, 5000, 5000, 1, 1, 1, 1])), "error",
             "huge.nii.gz: declares 125,000,000,000 voxels per volume"),
        Case("offset-beyond-eof", "offset.nii", patched(valid, vox_offset=100_000), "error",
             "offset.nii: declares its voxel data at byte 100,000, beyond the end of the file"),
        Case("offset-zero", "offset.nii", patched(valid, vox_offset=0), "error",
             "offset.nii: declares its voxel data at byte 0, inside the header (vox_offset must be at least 352)"),
        Case("huge-extension", "ext.nii", with_extension(17), "error", "ext.nii: puts its voxel data at byte"),
        Case("unknown-dtype", "type.nii", patched(valid, datatype=999), "error",
             "type.nii: uses data type code 999, which is not a known NIfTI type"),
        Case("one-bit", "type.nii", patched(valid, datatype=1, bitpix=1), "error", "type.nii: stores 1-bit (binary) voxels"),
        Case("rgb", "type.nii", patched(valid, datatype=128, bitpix=24), "error", "type.nii: stores RGB colour voxels"),
        Case("complex", "type.nii", patched(valid, datatype=32, bitpix=64), "error", "type.nii: stores complex64 (complex) voxels"),
        Case("float128", "type.nii", patched(valid, datatype=1536, bitpix=128), "error", "type.nii: stores float128 voxels"),
        Case("cifti", "brain.dscalar.nii", patched(nifti(version=2), intent_code=3006), "error",
             "brain.dscalar.nii: is a CIFTI file (surface and grayordinate data), not a volume"),
        Case("half-nifti-pair", "brain.hdr", patched(valid, magic=b"ni1"), "error",
             "brain.hdr: is one half of a two-file image (NIfTI-1 pair): it holds the header, but the data file brain.img is missing"),
        Case("half-analyze-pair", "brain.hdr", patched(valid, magic=b""), "error",
             "brain.hdr: is one half of a two-file image (Analyze 7.5): it holds the header, but the data file brain.img"),
        Case("half-pair-data", "scan.img", b"\x00" * 4000, "error",
             "scan.img: is one half of a two-file image (NIfTI or Analyze pair): it holds the voxel data, but the header file scan.hdr is missing"),
        Case("glued-pair", "glued.nii", patched(valid, magic=b"ni1"), "error",
             "glued.nii: holds a NIfTI-1 pair header (the header of a .hdr/.img pair) with data glued on"),
        Case("glued-analyze", "glued.nii", patched(valid, magic=b""), "error",
             "glued.nii: holds an Analyze 7.5 header"),
        Case("five-d", "5d.nii", nifti(np.ones((4, 4, 4, 2, 2), np.float32)), "error",
             "5d.nii: has 5 dimensions (4, 4, 4, 2, 2); neuroseg reads 2-D, 3-D and 4-D images"),
        # geometry
        Case("zero-affine", "geo.nii", patched(valid, qform_code=0, srow_x=[0] * 4, srow_y=[0] * 4, srow_z=[0] * 4), "warning",
             "geo.nii: the affine is singular or not finite"),
        Case("nan-affine", "geo.nii", patched(valid, qform_code=0, srow_x=[np.nan, 0, 0, 0]), "warning",
             "geo.nii: the affine is singular or not finite"),
        Case("zero-voxel-size", "geo.nii", patched(valid, sform_code=0, pixdim=[1, 0, 2, 2, 1, 1, 1, 1]), "warning",
             "geo.nii: the header's voxel sizes (pixdim 0, 2, 2) are not all positive"),
        Case("negative-voxel-size", "geo.nii", patched(valid, sform_code=0, pixdim=[1, -2, 2, 2, 1, 1, 1, 1]), "warning",
             "(pixdim -2, 2, 2) are not all positive"),
        Case("no-orientation", "geo.nii", nifti(codes=(0, 0)), "warning",
             "geo.nii: no orientation codes (qform_code = sform_code = 0); the orientation shown is a guess"),
        Case("qform-sform-disagree", "geo.nii", patched(valid, srow_x=[2, 0, 0, 10]), "warning",
             "geo.nii: the qform and sform disagree (by up to 10 mm); the sform is used"),
        # values
        Case("all-nan", "nan.nii", nifti(np.full((4, 4, 4), np.nan, np.float32)), "error",
             "nan.nii: has no finite voxel values (all NaN or infinite)"),
        Case("some-nan", "nan.nii", nifti(nan_some), "warning", "nan.nii: 2 voxels are NaN or infinite"),
        Case("all-zero", "zero.nii", nifti(np.zeros((6, 6, 6), np.float32)), "warning",
             "zero.nii: every voxel has the value 0; there is nothing to segment"),
        Case("constant", "flat.nii", nifti(np.full((6, 6, 6), 5, np.int16)), "warning", "flat.nii: every voxel has the value 5"),
        Case("label-image", "aseg.nii.gz", gzip.compress(nifti(rng.integers(0, 4, (8, 8, 8)).astype(np.uint8))), "warning",
             "aseg.nii.gz: has only 4 distinct integer values; it looks like a label or mask image"),
        Case("negative-slope", "slope.nii", patched(valid, scl_slope=-1.0, scl_inter=0.0), "warning",
             "slope.nii: the scaling slope is negative (-1), so intensities are inverted"),
        # shapes
        Case("freesurfer-mgz", "brain.mgz", gzip.compress(MGHImage(a, np.eye(4)).to_bytes()), "ok", ""),
        Case("two-d", "flat2d.nii", nifti(a[:, :, 0]), "ok", ""),
        Case("one-voxel", "dot.nii", nifti(np.ones((1, 1, 1), np.float32)), "warning", "dot.nii: every voxel has the value 1"),
        Case("one-slice", "single.nii", nifti(a[:, :, :1]), "ok", ""),
        Case("four-d", "run.nii", nifti(np.stack([a, a * 2, a * 3], axis=-1)), "warning",
             "run.nii: is 4-D with 3 volumes; volume 0 is analysed"),
    ]


CASES = cases()
