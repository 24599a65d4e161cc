"""MINC1, MINC2, Philips PAR/REC and AFNI HEAD/BRIK, through nibabel's lazy images.

nibabel parses these headers without reading voxel data (the image holds an
array proxy), so the declared shape and type are checked against the budget
first, and only then is the data read. Every file is handed to nibabel as an
in-memory file object; MINC2, which nibabel opens only by file name, is opened
by h5py from the same bytes (h5py reads Python file objects), so uploads never
touch the disk.
"""

from __future__ import annotations

import io
import warnings

import nibabel as nib
import numpy as np
from nibabel.brikhead import AFNIImage
from nibabel.fileholders import FileHolder
from nibabel.imageglobals import LoggingOutputSuppressor
from nibabel.minc1 import MincError
from nibabel.minc2 import Minc2File
from nibabel.parrec import PARRECImage

from neuroseg.errors import InputError
from neuroseg.io.budget import check_declared
from neuroseg.io.gzipped import data_half
from neuroseg.io.image import LoadedImage, finish

_MAX_TEXT_HEADER = 16 * 2**20


class _InMemoryMinc2Image(nib.Minc2Image):
    """A MINC2 image read by h5py from a file object, as nibabel reads one from a path."""

    @classmethod
    def from_file_map(klass, file_map, *, mmap=True, keep_file_open=None):
        import h5py  # only MINC2 needs it: kept out of every other command's start-up

        minc_file = Minc2File(h5py.File(file_map["image"].fileobj, "r"))
        affine = minc_file.get_affine()
        if affine.shape != (4, 4):
            raise MincError("Image does not have 3 spatial dimensions")
        header = klass.header_class(minc_file.get_data_dtype(), minc_file.get_data_shape(), minc_file.get_zooms())
        return klass(klass.ImageArrayProxy(minc_file), affine, header, extra=None, file_map=file_map)


def load_minc(raw: bytes, name: str, kind: str, volume: int, budget: int, digest: str) -> LoadedImage:
    """Load a MINC1 (NetCDF) or MINC2 (HDF5) file from its bytes."""
    klass = nib.Minc1Image if kind == "MINC1" else _InMemoryMinc2Image
    image = _parse(klass, {"image": FileHolder(fileobj=io.BytesIO(raw))}, name, kind)
    check_declared(tuple(image.shape), image.get_data_dtype().itemsize, name, budget)
    names = image.dataobj.minc_file._dim_names
    time_first = len(image.shape) == 4 and str(names[0]) == "time"
    return finish(image, kind, image.header, name, volume, digest, [], time_first=time_first)


def load_with_companion(
    kind: str, header_raw: bytes, header_name: str, data_raw: bytes, data_name: str, volume: int, budget: int,
    digest: str,
) -> LoadedImage:  # fmt: skip
    """Load a PAR/REC or AFNI HEAD/BRIK pair: parse the text header, check it, then read the data."""
    if len(header_raw) > _MAX_TEXT_HEADER:
        raise InputError(header_name, f"is {len(header_raw):,} bytes, too large for a {kind} header.")
    text = header_raw.decode("latin-1")
    klass = PARRECImage if kind == "PAR/REC" else AFNIImage

    def file_map(data: bytes) -> dict:
        return {"header": FileHolder(fileobj=io.StringIO(text)), "image": FileHolder(fileobj=io.BytesIO(data))}

    declared = _parse(klass, file_map(b""), header_name, kind)
    shape, itemsize = tuple(declared.shape), declared.get_data_dtype().itemsize
    check_declared(shape, itemsize, header_name, budget)
    expected = int(np.prod(shape)) * itemsize
    data = data_half(data_raw, data_name, header_name, expected)
    image = _parse(klass, file_map(data), header_name, kind)
    return finish(image, kind, image.header, header_name, volume, digest, [], files=(header_name, data_name))


def _parse(klass, file_map: dict, name: str, kind: str):
    try:
        with LoggingOutputSuppressor(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return klass.from_file_map(file_map)
    except Exception as exc:  # nibabel raises many types for damaged files
        raise InputError(name, f"could not be read as {kind} ({exc}).", "The file is damaged or incomplete.") from None
