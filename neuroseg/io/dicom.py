"""DICOM straight from the scanner: series found from headers alone, converted in memory, nothing identifying kept.

A scanner's export (a ``.zip``, a folder, loose files, often without
extensions) is read in two steps (DESIGN 3.14). :func:`find_series` reads
every file's header only (pydicom, ``stop_before_pixels``), groups the image
files into series, counts what it skipped by reason, and checks each series'
size against the memory budget from rows x columns x frames before any pixel
is decoded. :func:`neuroseg.io.dicom_volume.load_series` then decodes one
series and builds its volume.

Only the attributes needed to group, describe and check a series are read
from the headers, and only the upload's name and the series number and
description are ever put into text: never a file name inside the export
(image archives name folders after patients), never a patient, date or UID.
"""

from __future__ import annotations

import io
import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroseg.errors import InputError
from neuroseg.io.archives import unzip
from neuroseg.io.budget import memory_budget_bytes

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
NOT_IMAGES = {
    "1.2.840.10008.5.1.4.1.1.88": "a structured report",
    "1.2.840.10008.5.1.4.1.1.481": "a radiotherapy object",
    "1.2.840.10008.5.1.4.1.1.11": "a presentation state",
    "1.2.840.10008.5.1.4.1.1.66": "a raw-data or registration object",
    "1.2.840.10008.5.1.4.1.1.104": "an encapsulated document",
    "1.2.840.10008.1.3.10": "a DICOMDIR index",
}
"""SOP class UID prefixes of objects that are not images, and how the skipped-files count names them."""
DECODABLE = {
    "1.2.840.10008.1.2": "implicit VR little endian", "1.2.840.10008.1.2.1": "explicit VR little endian",
    "1.2.840.10008.1.2.2": "explicit VR big endian", "1.2.840.10008.1.2.1.99": "deflated explicit VR little endian",
    "1.2.840.10008.1.2.5": "RLE lossless", "1.2.840.10008.1.2.4.57": "JPEG lossless",
    "1.2.840.10008.1.2.4.70": "JPEG lossless (first-order prediction)", "1.2.840.10008.1.2.4.90": "JPEG 2000 lossless",
    "1.2.840.10008.1.2.4.91": "JPEG 2000", "1.2.840.10008.1.2.4.80": "JPEG-LS lossless",
    "1.2.840.10008.1.2.4.81": "JPEG-LS near-lossless", "1.2.840.10008.1.2.4.50": "JPEG baseline",
    "1.2.840.10008.1.2.4.51": "JPEG extended",
}  # fmt: skip
"""Transfer syntaxes neuroseg decodes (pydicom, and python-gdcm for the JPEG family), by name for messages."""
MIN_SLICES = 4
"""Fewest slices of a volume (dicom2nifti's own rule: fewer is a localizer's worth)."""
MOSAIC_IMAGES = 0x0019100A
"""Siemens' private NumberOfImagesInMosaic: the slices tiled into one mosaic image."""
HEADER_FIELDS = (
    "SOPClassUID", "SeriesInstanceUID", "SeriesNumber", "SeriesDescription", "Modality", "Rows", "Columns",
    "NumberOfFrames", "BitsAllocated", "SamplesPerPixel", "PhotometricInterpretation", "BurnedInAnnotation",
    "ImageType", "ImageOrientationPatient", "PixelSpacing", "SliceThickness", "RepetitionTime", "EchoTime",
    "InversionTime", "ScanningSequence", "SequenceVariant", "SharedFunctionalGroupsSequence", MOSAIC_IMAGES,
)  # fmt: skip
"""The only header attributes read to group, describe and check a series (none identifies anyone)."""


