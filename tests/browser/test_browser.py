"""Browser tests: Debian's chromium, driven by Playwright, against ``streamlit run app.py``.

Screenshots of every page land in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from neuroseg.testing import ROOT
from neuroseg.testing.bad_files import CASES
from neuroseg.testing.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    UPLOADER,
    PeakMemory,
    Server,
    new_page,
    settle,
    upload,
    upload_and_segment,
)
from neuroseg.testing.volumes import blobs, nifti_bytes

pytestmark = pytest.mark.slow  # a real browser against streamlit run

SHOTS = ROOT / "test-artifacts" / "screenshots"
# a page can run again shortly after it first looks idle (a fragment's charts report their state), so checks
# wait for what a user would wait for rather than failing at the first glance
expect.set_options(timeout=30_000)
FIGURES = ROOT / "test-artifacts" / "figures.json"


def record(name: str, value) -> None:
    """Keep a measured figure (peak memory, sessions) beside the screenshots."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[name] = value
    FIGURES.write_text(json.dumps(figures, indent=2))


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium (browser tests must not be skipped)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 2000})
    pg = context.new_page()
    yield pg
    context.close()


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def no_exceptions(page: Page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_cold_deep_link_runs_through_app_and_its_sidebar(browser):
    fresh = Server()  # the very first request this server gets is a deep link
    try:
        context = browser.new_context(viewport={"width": 1500, "height": 2000})
        pg = context.new_page()
        pg.goto(f"{fresh.url}/segment?k=5")
        settle(pg)
        expect(pg.get_by_role("heading", name="Segment")).to_be_visible()
        nav = pg.locator("[data-testid=stSidebarNav]")
        expect(nav).to_contain_text("Data & headers")
        expect(nav).to_contain_text("Compare k × seeds")
        expect(pg.locator("[data-testid=stSidebar]")).to_contain_text("Slice axis")
        expect(pg.get_by_text("cluster 5").first).to_be_visible()
        no_exceptions(pg)
        shoot(pg, "00_cold_deep_link_segment_k5")
        context.close()
    finally:
        fresh.stop()


def test_simultaneous_cold_deep_links_all_get_the_app(browser):
    fresh = Server()  # three sessions arrive at once while the server is still in legacy multipage mode
    try:
        pages = [new_page(browser, 1000) for _ in range(3)]
        for pg in pages:
            pg.goto(f"{fresh.url}/segment?dataset=upload")
        for pg in pages:
            settle(pg)
            expect(pg.locator("[data-testid=stSidebarNav]")).to_contain_text("Compare k × seeds")
            expect(pg.locator(UPLOADER)).to_have_count(1)
            no_exceptions(pg)
        for pg in pages:
            pg.context.close()
    finally:
        fresh.stop()


def test_data_page_and_an_upload(server, page, tmp_path):
    page.goto(server.url)
    settle(page)
    expect(page.get_by_role("heading", name="Data & headers")).to_be_visible()
    expect(page.get_by_text("T1w · phantom_t1w.nii.gz")).to_be_visible()
    no_exceptions(page)
    shoot(page, "01_data")

    page.locator("[data-testid=stSidebar]").get_by_text("upload", exact=True).click()
    settle(page)
    a, b = blobs()
    files = []
    for name, data in (("subject T1.nii.gz", a), ("subject b0.nii.gz", b)):
        path = tmp_path / name
        path.write_bytes(nifti_bytes(data, gz=True))
        files.append(str(path))
    upload(page, *files)
    expect(page.get_by_text("subject T1 · subject T1.nii.gz")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("subject b0 · subject b0.nii.gz")).to_be_visible()
    assert "dataset=upload" in page.url
    no_exceptions(page)
    shoot(page, "02_data_upload")


def test_each_mask_choice_in_the_browser(server, page, tmp_path):
    page.goto(f"{server.url}/?dataset=mni152")
    settle(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("Analysis mask: mni152_brain_mask.nii.gz")
    expect(page.get_by_test_id("stMetric").filter(has_text="Voxels in the analysis mask")).to_contain_text("235,375")
    no_exceptions(page)
    shoot(page, "10_mask_file_data")

    page.goto(f"{server.url}/slices?dataset=mni152&mask=auto")
    settle(page)
    expect(page.get_by_text("The cyan outline is the analysis mask: the automatic foreground mask.")).to_be_visible()
    no_exceptions(page)
    shoot(page, "11_mask_auto_slices")

    page.goto(f"{server.url}/segment?dataset=mni152&mask=lesson&k=3")
    settle(page)
    page.locator("[data-testid=stSidebar]").get_by_text("file", exact=True).click()
    settle(page)
    assert "mask=lesson" not in page.url  # the sample's default (its brain mask) leaves the URL
    expect(page.get_by_text(re.compile("inside mni152_brain_mask.nii.gz"))).to_be_visible()
    no_exceptions(page)
    shoot(page, "12_mask_file_segment")

    page.goto(f"{server.url}/?dataset=phantom&mask=file")
    settle(page)
    expect(page.get_by_text("Upload a mask image in the sidebar")).to_be_visible()
    path = tmp_path / "left_half_mask.nii.gz"
    stack_shape, affine = (99, 117, 95), np.array([[2.0, 0, 0, -98], [0, 2, 0, -134], [0, 0, 2, -72], [0, 0, 0, 1]])
    mask = np.zeros(stack_shape, np.uint8)
    mask[:50] = 1
    path.write_bytes(nifti_bytes(mask, affine, gz=True))
    page.locator(UPLOADER).last.set_input_files(str(path))
    settle(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("Analysis mask: left_half_mask.nii.gz", timeout=60_000)
    no_exceptions(page)
    shoot(page, "13_mask_uploaded")


def test_a_whole_head_upload_gets_its_brain_extracted(server, page, tmp_path):
    import nibabel as nib

    from neuroseg.testing.heads import moved_head

    head = moved_head(tilt=(8, -5, 10), shift=(10, -20, 15), zooms=(1.5, 1.5, 1.5), axcodes="LPS", noise=0.03, bias=0.3)
    path = tmp_path / "head_T1w.nii.gz"
    nib.save(head.image, path)
    page.goto(f"{server.url}/?dataset=upload&mask=brain")
    settle(page)
    upload(page, str(path))
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Brain extracted from head_T1w.nii.gz", timeout=120_000)
    expect(main).to_contain_text("the brain extracted from head_T1w.nii.gz")
    expect(page.get_by_role("button", name="Brain mask (.nii.gz)")).to_be_visible()
    no_exceptions(page)
    shoot(page, "15_data_brain_extracted")
    check = page.get_by_role("heading", name="Registration check")
    check.scroll_into_view_if_needed()
    expect(main.get_by_text("MNI152 brain, registered").first).to_be_visible()
    expect(main).to_contain_text("Orange: the MNI152 template's brain carried onto the image")
    shoot(page, "15b_data_registration_check")
    page.locator("[data-testid=stSidebarNav]").get_by_text("Slices & histograms").click()
    settle(page)
    expect(main).to_contain_text("MNI (x, y, z) mm", timeout=60_000)
    no_exceptions(page)
    shoot(page, "16_slices_brain_outline")


def test_segment_page_with_the_tissue_model(server, page):
    page.goto(f"{server.url}/segment?bias=on&mrf=10")
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Tissue model")
    expect(main).to_contain_text("the tissue model (k = 3, seed 12345) on axial slice 47")
    expect(main).to_contain_text("bias field, spatial prior β = 10, partial-volume classes")
    page.get_by_role("button", name="T1w bias-corrected (.nii.gz)").scroll_into_view_if_needed()
    settle(page)
    for title in ("P(CSF)", "P(GM)", "P(WM)", "Bias field of T1w", "Bias field of b0"):
        expect(page.locator(".js-plotly-plot .gtitle", has_text=title)).to_have_count(1)
    no_exceptions(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "14_segment_tissue_model.png"), full_page=True)


def test_segment_page_hands_over_the_lessons_code(server, page):
    page.goto(f"{server.url}/segment?mode=exact")
    settle(page)
    main = page.get_by_test_id("stMain")
    page.get_by_text("Reproduce in Python").click()
    settle(page)
    code = main.get_by_test_id("stCode")
    expect(code).to_contain_text("GaussianMixture(n_components=3, random_state=12345)")
    expect(code).to_contain_text("t1w_slice = t1w[:, :, 47]")
    expect(page.get_by_role("button", name="Notebook (.ipynb)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Script (.py)").click()
    assert download.value.suggested_filename.endswith("_reproduce.py")
    page.get_by_text("Reproduce in Python").evaluate("e => e.scrollIntoView({block: 'start'})")  # the code in view
    no_exceptions(page)
    shoot(page, "17_segment_reproduce_in_python")


def crosshair_text(page: Page) -> str:
    return page.locator("[data-testid=stTable]").filter(has_text="voxel (i, j, k)").inner_text()


def test_slices_page_click_moves_the_crosshair_and_the_other_views_follow(server, page):
    page.goto(f"{server.url}/slices")
    settle(page)
    expect(page.locator(".js-plotly-plot .gtitle", has_text="T1w, axial")).to_have_count(1)
    assert "49, 58, 47" in crosshair_text(page)
    sliders = page.get_by_test_id("stSlider")
    coronal_before = sliders.filter(has_text="Coronal plane: j").inner_text().split()[3]  # label, value, min, max
    shoot(page, "03_slices_three_views")
    axial = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text="T1w, axial"))
    box = axial.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
    settle(page)
    expect(page.get_by_test_id("stMain")).not_to_contain_text("49, 58, 47", timeout=30_000)
    reading = crosshair_text(page)
    voxel = re.search(r"(\d+), (\d+), (\d+)", reading).groups()
    assert voxel[2] == "47"  # a click on the axial view keeps the axial slice
    assert f"voxel={voxel[0]}%2C{voxel[1]}%2C47" in page.url or f"voxel={voxel[0]},{voxel[1]},47" in page.url
    coronal_after = sliders.filter(has_text="Coronal plane: j").inner_text().split()[3]
    assert coronal_after == voxel[1] != coronal_before  # the coronal view now goes through the new voxel
    no_exceptions(page)
    shoot(page, "03b_slices_after_click")

def test_joint_page_lasso_selects_voxels_in_the_slice(server, page):
    page.goto(f"{server.url}/joint")
    settle(page)
    expect(page.get_by_text("0 selected voxels in this slice")).to_be_visible()
    plot = page.locator(".js-plotly-plot").first.locator(".nsewdrag").first
    box = plot.bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + 0.55 * w, y0 + 0.45 * h)
    page.mouse.down()
    for fx, fy in ((0.98, 0.45), (0.98, 0.98), (0.55, 0.98), (0.55, 0.46)):
        page.mouse.move(x0 + fx * w, y0 + fy * h, steps=8)
    page.mouse.up()
    settle(page)
    title = page.get_by_text(re.compile(r"[1-9][\d,]* selected voxels in this slice"))
    expect(title).to_be_visible(timeout=30_000)
    no_exceptions(page)
    shoot(page, "04_joint_lasso")


