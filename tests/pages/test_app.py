"""Page tests: the real app through streamlit.testing.v1.AppTest."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from neuroseg.core.features import Scope, make_features
from neuroseg.testing import ROOT
from neuroseg.testing.apptest import (
    chart,
    charts,
    crosshair_reading,
    errors,
    frame,
    open_page,
    texts,
    values,
    warnings,
)
from neuroseg.testing.volumes import blobs, nifti_bytes


def test_data_page_shows_both_channels_and_their_headers():
    at = open_page()
    assert at.title[0].value == "Data & headers"
    overview = frame(at, "channel")
    assert overview["channel"].tolist() == ["T1w", "b0"]
    assert overview["shape"].tolist() == ["99 x 117 x 95"] * 2
    assert overview["voxel size (mm)"].tolist() == ["2 x 2 x 2"] * 2
    summary = frame(at, "field").set_index("field")["value"]
    assert summary["Orientation"] == "RAS+" and summary["sform code"] == "4 (mni)"
    assert "z = axial" in texts(at)


def test_slices_page_draws_three_views_through_the_crosshair_and_histograms(sample):
    at = open_page("slices")
    figures = charts(at)
    assert len(figures) == 4
    assert [f["layout"]["title"]["text"] for f in figures[:3]] == ["T1w, axial", "T1w, coronal", "T1w, sagittal"]
    letters = [{a["text"] for a in fig["layout"]["annotations"]} for fig in figures[:3]]
    assert letters == [{"<b>A</b>", "<b>P</b>", "<b>L</b>", "<b>R</b>"}, {"<b>S</b>", "<b>I</b>", "<b>L</b>", "<b>R</b>"},
                       {"<b>S</b>", "<b>I</b>", "<b>P</b>", "<b>A</b>"}]  # fmt: skip
    for fig in figures[:3]:
        assert fig["data"][0]["type"] == "image" and fig["data"][0]["source"].startswith("data:image/png")
        assert len(fig["layout"]["shapes"]) == 2  # the crosshair
    stack, _ = sample
    reading = crosshair_reading(at)
    assert reading["voxel (i, j, k)"] == "49, 58, 47"
    assert reading["T1w"] == f"{stack.channels[0][49, 58, 47]:.6g}" and reading["b0"] == f"{stack.channels[1][49, 58, 47]:.6g}"
    histogram = figures[3]
    assert [t["type"] for t in histogram["data"]] == ["bar", "bar"]
    assert "4,802 voxels per channel" in histogram["layout"]["title"]["text"]


def test_joint_page_shows_scatter_histogram_and_density():
    at = open_page("joint")
    kinds = [fig["data"][0]["type"] for fig in charts(at)]
    assert kinds == ["scattergl", "image", "heatmap", "contour"]
    scatter = chart(at, "Joint intensities")
    assert len(values(scatter["data"][0]["x"])) == 4802
    assert "all 4,802 voxels shown" in scatter["layout"]["title"]["text"]


def test_segment_page_matches_a_direct_gaussian_mixture_fit(sample):
    at = open_page("segment")
    stack, _ = sample
    X = make_features(stack.channels, Scope("slice", "z", 47)).X
    direct = GaussianMixture(n_components=3, random_state=12345).fit_predict(X)
    table = frame(at, "n_voxels")
    expected = sorted(np.bincount(direct).tolist())
    assert sorted(table["n_voxels"].tolist()) == expected
    means = [X[direct == c, 0].mean() for c in range(3)]
    assert table["mean_T1w"].tolist() == pytest.approx(sorted(means), abs=1e-3)
    model = GaussianMixture(n_components=3, random_state=12345).fit(X)
    bic = next(m for m in at.metric if m.label == "BIC")
    assert bic.value == f"{model.bic(X):,.0f}"
    dice = frame(at, "dice")
    assert dice["tissue"].tolist() == ["CSF", "GM", "WM"] and dice["dice"].min() > 0.8
    assert [b.proto.label for b in at.get("download_button")] == [
        "Labels (.nii.gz)", "Cluster table (.csv)", "Posteriors (.nii.gz)",
        "Script (.py)", "Notebook (.ipynb)", "The sample's files (.zip)",
    ]  # fmt: skip


def test_url_parameters_reproduce_a_view():
    at = open_page("segment", k=5, seed=3, axis="y", slice=60)
    assert at.slider(key="k").value == 5 and at.number_input(key="seed").value == 3
    assert len(frame(at, "n_voxels")) == 5
    assert "coronal slice 60" in texts(at)
    assert crosshair_reading(at)["voxel (i, j, k)"] == "49, 60, 47" and at.query_params["voxel"] == "49,60,47"


def test_a_bad_url_value_falls_back_with_a_notice():
    at = open_page("segment", k="abc", slice=999, dataset="nope")
    notices = warnings(at)
    assert any("URL parameter k=abc is not valid (a whole number from 1 to 12)" in n for n in notices)
    assert any("URL parameter slice=999 is not valid (a whole number from 0 to 94)" in n for n in notices)
    assert any("URL parameter dataset=nope is not valid" in n for n in notices)
    assert at.slider(key="k").value == 3 and at.slider(key="slice").value == 47
    assert len(frame(at, "n_voxels")) == 3
    at.button(key="dismiss_url_notices").click().run()
    assert not any("URL parameter" in w for w in warnings(at))


def test_compare_page_fits_the_default_grid():
    at = open_page("compare")
    table = frame(at, "bic")
    assert table["k"].tolist() == [k for k in range(2, 7) for _ in range(3)]
    assert table["seed"].tolist() == [12345, 12346, 12347] * 5
    figures = charts(at)
    assert [fig["data"][0]["type"] for fig in figures] == ["scatter", "bar", "image"]
    assert len(figures[2]["data"]) == 15  # rows = k, columns = seeds
    stability = values(figures[1]["data"][0]["y"])
    assert len(stability) == 5 and all(0.5 < v <= 1.0 for v in stability)


def test_one_channel_sample_explains_that_joint_needs_two():
    at = open_page("joint", dataset="mni152")
    assert "needs at least 2 channels" in texts(at)


def test_upload_of_two_small_nifti_files_works_end_to_end():
    a, b = blobs()
    at = open_page(dataset="upload")
    assert "Upload one or more co-registered images" in texts(at)
    at.file_uploader[0].set_value(
        [("my t1.nii.gz", nifti_bytes(a, gz=True), "application/gzip"), ("b0.nii", nifti_bytes(b), "application/octet-stream")]
    ).run()
    assert not at.exception
    assert frame(at, "channel")["channel"].tolist() == ["my t1", "b0"]
    at.switch_page("pages/segment.py").run()
    assert not at.exception and not at.error
    table = frame(at, "n_voxels")
    assert table["n_voxels"].sum() == int(((a[:, :, 5] > 0) & (b[:, :, 5] > 0)).sum())


def test_a_bad_upload_is_named_and_the_good_one_still_loads():
    a, _ = blobs()
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value(
        [("good.nii", nifti_bytes(a), "application/octet-stream"), ("page.nii.gz", b"<html>404</html>", "text/html")]
    ).run()
    assert not at.exception
    assert any("page.nii.gz: is an HTML or XML page" in e for e in errors(at))
    assert frame(at, "channel")["file"].tolist() == ["good.nii"]


def test_a_second_session_does_not_see_the_first_sessions_upload():
    a, b = blobs()
    first = open_page(dataset="upload")
    first.file_uploader[0].set_value([("secret.nii", nifti_bytes(a), "application/octet-stream")]).run()
    assert frame(first, "channel")["file"].tolist() == ["secret.nii"]
    second = open_page(dataset="upload")
    assert "Upload one or more co-registered images" in texts(second)
    assert not second.dataframe and "secret" not in texts(second)


def test_uploads_are_never_written_to_disk(tmp_path):
    marker = np.frombuffer(b"neuroseg-privacy-marker-7f3a9c21", dtype=np.float32)
    data = np.tile(marker, 40).reshape(8, 4, 10, order="F")  # NIfTI stores voxels in Fortran order
    raw = nifti_bytes(data)
    assert b"neuroseg-privacy-marker-7f3a9c21" in raw
    started = time.time()
    at = open_page(dataset="upload")
    at.file_uploader[0].set_value([("private.nii", raw, "application/octet-stream")]).run()
    at.switch_page("pages/segment.py").run()
    assert not at.exception
    for folder in {Path(tempfile.gettempdir()), ROOT, Path.home() / ".streamlit"}:
        for directory, _, names in os.walk(folder):  # os.walk skips folders that vanish or cannot be read
            for name in names:
                path = Path(directory) / name
                try:
                    info = path.stat()
                    if info.st_mtime >= started and info.st_size < 50 * 2**20:
                        assert b"neuroseg-privacy-marker" not in path.read_bytes(), path
                except OSError:
                    continue


def test_one_channel_sample_segments_by_intensity_alone():
    at = open_page("segment", dataset="mni152")
    table = frame(at, "n_voxels")
    assert len(table) == 3 and list(table.columns)[:4] == ["label", "n_voxels", "volume_ml", "mean_T1"]
    assert table["tissue"].tolist() == ["CSF", "GM", "WM"]  # a T1 first and k = 3: the labels are named
    assert table["mean_T1"].is_monotonic_increasing
    types = [fig["data"][0]["type"] for fig in charts(at)]  # three views, the histogram with Gaussians, the confidence
    assert types == ["image"] * 3 + ["bar", "image"]