@dataclass(frozen=True)
class Series:
    """One image series of an upload, described from its headers.

    Attributes
    ----------
    number : int
        SeriesNumber, how users and ``--series`` name it.
    description : str
        SeriesDescription (shown in the series table only).
    modality : str
    files : tuple of int
        Indices of its files in the upload (never shown).
    frames : int
        Slices: files, or frames of an enhanced multi-frame file.
    rows, columns : int
    spacing : tuple of float
        In-plane pixel spacing (mm), then slice thickness.
    orientation : str
        ``axial``, ``coronal``, ``sagittal``, ``oblique`` or ``mixed`` (a localizer).
    contrast : str or None
        ``T1w`` or ``T2w`` where the timing says so.
    syntax : str
        Its transfer syntax's UID.
    problem : str or None
        Why it cannot be read as a volume, or None.
    """

    number: int
    description: str
    modality: str
    files: tuple[int, ...]
    frames: int
    rows: int
    columns: int
    spacing: tuple[float, float, float]
    orientation: str
    contrast: str | None
    syntax: str
    problem: str | None = None

    @property
    def channel_name(self) -> str:
        """``series 3_T1w``: the default channel name (the contrast lets the tissue names apply)."""
        return f"series {self.number}" + (f"_{self.contrast}" if self.contrast else "")


@dataclass(frozen=True)
class Study:
    """What an upload holds: its image series, and the files skipped, counted by reason."""

    name: str
    series: tuple[Series, ...]
    skipped: Mapping[str, int]
    files: tuple[bytes, ...]

    def table(self) -> list[dict]:
        """One row per series for the series table: number, description, slices, whether it can be read, then the rest."""
        return [
            {"series": s.number, "description": s.description, "slices": s.frames, "readable": s.problem or "yes",
             "modality": s.modality, "matrix": f"{s.rows} x {s.columns}",
             "voxel size (mm)": " x ".join(f"{v:.3g}" for v in s.spacing), "orientation": s.orientation,
             "contrast": s.contrast or ""}
            for s in self.series
        ]  # fmt: skip

    def listing(self) -> str:
        """``3 (T1 MPRAGE, 176 slices), 4 (...)``: the series, for a one-line message."""
        return ", ".join(f"{s.number} ({s.description or s.modality}, {s.frames} slices)" for s in self.series)

    def get(self, number: int) -> Series:
        """The series numbered ``number``, or a refusal that lists the others."""
        for series in self.series:
            if series.number == number:
                return series
        raise InputError(self.name, f"has no image series {number}.", f"Its series: {self.listing() or 'none'}.")


def is_dicom(head: bytes) -> bool:
    """Whether a file's first bytes are DICOM: the ``DICM`` preamble, or a bare implicit-VR group 0008 start."""
    if head[128:132] == b"DICM":
        return True
    if len(head) < 8 or head[:2] not in (b"\x08\x00", b"\x02\x00"):
        return False
    length = int.from_bytes(head[4:8], "little")
    return head[2:4] in (b"\x00\x00", b"\x05\x00", b"\x08\x00", b"\x16\x00") and length < 1024


def read_input(path: str | os.PathLike, budget: int | None = None) -> Study:
    """The study in a DICOM folder (read recursively) or ``.zip`` on disk, through the same checks as an upload."""
    path = Path(path)
    budget = memory_budget_bytes() if budget is None else budget
    if path.is_dir():
        members = sorted(p for p in path.rglob("*") if p.is_file())
        total = sum(p.stat().st_size for p in members)
        if total > budget:
            raise InputError(
                path.name, f"holds {total / 2**20:,.0f} MiB of files, more than the {budget / 2**20:.0f} MiB memory budget.",
                "Point at one study or series folder, or raise NEUROSEG_MEMORY_BUDGET_MB.",
            )  # fmt: skip
        return read_upload(path.name, {str(p.relative_to(path)): p.read_bytes() for p in members}, budget)
    if path.stat().st_size > budget:
        raise InputError(path.name, f"is larger than the {budget / 2**20:.0f} MiB memory budget.", "Zip only the series you need.")
    return read_upload(path.name, {path.name: path.read_bytes()}, budget)


def read_upload(name: str, files: Mapping[str, bytes], budget: int | None = None) -> Study:
    """The study in an upload's files, each a DICOM file or a ``.zip`` of them (opened through its checks).

    ``name`` names the upload in every message; the files' own names are never shown.
    """
    members: dict[str, bytes] = {}
    for file_name, raw in files.items():
        if file_name.lower().endswith(".zip"):
            members |= {f"{file_name}/{k}": v for k, v in unzip(name, raw, budget).items()}
        else:
            members[file_name] = raw
    return find_series(name, members, budget)


