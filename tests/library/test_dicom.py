"""DICOM from a scanner: series from headers, volumes in memory, geometry against dcm2niix, refusals, privacy."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from neuroseg.errors import InputError
from neuroseg.io.archives import unzip
from neuroseg.io.dicom import find_series, is_dicom, read_input
from neuroseg.io.dicom_volume import load_series
from neuroseg.testing import ROOT

GE_ZIP = ROOT.parent / "shared" / "data" / "dicom" / "ge_t1_deident.zip"
PYDICOM_SERIES = Path(pydicom.__file__).parent / "data" / "test_files" / "dicomdirtests"
NICOM = Path(nib.__file__).parent / "nicom" / "tests" / "data"
IDENTIFYING = ("FRUIT", "ge_t1/", ".dcm")


@pytest.fixture(scope="module")
def ge_study():
    if not GE_ZIP.exists():
        pytest.fail(f"{GE_ZIP} is missing: the tests read the DICOM export from ../shared/data (see its README)")
    return read_input(GE_ZIP)


def folder(sub: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((PYDICOM_SERIES / sub).iterdir())}


def test_a_scanners_zip_is_one_t1_series_found_from_its_headers(ge_study):
    assert [s.number for s in ge_study.series] == [10] and ge_study.skipped == {}
    (row,) = ge_study.table()
    assert row == {
        "series": 10, "description": "Accelerated SAG IR-SPGR", "modality": "MR", "slices": 196, "matrix": "256 x 256",
        "voxel size (mm)": "1.05 x 1.05 x 1.2", "orientation": "sagittal", "contrast": "T1w", "readable": "yes",
    }  # fmt: skip
    assert ge_study.series[0].channel_name == "series 10_T1w"


def assert_where_dcm2niix_puts_it(image, files: dict[str, bytes], folder: Path) -> None:
    """Every sampled voxel of ``image`` lies within 0.01 mm of a voxel centre of dcm2niix's conversion, with its value."""
    (folder / "in").mkdir(parents=True)
    (folder / "out").mkdir()
    for i, raw in enumerate(files.values()):
        (folder / "in" / f"{i:05d}.dcm").write_bytes(raw)
    subprocess.run([sys.executable, "-m", "dcm2niix", "-z", "n", "-f", "ref", "-o", str(folder / "out"), str(folder / "in")],
                   check=True, capture_output=True)  # fmt: skip
    reference = nib.load(folder / "out" / "ref.nii")
    data = np.asarray(reference.dataobj)
    data = data[..., 0] if data.ndim == 4 else data
    rng = np.random.default_rng(0)
    voxels = np.column_stack([rng.integers(0, n, 300) for n in image.data.shape])
    theirs = nib.affines.apply_affine(np.linalg.inv(reference.affine), nib.affines.apply_affine(image.affine, voxels))
    zooms = np.sqrt((reference.affine[:3, :3] ** 2).sum(axis=0))
    np.testing.assert_allclose((theirs - np.round(theirs)) * zooms, 0, atol=0.01)  # within 0.01 mm of a voxel centre
    np.testing.assert_array_equal(data[tuple(np.round(theirs).astype(int).T)], image.data[tuple(voxels.T)])


@pytest.mark.slow
def test_the_volume_lies_where_dcm2niix_puts_it(ge_study, tmp_path):
    image = load_series(ge_study, 10)
    assert image.shape == (256, 256, 196) and image.format == "DICOM" and image.name == "ge_t1_deident.zip, series 10"
    with zipfile.ZipFile(GE_ZIP) as archive:
        files = {m.filename: archive.read(m) for m in archive.infolist() if not m.is_dir()}
    assert_where_dcm2niix_puts_it(image, files, tmp_path)


@pytest.mark.slow
def test_a_siemens_mosaic_is_one_volume_where_dcm2niix_puts_it(tmp_path):
    raw = gzip.decompress((NICOM / "siemens_dwi_0.dcm.gz").read_bytes())  # 7 x 7 tiles of 128 x 128, 48 slices
    study = find_series("dwi", {"mosaic": raw})
    assert study.table()[0]["slices"] == 48 and study.table()[0]["matrix"] == "128 x 128"
    image = load_series(study, 12)
    assert image.shape == (128, 128, 48)
    assert_where_dcm2niix_puts_it(image, {"mosaic": raw}, tmp_path)


