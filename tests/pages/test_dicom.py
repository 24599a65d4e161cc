"""A zipped DICOM study uploaded in the app: its series table, series as channels, and nothing identifying shown."""

from __future__ import annotations

import json

import pytest

from neuroseg.testing.apptest import component_args, errors, frame, open_page, texts
from neuroseg.testing.dicom import PLANTED_TEXTS, study_zip


@pytest.fixture(scope="module")
def study(sample):
    stack, _ = sample
    return study_zip([
        (stack.channels[0], stack.affine, 3, "T1 MPRAGE", 8.0, 3.7),
        (stack.channels[1], stack.affine, 4, "DWI b0", 6000.0, 90.0),
    ])  # fmt: skip


def everything_shown(at) -> str:
    """Every text, table, chart, code block, widget label and component argument of the page."""
    parts = [texts(at)]
    parts += [el.value.to_csv() for el in [*at.dataframe, *at.sidebar.dataframe, *at.table]]
    parts += [el.proto.spec for el in at.get("plotly_chart")] + [el.value for el in at.code]
    parts += [str(getattr(el, "label", "")) + str(getattr(el, "options", "")) for el in at.get("multiselect")]
    parts += [json.dumps(component_args(at, "3-D view"))]
    return "\n".join(parts)


def test_a_zipped_study_becomes_chosen_series_as_channels_and_nothing_identifying_is_shown(study):
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value([("study.zip", study, "application/zip")]).run()
    assert not errors(at)
    table = at.sidebar.dataframe[0].value
    assert table["series"].tolist() == [1, 3, 4]
    assert table["readable"].tolist() == ["a localizer (its slices lie in different planes)", "yes", "yes"]
    assert table["contrast"].tolist()[1:] == ["T1w", "T2w"] and "Files skipped: 1 a structured report." in texts(at)
    at.multiselect(key="dicom_series").set_value([3, 4]).run()
    assert frame(at, "channel")["channel"].tolist() == ["series 3_T1w", "series 4_T2w"]
    assert "study.zip, series 3" in texts(at)
    shown = [everything_shown(at)]
    for page, query in (("slices", {}), ("segment", {"view": "3d", "scope": "volume"}), ("compare", {})):
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception and not errors(at), errors(at)
        shown.append(everything_shown(at))
    at.switch_page("pages/segment.py").run()
    assert frame(at, "n_voxels")["tissue"].tolist() == ["CSF", "GM", "WM"]  # the header said T1: tissue names apply
    code = at.code[0].value  # Reproduce in Python reads the NIfTI files the page offers for the series
    assert "series_3.nii.gz" in code and "series_4.nii.gz" in code and "study.zip" not in code
    assert {"series_3.nii.gz", "series_4.nii.gz"} <= {b.label for b in at.get("download_button")}
    text = "\n".join(shown)
    for planted in PLANTED_TEXTS + ("DOE_JANE", "IM00"):
        assert planted not in text, planted


def test_a_dicom_upload_without_a_readable_series_says_why(sample):
    stack, _ = sample
    scout_only = study_zip([(stack.channels[0][:, :, :1], stack.affine, 3, "one slice", 8.0, 3.7)])
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value([("scout.zip", scout_only, "application/zip")]).run()
    assert any("scout.zip: no series can be read as a volume" in e for e in errors(at))
    at.file_uploader[0].set_value([("bomb.zip", b"PK\x03\x04 not really a zip", "application/zip")]).run()
    assert any("bomb.zip: is not a readable zip archive" in e for e in errors(at))