def is_dicom_upload(name: str, head: bytes) -> bool:
    """Whether an uploaded file belongs to a DICOM upload: a ``.zip`` (of an export) or a file whose bytes are DICOM."""
    return name.lower().endswith(".zip") or is_dicom(head)


def is_dicom_input(path: str | os.PathLike) -> bool:
    """Whether a command-line input is a DICOM folder or ``.zip`` (rather than an image file)."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() == ".zip"


def chosen_series(study: Study, numbers: Sequence[int] | None) -> list[int]:
    """The series to load: ``numbers``, or the one readable series; several and no choice is refused, listing them."""
    if numbers:
        return list(numbers)
    readable = [s.number for s in study.series if s.problem is None]
    if len(readable) == 1:
        return readable
    if not readable:
        raise InputError(study.name, "holds no series that can be read as a volume.", f"Its series: {study.listing()}.")
    raise InputError(study.name, "holds several image series.", f"Pick them with --series N [N ...]: {study.listing()}.")


def find_series(name: str, files: Mapping[str, bytes], budget: int | None = None) -> Study:
    """Group an upload's DICOM files into image series from their headers alone.

    Parameters
    ----------
    name : str
        The upload's name (a zip's or folder's): the only name messages use.
    files : mapping of str to bytes
        Every file of the upload; the names are never shown.
    budget : int, optional
        Memory budget in bytes; a series larger than it is listed with that problem.

    Returns
    -------
    Study
    """
    import pydicom

    budget = memory_budget_bytes() if budget is None else budget
    contents = tuple(files.values())
    skipped: Counter = Counter()
    groups: dict[str, list[tuple[int, object]]] = {}
    for index, raw in enumerate(contents):
        if not is_dicom(raw[:256]):
            skipped["not DICOM"] += 1
            continue
        try:
            with warnings.catch_warnings():  # pydicom's warnings can repeat header values: count, never show them
                warnings.simplefilter("ignore")
                header = pydicom.dcmread(io.BytesIO(raw), stop_before_pixels=True, force=True, specific_tags=HEADER_FIELDS)
        except Exception:
            skipped["damaged DICOM"] += 1
            continue
        reason = _not_an_image(header)
        if reason:
            skipped[reason] += 1
            continue
        groups.setdefault(str(header.get("SeriesInstanceUID", "")), []).append((index, header))
    series = sorted((_describe(members, budget, contents) for members in groups.values()), key=lambda s: s.number)
    if not series:
        counted = ", ".join(f"{n} {reason}" for reason, n in skipped.items()) or "no files"
        raise InputError(name, f"holds no DICOM image series ({counted}).", "Upload a scanner's DICOM export of images.")
    return Study(name, tuple(series), dict(skipped), contents)


def _not_an_image(header) -> str | None:
    meta = getattr(header, "file_meta", None) or {}
    sop = str(header.get("SOPClassUID", "") or meta.get("MediaStorageSOPClassUID", ""))
    for prefix, what in NOT_IMAGES.items():
        if sop.startswith(prefix):
            return what
    if sop.startswith(SECONDARY_CAPTURE):
        return "a secondary capture (a screenshot)"
    if "Rows" not in header or "Columns" not in header:
        return "not an image"
    if str(header.get("BurnedInAnnotation", "")).upper() == "YES":
        return "an image with burned-in annotation"
    if int(header.get("SamplesPerPixel", 1)) != 1 or not str(header.get("PhotometricInterpretation", "MONOCHROME2")).startswith("MONO"):
        return "a colour image"
    return None


def _describe(members: list[tuple[int, object]], budget: int, contents: tuple[bytes, ...]) -> Series:
    first = members[0][1]
    rows, columns = int(first.Rows), int(first.Columns)
    image_type = [str(v).upper() for v in first.get("ImageType", [])]
    frames = sum(int(h.get("NumberOfFrames", 1) or 1) for _, h in members)
    if "MOSAIC" in image_type and MOSAIC_IMAGES in first:  # one file holds a volume, its slices tiled
        value = first[MOSAIC_IMAGES].value  # an unsigned short; raw bytes when its private dictionary is not read
        tiles = int.from_bytes(value[:2], "little") if isinstance(value, bytes) else int(value)
        grid = int(np.ceil(np.sqrt(tiles)))
        frames, rows, columns = tiles * len(members), rows // grid, columns // grid
    planes = [_plane(h) for _, h in members]
    orientations = {tuple(np.round(orientation, 3)) for orientation, _ in planes}
    spacing = planes[0][1]
    matrices = {(int(h.Rows), int(h.Columns)) for _, h in members}
    problem = None
    if len(orientations) > 1 or "LOCALIZER" in image_type:
        problem = "a localizer (its slices lie in different planes)"
    elif len(matrices) > 1:
        problem = "its images have different matrix sizes"
    elif frames < MIN_SLICES:
        problem = f"{'a single slice' if frames == 1 else f'{frames} slices'}, not a volume (it takes {MIN_SLICES} or more)"
    elif rows * columns * frames * 8 > budget:
        problem = f"{rows * columns * frames * 8 / 2**20:,.0f} MiB as a volume, more than the memory budget"
    syntax = _syntax(contents[members[0][0]])
    if problem is None and syntax not in DECODABLE:
        problem = f"compressed as {syntax_name(syntax)}, which neuroseg cannot decode"
    return Series(
        number=int(first.get("SeriesNumber", 0) or 0), description=str(first.get("SeriesDescription", "")).strip(),
        modality=str(first.get("Modality", "")), files=tuple(i for i, _ in members), frames=frames, rows=rows,
        columns=columns, spacing=spacing, orientation=_orientation(orientations), contrast=_contrast(first),
        syntax=syntax, problem=problem,
    )  # fmt: skip


def _plane(header) -> tuple[np.ndarray, tuple[float, float, float]]:
    """An image's orientation cosines and its pixel spacing and slice thickness, where an enhanced
    multi-frame file keeps them (its shared functional groups) or a classic one (the top level)."""
    source = header
    shared = header.get("SharedFunctionalGroupsSequence")
    if "ImageOrientationPatient" not in header and shared:
        group = shared[0]
        plane = group.get("PlaneOrientationSequence", [{}])[0]
        measures = group.get("PixelMeasuresSequence", [{}])[0]
        orientation = plane.get("ImageOrientationPatient", [0] * 6)
        source = measures
    else:
        orientation = header.get("ImageOrientationPatient", [0] * 6)
    spacing = [float(v) for v in source.get("PixelSpacing", [1.0, 1.0])] + [float(source.get("SliceThickness", 0) or 0)]
    return np.asarray(orientation, float), tuple(spacing)


def _syntax(raw: bytes) -> str:
    import pydicom

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta = pydicom.dcmread(io.BytesIO(raw), stop_before_pixels=True, force=True, specific_tags=["TransferSyntaxUID"])
        return str(meta.file_meta.get("TransferSyntaxUID", "1.2.840.10008.1.2"))
    except Exception:
        return "1.2.840.10008.1.2"


def syntax_name(uid: str) -> str:
    """A transfer syntax by its name (``MPEG2 Main Profile / Main Level``), or its UID when pydicom does not know it."""
    from pydicom.uid import UID

    name = UID(uid).name
    return name if name and name != uid else f"transfer syntax {uid}"


def _orientation(orientations: set) -> str:
    if len(orientations) != 1:
        return "mixed"
    cosines = np.asarray(next(iter(orientations)), float).reshape(2, 3)
    normal = np.cross(cosines[0], cosines[1])
    axis = int(np.argmax(np.abs(normal)))
    if abs(normal[axis]) < 0.99:
        return "oblique"
    return ("sagittal", "coronal", "axial")[axis]


def _contrast(header) -> str | None:
    """``T1w`` or ``T2w`` from the timing (repetition, echo, inversion), as a radiographer would read it; else None."""
    tr, te, ti = (float(header.get(k, 0) or 0) for k in ("RepetitionTime", "EchoTime", "InversionTime"))
    sequence = str(header.get("ScanningSequence", "")).upper()
    if ti > 0 and "IR" in sequence and ti < 1500 and te < 15:
        return "T1w"
    if tr and te:
        if tr < 1000 and te < 30:
            return "T1w"
        if tr > 2000 and te > 70:
            return "T2w"
    return None
