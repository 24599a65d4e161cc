"""The 3-D view on the Slices and Segment pages, and the one-channel histogram with its Gaussians (DESIGN 3.15)."""

from __future__ import annotations

import json

from neuroseg.testing.apptest import chart, chart_titles, component_args, crosshair_reading, open_page, texts, warnings
from neuroseg.ui.view3d import TITLE
from neuroseg.viz.palette import label_colour
from neuroseg.viz.volume3d import world_point


def test_slices_in_3d_sends_the_image_by_url_and_the_crosshair_in_millimetres(sample):
    stack, _ = sample
    at = open_page("slices", view="3d", voxel="30,70,40")
    args = component_args(at, TITLE)
    assert args["image"].endswith(".gz") and "/media/" in args["image"] and args["labels"] is None
    assert args["crosshair"] == world_point(stack.affine, (30, 70, 40))
    assert args["layout"] == "multiplanar" and args["clip"] is None
    assert not [t for t in chart_titles(at) if t.startswith("T1w, ")]  # the planes make way for the 3-D view
    assert crosshair_reading(at)["voxel (i, j, k)"] == "30, 70, 40"
    at.radio(key="view").set_value("planes").run()
    assert component_args(at, TITLE) is None and "T1w, axial" in chart_titles(at)


def test_segment_in_3d_draws_the_labels_in_the_palette_and_cuts_hides_and_follows_the_crosshair():
    at = open_page("segment", view="3d", scope="volume")
    args = component_args(at, TITLE)
    assert args["labels"].endswith(".gz") and args["labels"] != args["image"]
    table = args["table"]
    assert table["labels"] == ["outside", "CSF", "GM", "WM"] and table["A"] == [0, 255, 255, 255]
    assert [f"#{table['R'][i]:02X}{table['G'][i]:02X}{table['B'][i]:02X}" for i in (1, 2, 3)] == [
        label_colour(i).upper() for i in (1, 2, 3)
    ]
    at.button_group(key="segment_3d_shown_3").unselect(2).run()
    assert component_args(at, TITLE)["table"]["A"] == [0, 255, 0, 255]
    at.slider(key="k").set_value(5).run()  # a new number of labels shows them all
    assert component_args(at, TITLE)["table"]["A"] == [0, 255, 255, 255, 255, 255]
    at.slider(key="k").set_value(3).run()
    at.button_group(key="segment_3d_shown_3").unselect(2).run()
    at.selectbox(key="segment_3d_clip").set_value("the left").run()
    at.radio(key="segment_3d_layout").set_value("3-D alone").run()
    moved = component_args(at, TITLE)
    assert moved["clip"] == [0.0, 270, 0, 110, 15] and moved["layout"] == "render"
    at.slider(key="segment_3d_depth").set_value(75).run()
    assert component_args(at, TITLE)["clip"][0] == -0.25
    before = component_args(at, TITLE)
    at.slider(key="opacity").set_value(0.3).run()
    after = component_args(at, TITLE)
    assert after["opacity"] == 0.3 and (after["image"], after["labels"]) == (before["image"], before["labels"])


def test_the_3d_view_keeps_its_volumes_when_only_the_crosshair_moves_and_swaps_labels_for_a_new_fit(sample):
    stack, _ = sample
    at = open_page("segment", view="3d", scope="volume")
    first = component_args(at, TITLE)
    at.switch_page("pages/slices.py").run()
    at.radio(key="view").set_value("planes").run()
    at.slider(key="slices_cross_x").set_value(20).run()
    at.switch_page("pages/segment.py").run()
    at.radio(key="view").set_value("3d").run()
    moved = component_args(at, TITLE)
    assert moved["crosshair"] == world_point(stack.affine, (20, 58, 47))
    assert (moved["image"], moved["labels"]) == (first["image"], first["labels"])
    at.slider(key="k").set_value(4).run()
    refit = component_args(at, TITLE)
    assert refit["image"] == first["image"] and refit["labels"] != first["labels"]
    assert refit["table"]["labels"] == ["outside", "cluster 1", "cluster 2", "cluster 3", "cluster 4"]


def test_a_bad_view_in_the_url_is_named_and_the_planes_are_shown():
    at = open_page("slices", view="volume")
    assert any("URL parameter view=volume is not valid (one of planes, 3d)" in w for w in warnings(at))
    assert component_args(at, TITLE) is None and "T1w, axial" in chart_titles(at)


def test_one_channel_segment_shows_the_histogram_with_each_clusters_gaussian():
    at = open_page("segment", dataset="mni152", scope="volume", k=3)
    figure = chart(at, "3 clusters on the histogram of T1")
    names = [trace.get("name") for trace in figure["data"]]
    assert names[-1] == "sum of the Gaussians" and sum(n.endswith(": Gaussian") for n in names) == 3
    assert [t.get("showlegend", True) for t in figure["data"]].count(False) == 3  # one legend entry per label
    colours = [trace["marker"]["color"] for trace in figure["data"] if trace["type"] == "bar"]
    assert colours == [label_colour(i) for i in (1, 2, 3)]
    assert "there is no joint scatter" not in texts(at)
    assert json.dumps(figure).count('"type": "bar"') == 3
