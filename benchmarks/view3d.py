"""The 3-D view (DESIGN 3.15): bytes to the browser, time to its first frame with labels, server time per rerun.

Against ``streamlit run`` with the 1 mm phantom as the sample (a 1 mm brain,
1.9 M voxels in its mask) and Debian's chromium rendering WebGL in software
(SwiftShader), as the browser tests do; the rerun times come from AppTest in
a child process, the whole-head file sizes from Colin27 (mricron-data).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import nibabel as nib
import numpy as np

from benchmarks.common import ensure_1mm, main, table
from neuroseg.testing import ROOT
from neuroseg.viz.rasters import default_window
from neuroseg.viz.volume3d import display_volume

VOLUMES = ("/media/", ".gz")


def browser_figures(data_dir) -> dict:
    """Time from a settled Segment page to the first 3-D frame with labels, and what travelled."""
    from playwright.sync_api import sync_playwright

    from neuroseg.testing.browser import CHROMIUM, CHROMIUM_ARGS, PeakMemory, Server, new_page, settle

    server = Server(env={"NEUROSEG_DATA_DIR": str(data_dir)})
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as p, PeakMemory(server.process.pid) as memory:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = new_page(browser)
            page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if _is_volume(r.url) else None)
            page.goto(f"{server.url}/segment?scope=volume")  # the fit first, in the planes
            settle(page, timeout=600_000)
            mounted = []
            page.on("request", lambda r: mounted.append(time.perf_counter()) if "/index.html" in r.url else None)
            clicked = time.perf_counter()
            page.get_by_text("3d", exact=True).click()
            frame = page.frame_locator('iframe[title="3-D view"]')
            frame.locator('canvas[data-ready="1"]').wait_for(timeout=120_000)
            ran, ready = mounted[0] - clicked, time.perf_counter() - mounted[0]
            settle(page)
            first = dict(sizes)
            box = page.locator('iframe[title="3-D view"]').bounding_box()
            for x in (0.25, 0.3, 0.35):  # three clicks in the coronal tile move the crosshair
                page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * 0.2)
                page.wait_for_timeout(500)
                settle(page)
            browser.close()
    finally:
        server.stop()
    return {"ran": ran, "ready": ready, "first": first, "after_clicks": len(sizes) - len(first), "peak": memory.peak}


def _is_volume(url: str) -> bool:
    return VOLUMES[0] in url and url.endswith(VOLUMES[1])


def rerun_figures() -> dict:
    """In a child process with the 1 mm sample: median server time of a cached Segment rerun, planes and 3-D."""
    from neuroseg.testing.apptest import open_page

    result = {}
    for view in ("planes", "3d"):
        at = open_page("segment", scope="volume", view=view)
        times = []
        for opacity in (0.5, 0.55, 0.6, 0.65, 0.7):
            at.slider(key="opacity").set_value(opacity)
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        result[view] = statistics.median(times)
    return result


def colin27_sizes() -> dict:
    """What the Slices page would send for a real 1 mm whole head (its default window), and for its brain alone."""
    from neuroseg.testing.heads import BRAIN, HEAD

    head = nib.load(HEAD)
    data = np.asarray(head.dataobj, dtype=np.float32)
    window = default_window(data[::2, ::2, ::2])
    brain = np.asarray(nib.load(BRAIN).dataobj) > 0
    start = time.perf_counter()
    whole = display_volume(data, head.affine, *window)
    seconds = time.perf_counter() - start
    return {"head": len(whole), "brain": len(display_volume(data, head.affine, *window, keep=brain)), "seconds": seconds}


def installed(package: str) -> int:
    """Bytes a package takes on disk once installed."""
    from importlib.metadata import files

    return sum(f.locate().stat().st_size for f in files(package) if f.locate().exists())


def run(quick: bool) -> str:
    data_dir = ensure_1mm()
    shown = browser_figures(data_dir)
    env = {**os.environ, "NEUROSEG_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.view3d", "--reruns"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    reruns = json.loads(done.stdout.strip().splitlines()[-1])
    colin = colin27_sizes()
    files = sorted(shown["first"].values(), reverse=True)
    rows = [
        ["1 mm phantom brain (Segment, whole volume): image + labels", " + ".join(f"{b / 1e6:.2f} MB" for b in files),
         f"{sum(files) / 1e6:.2f} MB", "≤ 2.5 MB"],
        ["Colin27 whole head, 1 mm (Slices, default window)", "-", f"{colin['head'] / 1e6:.2f} MB", "-"],
        ["Colin27, its BET brain only", "-", f"{colin['brain'] / 1e6:.2f} MB", "-"],
    ]  # fmt: skip
    sizes = table("Volume data sent to the browser", ["view", "files", "total", "target"], rows)
    timing = table(
        "Time and reruns (1 mm phantom; chromium with SwiftShader, software WebGL)",
        ["what", "measured", "target"],
        [
            ["click on 3d to the page drawn (rerun, files made, the view's frame requested)", f"{shown['ran']:.2f} s",
             "-"],
            ["then to the first 3-D frame with labels (NiiVue started, both volumes drawn)", f"{shown['ready']:.2f} s",
             "≤ 5 s"],
            ["volumes sent again by three clicks that moved the crosshair", str(shown["after_clicks"]), "0"],
            ["server time of a cached Segment rerun, three planes", f"{reruns['planes'] * 1000:.0f} ms", "-"],
            ["server time of a cached Segment rerun, 3-D view", f"{reruns['3d'] * 1000:.0f} ms", "-"],
            ["time the 3-D view adds to a cached rerun (3-D minus planes; it replaces the planes' pictures)",
             f"{(reruns['3d'] - reruns['planes']) * 1000:+.0f} ms", "≤ 50 ms"],
            ["making the whole head's file once (window, gzip)", f"{colin['seconds']:.2f} s", "-"],
            ["server's peak memory, one session: 1 mm fit, planes, then 3-D", f"{shown['peak'] / 1e9:.2f} GB", "≤ 1.5 GB"],
            ["install size the view adds: nilearn (its other requirements are the app's already)",
             f"{installed('nilearn') / 1e6:.0f} MB", "-"],
        ],
    )  # fmt: skip
    return sizes + "\n" + timing


if __name__ == "__main__":
    if sys.argv[1:2] == ["--reruns"]:
        print(json.dumps(rerun_figures()))
    else:
        main("view3d", run)
