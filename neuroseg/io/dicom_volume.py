"""One DICOM series as a volume, built in memory: decoded, stacked, checked, and stripped of its headers.

dicom2nifti's in-memory converter sorts the slices along their normal, writes
the affine in scanner RAS (oblique kept oblique) and refuses gaps, unequal
spacing and mixed orientations; the analysis then gets a
:class:`~neuroseg.io.image.LoadedImage` whose header is a fresh NIfTI one,
so nothing of the DICOM headers travels on.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings

import nibabel as nib
import numpy as np

from neuroseg.errors import InputError
from neuroseg.io.dicom import DECODABLE, Study, syntax_name
from neuroseg.io.image import LoadedImage, finish


def load_series(study: Study, number: int) -> LoadedImage:
    """Decode one series and build its volume in memory, refusing what would give a wrong one.

    The image is named after the upload and the series (``study.zip, series 3``),
    its header is the converted NIfTI's, and its digest is that of the
    series' file bytes.
    """
    import pydicom
    from dicom2nifti.convert_dicom import dicom_array_to_nifti
    from dicom2nifti.exceptions import ConversionError, ConversionValidationError

    series = study.get(number)
    label = f"{study.name}, series {number}"
    if series.problem:
        raise InputError(label, f"cannot be read as a volume: {series.problem}.", f"Choose another series: {study.listing()}.")
    raws = [study.files[i] for i in series.files]
    try:
        with warnings.catch_warnings(), _quiet("dicom2nifti"):
            warnings.simplefilter("ignore")
            datasets = [pydicom.dcmread(io.BytesIO(raw), force=True) for raw in raws]
            converted = dicom_array_to_nifti(datasets, None, reorient_nifti=False)["NII"]
    except (ConversionValidationError, ConversionError) as exc:
        raise InputError(label, f"cannot be stacked into a volume: {_reason(exc)}.", "Choose another series.") from None
    except Exception as exc:
        raise InputError(
            label, f"could not be decoded ({type(exc).__name__}; {DECODABLE.get(series.syntax, syntax_name(series.syntax))}).",
            "Export the series uncompressed from the scanner or PACS.",
        ) from None  # fmt: skip
    image = nib.Nifti1Image(np.asanyarray(converted.dataobj), converted.affine)
    image.set_qform(converted.affine, code=1)
    image.set_sform(converted.affine, code=1)
    digest = hashlib.sha256(b"".join(raws)).hexdigest()[:24] + "-v0"
    return finish(image, "DICOM", image.header, label, 0, digest, [], files=(f"series_{number}.nii.gz",))


def _reason(exc: Exception) -> str:
    """dicom2nifti's refusal in our words (its messages can name files)."""
    text = str(exc).lower()
    if "increment" in text or "slice" in text and ("gap" in text or "missing" in text):
        return "its slices are not equally spaced (a gap, or slices missing)"
    if "orientation" in text:
        return "its slices lie in different planes (a localizer)"
    if "size" in text or "shape" in text:
        return "its images have different sizes"
    return "its slices do not form one regular volume"


class _quiet:
    """Silence a library's logger for a block (its messages can repeat file names and header values)."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)

    def __enter__(self) -> None:
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL + 1)

    def __exit__(self, *exc) -> None:
        self.logger.setLevel(self.level)
