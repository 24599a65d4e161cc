"""The crosshair on the pages: the readout after a fit, the sliders, the shared URL and old links."""




from neuroseg.analysis.segment import segment
from neuroseg.core.features import Scope
from neuroseg.testing.apptest import chart_titles, charts, crosshair_reading, open_page, warnings


def test_segment_page_readout_shows_the_label_and_posterior_of_the_fit(sample):
    at = open_page("segment", voxel="30,70,47")
    reading = crosshair_reading(at)
    stack, _ = sample
    seg = segment(stack, Scope("slice", "z", 47), 3, 12345)
    label, posterior = seg.at((30, 70, 47))
    assert label == seg.label_volume()[30, 70, 47] > 0
    assert reading["label"] == f"{label} ({('CSF', 'GM', 'WM')[label - 1]})"
    assert reading["posterior of that label"] == f"{posterior:.3f}"
    assert {"Labels over T1w, axial", "Labels over T1w, coronal", "Labels over T1w, sagittal"} <= set(chart_titles(at))


def test_crosshair_sliders_move_the_readout_and_the_url_and_one_plane_pages_follow():
    at = open_page("slices")
    at.slider(key="slices_cross_y").set_value(30).run()
    assert crosshair_reading(at)["voxel (i, j, k)"] == "49, 30, 47" and at.query_params["voxel"] == "49,30,47"
    at.slider(key="slices_cross_z").set_value(20).run()
    at.switch_page("pages/joint.py").run()
    titles = [c["layout"]["title"]["text"] for c in charts(at)]
    assert any("axial slice 20" in t for t in titles)


def test_old_links_and_bad_voxels():
    at = open_page("slices", axis="y", slice=40)
    assert crosshair_reading(at)["voxel (i, j, k)"] == "49, 40, 47"
    at = open_page("slices", voxel="49,58,999")
    assert any("URL parameter voxel=49,58,999 is not valid" in w for w in warnings(at))
    assert crosshair_reading(at)["voxel (i, j, k)"] == "49, 58, 47"