def test_an_enhanced_multiframe_file_is_one_volume():
    study = find_series("mprage", {"x": gzip.decompress((NICOM / "philips_mprage.dcm.gz").read_bytes())})
    assert study.table()[0]["slices"] == 176
    image = load_series(study, 301)
    assert image.shape == (256, 256, 176) and np.allclose(image.zooms, 1.0, atol=1e-4)
    assert any("every voxel has the value 0" in w for w in image.warnings)  # this test file's pixels are all zero


def test_a_regular_ct_series_loads_and_a_gap_and_a_localizer_are_refused_by_series():
    study = find_series("ct.zip", folder("98892001/CT5N"))
    image = load_series(study, 5)
    assert image.shape == (16, 16, 5) and np.allclose(image.zooms, (0.488281, 0.488281, 2.5), atol=1e-4)
    gap = find_series("gap.zip", folder("77654033/CT2"))
    with pytest.raises(InputError, match=r"gap\.zip, series 2: cannot be stacked into a volume: its slices are not equally"):
        load_series(gap, 2)
    localizer = find_series("scout.zip", folder("98892003/MR700"))
    assert localizer.series[0].orientation == "mixed"
    with pytest.raises(InputError, match="a localizer"):
        load_series(localizer, 700)


def test_what_is_not_an_image_is_counted_by_reason_and_an_upload_without_images_is_refused():
    files = {"sr": (Path(pydicom.__file__).parent / "data" / "test_files" / "test-SR.dcm").read_bytes(),
             "rt": (Path(pydicom.__file__).parent / "data" / "test_files" / "rtstruct.dcm").read_bytes(),
             "notes.txt": b"hello"} | folder("98892001/CT5N")  # fmt: skip
    study = find_series("mixed.zip", files)
    assert [s.number for s in study.series] == [5]
    assert study.skipped == {"a structured report": 1, "a radiotherapy object": 1, "not DICOM": 1}
    with pytest.raises(InputError, match="mixed.zip: holds no DICOM image series"):
        find_series("mixed.zip", {k: files[k] for k in ("sr", "rt", "notes.txt")})


def test_zip_bombs_and_nested_archives_are_refused_from_the_directory():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a", b"\0" * 20_000_000)
    with pytest.raises(InputError, match="would inflate to 19 MiB, more than the 1 MiB memory budget"):
        unzip("bomb.zip", bomb.getvalue(), budget=2**20)
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("inner.zip", bomb.getvalue())
    with pytest.raises(InputError, match="holds another archive"):
        unzip("nested.zip", nested.getvalue())
    with pytest.raises(InputError, match="not a readable zip"):
        unzip("broken.zip", b"PK\x03\x04 broken")


def test_dicom_is_recognised_from_its_bytes_without_an_extension():
    with zipfile.ZipFile(GE_ZIP) as archive:
        first = next(m for m in archive.infolist() if not m.is_dir())
        assert is_dicom(archive.read(first)[:256])
    assert is_dicom((PYDICOM_SERIES / "98892001/CT5N/2392").read_bytes()[:256])
    assert not is_dicom(b"\x5c\x01" + b"\0" * 300) and not is_dicom(b"PK\x03\x04" + b"\0" * 300)


def test_nothing_identifying_reaches_the_image_the_messages_or_the_table(ge_study):
    image = load_series(ge_study, 10)
    header_bytes = image.header.binaryblock + b"".join(e.get_content() for e in image.header.extensions)
    texts = [str(ge_study.table()), ge_study.listing(), image.name, *image.warnings]
    with pytest.raises(InputError) as refused:
        ge_study.get(3)
    texts.append(str(refused.value))
    for needle in IDENTIFYING:
        assert needle.encode() not in header_bytes
        assert not any(needle in text for text in texts)


def second_series(tmp_path) -> Path:
    """A folder with the 5-slice CT series twice: as series 5 and, renumbered, as series 6 (a second image series)."""
    out = tmp_path / "study"
    for name, raw in folder("98892001/CT5N").items():
        (out / "a").mkdir(parents=True, exist_ok=True)
        (out / "a" / name).write_bytes(raw)
        ds = pydicom.dcmread(io.BytesIO(raw))
        ds.SeriesNumber, ds.SeriesInstanceUID = 6, ds.SeriesInstanceUID + ".6"
        (out / "b").mkdir(exist_ok=True)
        ds.save_as(out / "b" / name)
    return out


