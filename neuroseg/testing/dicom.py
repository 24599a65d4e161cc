"""DICOM series written from a volume for the tests: one file per slice, with identifying values planted.

Every attribute of DICOM PS3.15's Basic Profile that a scanner fills in is
given a recognisable value (:data:`PLANTED`), so a test can search every page,
URL, download and log for them.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
PLANTED = {
    "PatientName": "Doe^Jane^PLANTEDNAME", "PatientID": "PLANTEDID123", "PatientBirthDate": "19010203",
    "PatientSex": "F", "PatientAge": "077Y", "PatientWeight": "61.5", "AccessionNumber": "PLANTEDACC9",
    "StudyID": "PLANTEDSTUDY", "StudyDate": "20240117", "SeriesDate": "20240117", "AcquisitionDate": "20240117",
    "ContentDate": "20240117", "StudyTime": "101112", "InstitutionName": "PLANTED Hospital",
    "InstitutionAddress": "1 PLANTED Road", "StationName": "PLANTEDSTATION", "DeviceSerialNumber": "PLANTEDSERIAL",
    "ReferringPhysicianName": "Dr^PLANTEDREF", "PerformingPhysicianName": "Dr^PLANTEDPERF",
    "OperatorsName": "PLANTEDOPERATOR", "ImageComments": "PLANTED comment about the patient",
    "StudyDescription": "PLANTED study description",
}  # fmt: skip
"""Identifying values planted in every file; none may ever be shown, logged or exported."""
PLANTED_TEXTS = ("PLANTED", "Doe^Jane", "19010203", "20240117")


def _lps(vector: np.ndarray) -> np.ndarray:
    return vector * np.array([-1.0, -1.0, 1.0])


def series_files(
    volume: np.ndarray, affine: np.ndarray, number: int, description: str, *, tr: float = 8.0, te: float = 3.7,
    study_uid: str | None = None, series_uid: str | None = None, prefix: str = "",
) -> dict[str, bytes]:  # fmt: skip
    """One file per slice ``volume[:, :, k]``: MR images whose geometry is ``affine`` (RAS) written as DICOM (LPS).

    Files are named ``{prefix}IM{k:04d}`` (no extension); pixels are int16, the
    timing ``tr``/``te`` (ms) says the contrast.
    """
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    across, down = affine[:3, 0] / zooms[0], affine[:3, 1] / zooms[1]  # columns run along i, rows along j
    pixels = np.round(volume).astype(np.int16)
    files = {}
    for k in range(volume.shape[2]):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta.MediaStorageSOPClassUID = MR_IMAGE
        ds.file_meta.MediaStorageSOPInstanceUID = uid = generate_uid()
        ds.SOPClassUID, ds.SOPInstanceUID = MR_IMAGE, uid
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, study_uid
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber, ds.SeriesDescription = "MR", number, k + 1, description
        ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
        ds.RepetitionTime, ds.EchoTime, ds.ScanningSequence, ds.SequenceVariant = tr, te, "GR", "SP"
        for keyword, value in PLANTED.items():
            setattr(ds, keyword, value)
        ds.ImagePositionPatient = [float(v) for v in _lps((affine @ [0, 0, k, 1])[:3])]
        ds.ImageOrientationPatient = [float(v) for v in np.concatenate([_lps(across), _lps(down)])]
        ds.PixelSpacing = [float(zooms[1]), float(zooms[0])]
        ds.SliceThickness = float(zooms[2])
        ds.Rows, ds.Columns = volume.shape[1], volume.shape[0]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.PixelData = np.ascontiguousarray(pixels[:, :, k].T).tobytes()
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        files[f"{prefix}IM{k:04d}"] = buffer.getvalue()
    return files


def report_file(study_uid: str) -> bytes:
    """A structured report of the same study (not an image: it must be skipped)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = BASIC_TEXT_SR
    ds.file_meta.MediaStorageSOPInstanceUID = uid = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.StudyInstanceUID = BASIC_TEXT_SR, uid, study_uid
    ds.Modality, ds.SeriesNumber, ds.SeriesInstanceUID = "SR", 99, generate_uid()
    for keyword, value in PLANTED.items():
        setattr(ds, keyword, value)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def study_zip(channels: list[tuple[np.ndarray, np.ndarray, int, str, float, float]], seed: int = 0) -> bytes:
    """A zipped study: each ``(volume, affine, number, description, tr, te)`` a series, plus a 3-plane localizer
    and a report, in folders named after the patient, the files shuffled."""
    study_uid = generate_uid()
    files: dict[str, bytes] = {}
    for volume, affine, number, description, tr, te in channels:
        files |= series_files(volume, affine, number, description, tr=tr, te=te, study_uid=study_uid,
                              prefix=f"DOE_JANE_PLANTEDNAME/S{number}/")  # fmt: skip
    volume, affine = channels[0][0], channels[0][1]
    localizer = generate_uid()
    for plane, turn in enumerate(((0, 1, 2), (0, 2, 1), (1, 2, 0))):  # one slice in each plane: a localizer
        middle = volume.shape[turn[2]] // 2
        moved = np.transpose(volume, turn)[:, :, middle : middle + 1]
        planes = affine[:, list(turn) + [3]].copy()
        planes[:3, 3] += planes[:3, 2] * middle
        files |= series_files(moved, planes, 1, "3-plane localizer", study_uid=study_uid, series_uid=localizer,
                              prefix=f"DOE_JANE_PLANTEDNAME/S1/P{plane}")  # fmt: skip
    files["DOE_JANE_PLANTEDNAME/SR/report"] = report_file(study_uid)
    order = np.random.default_rng(seed).permutation(len(files))
    names = list(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in order:
            archive.writestr(names[i], files[names[i]])
    return buffer.getvalue()