def test_segment_page_k_slider_updates_clusters_and_url(server, page):
    page.goto(f"{server.url}/segment")
    settle(page)
    legend = page.locator(".js-plotly-plot .legendtext")
    expect(legend.filter(has_text=re.compile("^WM$")).first).to_be_visible()  # a T1 first and k = 3: named labels
    page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]").first.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    expect(legend.filter(has_text=re.compile("^cluster 4$")).first).to_be_visible()
    assert "k=4" in page.url
    expect(page.get_by_text("Dice against the sample's reference labels")).to_be_visible()
    no_exceptions(page)
    shoot(page, "05_segment_k4")


def test_compare_page_grows_the_grid(server, page):
    page.goto(f"{server.url}/compare?kmax=4")
    settle(page)
    expect(page.get_by_text("9 fits on")).to_be_visible()
    page.get_by_label("Largest k").fill("5")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_text("12 fits on")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("k = 5", exact=True)).to_be_visible()
    assert "kmax=5" in page.url
    no_exceptions(page)
    shoot(page, "06_compare")


def test_the_server_survives_every_bad_file_in_one_session(server, page, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    paths = []
    for i, case in enumerate(CASES):
        sub = folder / f"{i:02d}"
        sub.mkdir()
        (sub / case.filename).write_bytes(case.content)
        paths.append(str(sub / case.filename))
    page.goto(f"{server.url}/?dataset=upload")
    settle(page)
    with PeakMemory(server.process.pid) as memory:
        upload(page, *paths)
        text = page.inner_text("[data-testid=stMain]")
    for case in CASES:
        if case.outcome == "error":
            assert case.fragment in text, case.id
    no_exceptions(page)
    shoot(page, "07_bad_uploads")
    assert server.healthy() and server.process.poll() is None
    record("bad_uploads_server_peak_rss_mb", round(memory.peak / 2**20))
    assert memory.peak < 1.5 * 2**30
    page.locator("[data-testid=stSidebar]").get_by_text("phantom", exact=True).click()
    settle(page)
    expect(page.get_by_text("T1w · phantom_t1w.nii.gz")).to_be_visible()


def test_a_second_session_cannot_see_the_first_ones_upload(server, browser, tmp_path):
    first, second = new_page(browser), new_page(browser)
    first.goto(f"{server.url}/?dataset=upload")
    settle(first)
    path = tmp_path / "secret_subject.nii.gz"
    path.write_bytes(nifti_bytes(blobs()[0], gz=True))
    upload(first, path)
    expect(first.get_by_text("secret_subject · secret_subject.nii.gz")).to_be_visible()
    second.goto(f"{server.url}/?dataset=upload")
    settle(second)
    expect(second.get_by_text("Upload one or more co-registered images")).to_be_visible()
    assert "secret_subject" not in second.inner_text("body")
    first.context.close()
    second.context.close()


def test_simultaneous_sessions_each_get_their_own_segmentation(server, browser, tmp_path):
    sessions = 4
    pages = [new_page(browser, height=1200) for _ in range(sessions)]
    with PeakMemory(server.process.pid) as memory:
        outcomes = upload_and_segment(pages, server.url, tmp_path)
    for expected, shown in outcomes:
        assert shown == f"{expected:,}"
    assert len({e for e, _ in outcomes}) == sessions  # every session had different data
    assert server.healthy()
    record("load_test", {"sessions": sessions, "server_peak_rss_mb": round(memory.peak / 2**20)})
    for pg in pages:
        pg.context.close()


def test_a_second_sessions_fit_queues_visibly_behind_a_grid_and_then_runs(browser):
    """With a budget that holds one session's grid of tissue-model fits but not one more fit, the other session waits."""
    srv = Server(env={"NEUROSEG_SERVER_MEMORY_MB": "300"})
    pages = [browser.new_context(viewport={"width": 1500, "height": 1400}).new_page() for _ in range(2)]
    try:
        grid, single = pages
        grid.goto(f"{srv.url}/compare?dataset=phantom&scope=volume&bias=on&kmin=2&kmax=4&seeds=2")
        expect(grid.get_by_text("mixtures", exact=False).first).to_be_visible(timeout=120_000)  # the grid is running
        single.goto(f"{srv.url}/segment?dataset=phantom&scope=volume&bias=on")
        expect(single.get_by_text("Queued behind another session's work (1 ahead)")).to_be_visible(timeout=60_000)
        shoot(single, "18_segment_queued")
        expect(single.get_by_text("Voxels labelled")).to_be_visible(timeout=300_000)
        expect(single.get_by_text("Queued behind another session's work")).to_have_count(0)
        settle(grid, timeout=300_000)
        expect(grid.get_by_text("Every fit", exact=True)).to_be_visible()
        for pg in pages:
            no_exceptions(pg)
    finally:
        for pg in pages:
            pg.context.close()
        srv.stop()


def view3d_ready(page: Page):
    """The 3-D view's frame once its canvas has drawn the current volumes (DESIGN 3.15's contract)."""
    frame = page.frame_locator('iframe[title="3-D view"]')
    expect(frame.locator('canvas[data-ready="1"]')).to_have_count(1, timeout=60_000)
    return frame


def niivue(page: Page, expression: str):
    """Evaluate ``expression`` inside the 3-D view's page (where ``nv`` is its NiiVue)."""
    return next(f for f in page.frames if "/component/3-D%20view/" in f.url).evaluate(expression)


def test_segment_in_3d_shows_the_labels_cuts_and_shares_the_crosshair_both_ways(server, page):
    volumes = []
    page.on("request", lambda r: volumes.append(r.url) if "/media/" in r.url and r.url.endswith(".gz") else None)
    page.goto(f"{server.url}/segment?view=3d&scope=volume&voxel=49,58,47")
    settle(page)
    view3d_ready(page)
    assert len(volumes) == 2  # the image and the labels, once
    assert niivue(page, "nv.volumes.length") == 2
    colours = niivue(page, "Array.from(nv.volumes[1].colormapLabel.lut.slice(4, 16))")
    assert colours == [0x56, 0xB4, 0xE9, 255, 0x99, 0x4F, 0x00, 255, 0xE1, 0xBE, 0x6A, 255]  # CSF, GM, WM
    assert niivue(page, "Array.from(nv.frac2mm(nv.scene.crosshairPos)).slice(0, 3).map(Math.round)") == [0, -18, 22]
    no_exceptions(page)
    shoot(page, "19_segment_3d")

    box = page.locator('iframe[title="3-D view"]').bounding_box()  # the coronal tile, top left of the grid
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    expect(page).to_have_url(re.compile(r"voxel=(?!49%2C58%2C47)"), timeout=30_000)
    settle(page)
    voxel = [int(v) for v in page.url.split("voxel=")[1].split("&")[0].split("%2C")]
    expect(page.get_by_test_id("stTable").first).to_contain_text(", ".join(map(str, voxel)))
    slider = page.get_by_role("slider", name=re.compile("Slice \\(axial\\)"))  # the crosshair moved elsewhere ...
    slider.press("ArrowRight")
    settle(page)
    reading = page.get_by_test_id("stTable").first
    expect(reading).not_to_contain_text(", ".join(map(str, voxel)))
    view3d_ready(page)
    world = re.search(r"mm(-?[\d.]+), (-?[\d.]+), (-?[\d.]+)", reading.inner_text().replace("\n", "").replace("\t", ""))
    mm = niivue(page, "Array.from(nv.frac2mm(nv.scene.crosshairPos)).slice(0, 3)")
    assert [round(v) for v in mm] == [round(float(v)) for v in world.groups()]  # ... shows in 3-D
    assert len(volumes) == 2  # neither the click nor the slider sent a volume again
    page.get_by_text("planes", exact=True).click()  # and the planes share the crosshair
    settle(page)
    expect(page.get_by_role("slider", name=re.compile("Sagittal plane"))).to_have_value(str(voxel[0]))
    page.get_by_text("3d", exact=True).click()
    settle(page)
    view3d_ready(page)
    volumes.clear()

    page.get_by_text("3-D alone").click()
    settle(page)
    page.locator("[data-testid=stSelectbox]").filter(has_text="Cut into").click()
    page.get_by_role("option", name="the left").click()
    settle(page)
    view3d_ready(page)
    assert niivue(page, "nv.scene.clipPlaneDepthAziElevs[0]") == [0, 270, 0]
    page.wait_for_timeout(800)
    shoot(page, "20_segment_3d_cut")
    page.get_by_role("button", name="2 GM").click()  # hide grey matter
    settle(page)
    view3d_ready(page)
    assert niivue(page, "nv.volumes[1].colormapLabel.lut[11]") == 0
    page.wait_for_timeout(800)
    no_exceptions(page)
    shoot(page, "20_segment_3d_cut_no_gm")
    assert volumes == []  # cutting and hiding labels sent no volume


def test_slices_in_3d_and_the_one_channel_histogram_with_its_gaussians(server, page):
    page.goto(f"{server.url}/slices?dataset=mni152&view=3d")
    settle(page)
    view3d_ready(page)
    assert niivue(page, "nv.volumes.length") == 1
    no_exceptions(page)
    shoot(page, "21_slices_3d")

    page.goto(f"{server.url}/segment?dataset=mni152&scope=volume")
    settle(page)
    figure = page.locator(".js-plotly-plot").filter(has_text="clusters on the histogram of T1")
    expect(figure).to_contain_text("sum of the Gaussians")
    expect(figure).to_contain_text("GM")
    figure.scroll_into_view_if_needed()
    no_exceptions(page)
    shoot(page, "22_segment_one_channel_histogram")


def test_a_zipped_dicom_study_in_the_browser_and_nothing_identifying_anywhere(browser, tmp_path, sample):
    from neuroseg.testing.dicom import PLANTED_TEXTS, study_zip

    stack, _ = sample
    study = tmp_path / "study.zip"
    study.write_bytes(study_zip([(stack.channels[0], stack.affine, 3, "T1 MPRAGE", 8.0, 3.7),
                                 (stack.channels[1], stack.affine, 4, "DWI b0", 6000.0, 90.0)]))  # fmt: skip
    log = tmp_path / "server.log"
    server = Server(env={"STREAMLIT_LOGGER_LEVEL": "info"}, log=log)
    seen = []
    try:
        page = new_page(browser)
        page.goto(f"{server.url}/?dataset=upload")
        settle(page)
        upload(page, str(study))
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Series in study.zip")
        expect(sidebar).to_contain_text("Files skipped: 1 a structured report.")
        sidebar.get_by_test_id("stMultiSelect").get_by_role("combobox").click()
        page.get_by_role("option", name="series 4 (95 slices)").click()
        settle(page)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("series 4_T2w · study.zip, series 4")
        shoot(page, "23_dicom_study_channels")
        seen.append(page.inner_text("body"))
        sidebar.get_by_text("brain", exact=True).click()
        expect(main).to_contain_text("Brain extracted from study.zip, series 3", timeout=120_000)
        settle(page)
        page.get_by_test_id("stSidebarNav").get_by_text("Segment").click()
        settle(page)
        page.get_by_text("on", exact=True).first.click()  # the tissue model's bias field
        settle(page, timeout=300_000)
        expect(main).to_contain_text("the tissue model")
        expect(main).to_contain_text("Labels over series 3_T1w, axial")
        no_exceptions(page)
        shoot(page, "24_dicom_segment_tissue_model")
        with page.expect_download() as download:
            page.get_by_role("button", name="Labels (.nii.gz)").click()
        labels = Path(download.value.path()).read_bytes()
        assert nib.Nifti1Image.from_bytes(gzip.decompress(labels)).shape == (99, 117, 95)
        page.get_by_text("Reproduce in Python").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="series_3.nii.gz").click()
        converted = gzip.decompress(Path(download.value.path()).read_bytes())
        seen += [page.inner_text("body"), page.url, labels.decode("latin-1"), converted.decode("latin-1")]
    finally:
        server.stop()
    seen.append(log.read_text(errors="replace"))
    text = "\n".join(seen)
    for planted in PLANTED_TEXTS + ("DOE_JANE", "IM00"):
        assert planted not in text, planted
