"""Readable header summaries: what a researcher checks first, and every raw field."""

from __future__ import annotations

import nibabel as nib
import numpy as np
from nibabel.orientations import aff2axcodes

from neuroseg.io import LoadedImage


def summarize(image: LoadedImage) -> dict[str, str]:
    """Summarise a header in the terms a researcher checks first.

    Returns
    -------
    dict
        Ordered field name to text: format, shape, voxel size with units, data
        type, orientation, qform/sform codes, scaling, description.
    """
    header = image.header
    zooms = ", ".join(f"{z:.3g}" for z in image.zooms)
    summary = {
        "File": image.name,
        "Format": image.format,
        "Shape": " x ".join(str(s) for s in image.shape),
        "Voxel size": f"{zooms} mm",
        "Data type": str(header.get_data_dtype()),
        "Orientation": "".join(aff2axcodes(image.affine)) + "+",
    }
    if image.n_volumes > 1:
        summary["Volume analysed"] = f"{image.volume} of 0..{image.n_volumes - 1}"
    if image.format.startswith("NIfTI"):
        space, time = header.get_xyzt_units()
        summary["Units (space, time)"] = f"{space}, {time}"
        summary["qform code"] = _xform_label(header, "qform_code")
        summary["sform code"] = _xform_label(header, "sform_code")
        slope, inter = header.get_slope_inter()
        summary["Scaling (slope, intercept)"] = "none" if slope is None else f"{slope:g}, {inter:g}"
        descrip = bytes(header["descrip"]).split(b"\x00")[0].decode("latin-1").strip()
        summary["Description"] = descrip or "(empty)"
    return summary


def _xform_label(header, field: str) -> str:
    code = int(header[field])
    label = nib.nifti1.xform_codes.label.get(code, "unknown")
    return f"{code} ({label})"


WITHHELD = {
    "PAR/REC": frozenset({"patient_name", "exam_name", "protocol_name", "exam_date"}),
    "AFNI": frozenset({"IDCODE_STRING", "IDCODE_DATE", "HISTORY_NOTE", "DATASET_NAME"}),
}
"""Header fields that name the patient or the exam, or date it (DICOM PS3.15's Basic Profile, DESIGN 3.14): never shown."""
WITHHELD_TEXT = "(withheld: it can identify the patient or the exam)"


def raw_fields(image: LoadedImage) -> list[tuple[str, str]]:
    """Every raw header field as ``(name, value)`` text pairs, for display; identifying ones withheld.

    Binary headers (NIfTI, Analyze, MGH) list their fields; PAR/REC and AFNI
    list the general information nibabel parsed; MINC lists shape, type and
    zooms. A DICOM series shows its converted NIfTI header, which holds
    nothing of the DICOM one. Fields in :data:`WITHHELD` are listed with
    :data:`WITHHELD_TEXT` instead of their value.
    """
    header = image.header
    if hasattr(header, "keys"):
        fields = {key: header[key] for key in header.keys()}
    elif hasattr(header, "general_info"):  # PAR/REC
        fields = dict(header.general_info)
    elif hasattr(header, "info"):  # AFNI
        fields = dict(header.info)
    else:  # MINC
        fields = {"shape": header.get_data_shape(), "dtype": header.get_data_dtype(), "zooms": header.get_zooms()}
    rows = []
    withheld = WITHHELD.get(image.format, frozenset())
    for key, value in fields.items():
        if key in withheld:
            text = WITHHELD_TEXT
        elif isinstance(value, np.ndarray):
            if value.dtype.kind == "S":
                text = bytes(value).split(b"\x00")[0].decode("latin-1")
            else:
                text = np.array2string(np.asarray(value), precision=4, separator=", ", max_line_width=200)
        else:
            text = str(value)
        rows.append((key, text))
    return rows
