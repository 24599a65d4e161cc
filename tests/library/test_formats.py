"""Every volume format nibabel reads, on nibabel's own package data and on pairs nibabel writes."""

import gzip
import io
import re
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from neuroseg.cli import main
from neuroseg.errors import InputError
from neuroseg.io import group_names, load_files, load_path
from neuroseg.testing import NIBABEL_DATA, ROOT
from neuroseg.testing.volumes import blobs

REAL_FILES = [
    ("tiny.mnc", "MINC1"),
    ("minc1_1_scale.mnc", "MINC1"),
    ("minc1_4d.mnc", "MINC1"),
    ("minc2_1_scale.mnc", "MINC2"),
    ("small.mnc", "MINC2"),
    ("minc2_4d.mnc", "MINC2"),
    ("phantom_EPI_asc_CLEAR_2_1.PAR", "PAR/REC"),
    ("phantom_varscale.REC", "PAR/REC"),  # named by its data half
    ("scaled+tlrc.HEAD", "AFNI"),
    ("example4d+orig.BRIK.gz", "AFNI"),
    ("test.mgz", "MGH"),
    ("example4d.nii.gz", "NIfTI-1"),
    ("example_nifti2.nii.gz", "NIfTI-2"),
    ("anatomical.nii", "NIfTI-1"),
]