def test_the_command_line_takes_series_as_channels_and_labels_as_the_same_image_given_as_nifti(tmp_path):
    from tests.library.test_cli import run

    study = second_series(tmp_path)
    done = run("segment", str(study), "-k", "2", "-o", str(tmp_path / "x.nii.gz"))
    assert done.returncode == 2 and "error: study: holds several image series." in done.stderr
    assert "--series N [N ...]: 5 (" in done.stderr and "6 (" in done.stderr
    done = run("segment", str(study), "--series", "6", "5", "-k", "2", "--exact", "-o", str(tmp_path / "dicom.nii.gz"))
    assert done.returncode == 0, done.stderr
    image = load_series(find_series("s", folder("98892001/CT5N")), 5)
    for name in ("series6.nii.gz", "series5.nii.gz"):
        nib.save(nib.Nifti1Image(image.data, image.affine), tmp_path / name)
    done = run("segment", tmp_path / "series6.nii.gz", tmp_path / "series5.nii.gz", "-k", "2", "--exact",
               "-o", tmp_path / "nifti.nii.gz")  # fmt: skip
    assert done.returncode == 0, done.stderr
    a, b = nib.load(tmp_path / "dicom.nii.gz"), nib.load(tmp_path / "nifti.nii.gz")
    np.testing.assert_allclose(a.affine, b.affine, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(a.dataobj), np.asarray(b.dataobj))
    done = run("segment", str(study), "--series", "9", "-k", "2", "-o", str(tmp_path / "y.nii.gz"))
    assert done.returncode == 2 and "study: has no image series 9. Its series: 5 (" in done.stderr
    assert "Traceback" not in done.stderr and "2392" not in done.stderr  # file names inside the input never shown


def rewritten(files: dict[str, bytes], change, which=None) -> dict[str, bytes]:
    """The files with ``change(dataset)`` applied to those ``which`` picks (all by default), saved again."""
    out = {}
    for i, (name, raw) in enumerate(files.items()):
        ds = pydicom.dcmread(io.BytesIO(raw))
        if which is None or which(i):
            change(ds)
        buffer = io.BytesIO()
        ds.save_as(buffer)
        out[name] = buffer.getvalue()
    return out


def small_series() -> dict[str, bytes]:
    from neuroseg.testing.dicom import series_files

    volume = np.random.default_rng(0).integers(1, 1000, (16, 12, 6)).astype(float)
    return series_files(volume, np.diag([2.0, 2.0, 2.5, 1.0]), 3, "small")


def _colour(ds):
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 3, "RGB"


def _mpeg(ds):
    from pydicom.encaps import encapsulate

    ds.PixelData = encapsulate([ds.PixelData])
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"