def _nibabel_volume(path: Path, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Volume 0 as nibabel itself gives it (MINC keeps time on the first axis)."""
    image = nib.load(path)
    data = image.get_fdata()
    if data.ndim == 4:
        data = data[0] if fmt.startswith("MINC") else data[..., 0]
    return data, image.affine


@pytest.mark.parametrize("filename, fmt", REAL_FILES)
def test_real_files_match_nibabel(filename, fmt):
    image = load_path(NIBABEL_DATA / filename)
    assert image.format == fmt
    expected, affine = _nibabel_volume(image_path := NIBABEL_DATA / filename, fmt)
    np.testing.assert_array_equal(image.data, expected.reshape(image.data.shape))
    np.testing.assert_allclose(image.affine, affine)
    assert image_path.name in image.files or fmt in ("PAR/REC", "AFNI")


@pytest.mark.parametrize(
    "klass, fmt", [(nib.Nifti1Pair, "NIfTI-1 pair"), (nib.Nifti2Pair, "NIfTI-2 pair"), (nib.AnalyzeImage, "Analyze 7.5")]
)
@pytest.mark.parametrize("gz", [False, True])
def test_hdr_img_pairs_from_either_half_on_disk_and_from_bytes(tmp_path, klass, fmt, gz):
    data, _ = blobs()
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    suffix = ".img.gz" if gz else ".img"
    nib.save(klass(data, affine), tmp_path / f"brain{suffix}")
    expected = nib.load(tmp_path / f"brain{suffix}")
    for named in (f"brain.hdr{'.gz' if gz else ''}", f"brain{suffix}"):
        image = load_path(tmp_path / named)
        assert image.format == fmt
        np.testing.assert_array_equal(image.data, expected.get_fdata())
        np.testing.assert_array_equal(image.affine, expected.affine)
    parts = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(parts) == 2
    np.testing.assert_array_equal(load_files(parts).data, expected.get_fdata())
    warned = any("orientation" in w for w in image.warnings)
    assert warned == (fmt == "Analyze 7.5")


def test_group_names_pairs_companions_case_insensitively_and_keeps_halves_alone():
    names = ["b0.nii.gz", "T1.HDR", "scan.PAR", "t1.img", "epi+orig.BRIK.gz", "epi+orig.HEAD", "lonely.REC"]
    assert group_names(names) == [
        ("b0.nii.gz",),
        ("T1.HDR", "t1.img"),
        ("scan.PAR",),
        ("epi+orig.HEAD", "epi+orig.BRIK.gz"),
        ("lonely.REC",),
    ]


@pytest.mark.parametrize(
    "filename, missing",
    [
        ("phantom_EPI_asc_CLEAR_2_1.PAR", "phantom_EPI_asc_CLEAR_2_1.REC"),
        ("phantom_EPI_asc_CLEAR_2_1.REC", "phantom_EPI_asc_CLEAR_2_1.PAR"),
        ("scaled+tlrc.HEAD", "scaled+tlrc.BRIK"),
        ("scaled+tlrc.BRIK", "scaled+tlrc.HEAD"),
        ("analyze.hdr", "analyze.img"),
    ],
)
def test_a_half_pair_names_the_missing_file(filename, missing):
    with pytest.raises(InputError, match=f"{re.escape(filename)}: is one half of a two-file image.*{re.escape(missing)} is missing"):
        load_files({filename: (NIBABEL_DATA / filename).read_bytes()})


def test_pair_header_is_checked_against_the_budget_before_the_data_is_read():
    head = (NIBABEL_DATA / "scaled+tlrc.HEAD").read_bytes()
    with pytest.raises(InputError, match=r"scaled\+tlrc.HEAD: declares 109,134 voxels per volume .* more than the 0 MiB"):
        load_files({"scaled+tlrc.HEAD": head, "scaled+tlrc.BRIK": b"not read"}, budget=1000)


def test_a_truncated_data_half_is_named():
    head = (NIBABEL_DATA / "scaled+tlrc.HEAD").read_bytes()
    with pytest.raises(InputError, match=r"scaled\+tlrc.BRIK: is truncated: scaled\+tlrc.HEAD declares 218,268 bytes"):
        load_files({"scaled+tlrc.HEAD": head, "scaled+tlrc.BRIK": b"\x00" * 1000})


def test_a_compressed_data_half_is_inflated_with_a_cap():
    data, _ = blobs()
    image = nib.AnalyzeImage(data, np.eye(4))
    file_map = image.make_file_map({"header": io.BytesIO(), "image": io.BytesIO()})
    image.to_file_map(file_map)
    header = file_map["header"].fileobj.getvalue()
    bomb = gzip.compress(b"\x00" * (data.nbytes * 50))
    with pytest.raises(InputError, match="x.img.gz: decompresses to more than"):
        load_files({"x.hdr": header, "x.img.gz": bomb})


def test_two_unrelated_files_are_not_a_pair():
    with pytest.raises(InputError, match="a.nii and b.hdr: are not the two halves of one image"):
        load_files({"a.nii": b"x" * 400, "b.hdr": b"y" * 400})


@pytest.mark.parametrize("filename", ["minc2_1_scale.mnc", "phantom_EPI_asc_CLEAR_2_1.PAR", "example4d+orig.HEAD"])
def test_cli_labels_keep_nibabels_grid(tmp_path, filename):
    out = tmp_path / "labels.nii.gz"
    assert main(["segment", str(NIBABEL_DATA / filename), "-k", "2", "--seed", "0", "--exact", "-o", str(out)]) == 0
    labels, source = nib.load(out), nib.load(NIBABEL_DATA / filename)
    spatial = source.shape[1:] if filename.endswith(".mnc") and len(source.shape) == 4 else source.shape[:3]
    assert labels.shape == spatial
    np.testing.assert_allclose(labels.affine, source.affine, atol=1e-5)
    assert set(np.unique(labels.get_fdata())) <= {0, 1, 2}


def test_one_list_of_formats_names_every_file_kind_and_the_readme_quotes_it():
    from neuroseg.io.formats import FORMATS, PAIR_FAMILIES, formats_text, sniff

    assert [f.kind for f in FORMATS] == ["NIfTI", "Analyze", "MGH", "MINC1", "MINC2", "PAR/REC", "AFNI"]
    assert len(PAIR_FAMILIES) == 3  # NIfTI and Analyze share .hdr + .img
    assert sniff((NIBABEL_DATA / "minc2_1_scale.mnc").read_bytes()[:64]).kind == "MINC2"
    assert sniff((NIBABEL_DATA / "example4d+orig.HEAD").read_bytes()[:64]).kind == "AFNI"
    assert sniff((NIBABEL_DATA / "example4d.nii.gz").read_bytes()[:64]) is None  # gzip: the header decides
    assert formats_text() in (ROOT / "README.md").read_text().replace("\n", " ")


@pytest.mark.parametrize(
    "filename, hidden",
    [("phantom_EPI_asc_CLEAR_2_1.PAR", ("phantom", "Konvertertest", "2014.02.14")),
     ("example4d+orig.HEAD", ("AFN_-zxZ0OyZs8eEtm9syGBNdA", "2017"))],
)  # fmt: skip
def test_the_raw_header_view_withholds_who_and_when(filename, hidden):
    from neuroseg.io.header import WITHHELD, WITHHELD_TEXT, raw_fields

    image = load_path(NIBABEL_DATA / filename)
    rows = dict(raw_fields(image))
    assert all(rows[key] == WITHHELD_TEXT for key in WITHHELD[image.format] if key in rows)
    assert not any(text in value for value in rows.values() for text in hidden)
    assert len(rows) > 10  # the rest is still there