BAD = {
    "screenshots": (lambda ds: setattr(ds, "SOPClassUID", "1.2.840.10008.5.1.4.1.1.7"), None,
                    "holds no DICOM image series (6 a secondary capture (a screenshot))"),
    "burned-in": (lambda ds: setattr(ds, "BurnedInAnnotation", "YES"), None,
                  "holds no DICOM image series (6 an image with burned-in annotation)"),
    "colour": (_colour, None, "holds no DICOM image series (6 a colour image)"),
    "mixed matrices": (lambda ds: setattr(ds, "Rows", 8), lambda i: i == 2,
                       "series 3: cannot be read as a volume: its images have different matrix sizes"),
    "MPEG": (_mpeg, None, "series 3: cannot be read as a volume: compressed as MPEG2 Main Profile / Main Level, "
                          "which neuroseg cannot decode"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_dicom_gets_one_line_naming_the_upload_and_the_series(case, tmp_path):
    from tests.library.test_cli import run

    change, which, message = BAD[case]
    folder = tmp_path / "upload"
    folder.mkdir()
    for name, raw in rewritten(small_series(), change, which).items():
        (folder / name).write_bytes(raw)
    done = run("segment", folder, "-k", "2", "--series", "3", "-o", tmp_path / "x.nii.gz")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"neuroseg: error: upload: {message}" in done.stderr or f"neuroseg: error: upload, {message}" in done.stderr


def test_a_gap_is_refused_and_a_dicomdir_is_not_an_image():
    files = small_series()
    del files["IM0003"]
    with pytest.raises(InputError, match="gap, series 3: cannot be stacked into a volume: its slices are not equally"):
        load_series(find_series("gap", files), 3)
    dicomdir = {"DICOMDIR": (PYDICOM_SERIES / "DICOMDIR").read_bytes()} | small_series()
    assert find_series("disc", dicomdir).skipped == {"a DICOMDIR index": 1}


@pytest.mark.parametrize("syntax", [pydicom.uid.RLELossless, "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm"])
def test_compressed_series_are_decoded_to_the_same_voxels(syntax):
    if syntax == pydicom.uid.RLELossless:
        plain = small_series()
        packed = rewritten(plain, lambda ds: ds.compress(syntax))
    else:  # a compressed slice of pydicom's, and the same slice uncompressed, each made a four-slice series
        test_files = Path(pydicom.__file__).parent / "data" / "test_files"
        plain, packed = (four_slices((test_files / name).read_bytes()) for name in ("MR_small.dcm", syntax))
    expected = load_series(find_series("plain", plain), find_series("plain", plain).series[0].number).data
    study = find_series("packed", packed)
    np.testing.assert_array_equal(load_series(study, study.series[0].number).data, expected)


def four_slices(raw: bytes) -> dict[str, bytes]:
    """One slice and three copies of it, each one slice thickness further along its normal: a four-slice series."""

    def moved(step):
        def move(ds):
            normal = np.cross(*np.asarray(ds.ImageOrientationPatient, float).reshape(2, 3))
            position = np.asarray(ds.ImagePositionPatient, float) + step * normal * float(ds.SliceThickness)
            ds.ImagePositionPatient = [float(v) for v in position]
            ds.InstanceNumber = int(ds.InstanceNumber or 1) + step
            if "SliceLocation" in ds:
                ds.SliceLocation = float(ds.SliceLocation) + step * float(ds.SliceThickness)
            ds.SOPInstanceUID = f"{ds.SOPInstanceUID}.{step}"

        return move

    return {"a": raw} | {f"s{step}": rewritten({"x": raw}, moved(step))["x"] for step in (1, 2, 3)}


@pytest.mark.slow
def test_segment_a_zipped_study_with_the_brain_mask_labels_as_the_same_image_given_as_nifti(sample, tmp_path):
    from neuroseg.testing.dicom import study_zip
    from tests.library.test_cli import run

    stack, _ = sample
    (tmp_path / "study.zip").write_bytes(study_zip([(stack.channels[0], stack.affine, 3, "T1", 8.0, 3.7)]))
    nib.save(nib.Nifti1Image(np.round(stack.channels[0]).astype(np.int16), stack.affine), tmp_path / "t1.nii.gz")
    for source, out in ((["study.zip", "--series", "3"], "dicom.nii.gz"), (["t1.nii.gz"], "nifti.nii.gz")):
        done = run("segment", *[tmp_path / s if s.endswith((".zip", ".gz")) else s for s in source], "--mask", "brain",
                   "-k", "3", "-o", tmp_path / out)  # fmt: skip
        assert done.returncode == 0, done.stderr
    dicom, nifti = nib.load(tmp_path / "dicom.nii.gz"), nib.load(tmp_path / "nifti.nii.gz")
    np.testing.assert_allclose(dicom.affine, nifti.affine, atol=1e-4)
    np.testing.assert_array_equal(np.asarray(dicom.dataobj), np.asarray(nifti.dataobj))
    assert set(np.unique(np.asarray(dicom.dataobj))) == {0, 1, 2, 3}


@pytest.mark.slow
def test_an_oblique_series_stays_oblique_where_the_source_and_dcm2niix_put_it(sample, tmp_path):
    from neuroseg.testing.dicom import series_files

    stack, _ = sample
    tilt = nib.affines.from_matvec(nib.eulerangles.euler2mat(0.25, -0.15, 0.1), [4.0, -7.0, 12.0])
    affine = tilt @ stack.affine  # the phantom turned and moved: every slice oblique
    volume = np.round(stack.channels[0][20:80, 20:100, 30:60])
    files = series_files(volume, affine @ nib.affines.from_matvec(np.eye(3), [20, 20, 30]), 7, "oblique")
    order = np.random.default_rng(0).permutation(len(files))
    shuffled = {f"x{i}": list(files.values())[i] for i in order}  # shuffled, renamed, no extensions
    study = find_series("oblique", shuffled)
    assert study.series[0].orientation == "oblique"
    image = load_series(study, 7)
    voxels = np.column_stack([np.random.default_rng(1).integers(0, n, 300) for n in image.shape])
    source = nib.affines.apply_affine(np.linalg.inv(affine @ nib.affines.from_matvec(np.eye(3), [20, 20, 30])),
                                      nib.affines.apply_affine(image.affine, voxels))  # fmt: skip
    np.testing.assert_allclose(source, np.round(source), atol=1e-3)
    np.testing.assert_array_equal(volume[tuple(np.round(source).astype(int).T)], image.data[tuple(voxels.T)])
    assert_where_dcm2niix_puts_it(image, files, tmp_path)
