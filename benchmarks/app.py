"""What the pages send and how long their reruns take (AppTest, one child process per data folder)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ensure_1mm, main, s, table
from neuroseg.core.samples import DATA_DIR
from neuroseg.testing import ROOT

PAGES = ("data", "slices", "joint", "segment", "compare")


def app_figures(data_dir: str) -> dict:
    """In a child process with NEUROSEG_DATA_DIR set: chart bytes per page and rerun times."""
    from neuroseg.testing.apptest import open_page

    result = {"payload": {}, "slice_rerun": {}, "k_rerun": {}, "volume_k_rerun": None, "crosshair_rerun": {}}
    for page in PAGES:
        at = open_page(None if page == "data" else page)
        result["payload"][page] = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
        result["slice_rerun"][page] = median_rerun(at, lambda _: move_slice(at), (1, 2, 3))
        if page in ("slices", "segment"):  # the crosshair's sliders live in the three-view fragment
            widget = at.slider(key=f"{page}_cross_y")
            result["crosshair_rerun"][page] = median_rerun(at, widget.set_value, (40, 45, 50))
        if page in ("segment", "compare"):
            widget = at.slider(key="k") if page == "segment" else at.number_input(key="kmax")
            result["k_rerun"][page] = median_rerun(at, widget.set_value, (4, 5, 6))
    at = open_page("segment", scope="volume", mode="fast")
    result["volume_k_rerun"] = median_rerun(at, at.slider(key="k").set_value, (4, 5, 6))
    # the whole-volume grid of issue 10: cold (data already loaded), then slice moves over the cached grid
    at = open_page("compare", scope="volume", kmin=2, kmax=2, seeds=1)
    at.number_input(key="kmax").set_value(8)
    result["volume_grid_cold"] = median_rerun(at, at.number_input(key="seeds").set_value, (5,))
    result["volume_grid_slice_rerun"] = median_rerun(at, lambda _: move_slice(at), (1, 2, 3))
    return result


def median_rerun(at, change, values) -> float:
    """Median wall time of a page rerun after ``change(value)``, over ``values``."""
    times = []
    for value in values:
        change(value)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def move_slice(at) -> None:
    at.slider(key="slice").set_value(at.slider(key="slice").value + 1)


def child_app_figures(data_dir: Path) -> dict:
    env = {**os.environ, "NEUROSEG_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.app", "--app-figures", str(data_dir)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> str:
    figures = {"2 mm": child_app_figures(DATA_DIR), "1 mm": child_app_figures(ensure_1mm())}
    payload = table(
        "Chart data each page sends (bytes of Plotly JSON, default view)",
        ["page", "2 mm phantom", "1 mm phantom"],
        [[p, f"{figures['2 mm']['payload'][p] / 1e3:,.0f} kB", f"{figures['1 mm']['payload'][p] / 1e3:,.0f} kB"] for p in PAGES],
    )  # fmt: skip
    rows = []
    for p in PAGES:
        row = [p]
        for size in ("2 mm", "1 mm"):
            f = figures[size]
            row.append(f"{f['slice_rerun'][p] * 1000:.0f} ms")
            row.append(f"{f['k_rerun'][p] * 1000:.0f} ms" if p in f["k_rerun"] else "-")
        rows.append(row)
    rows.append(["segment, whole volume, fast", "-", f"{figures['2 mm']['volume_k_rerun'] * 1000:.0f} ms", "-",
                 f"{figures['1 mm']['volume_k_rerun'] * 1000:.0f} ms"])  # fmt: skip
    rows.append(["compare, whole volume, k 2..8 x 5 seeds: cold grid", "-", s(figures["2 mm"]["volume_grid_cold"]), "-",
                 s(figures["1 mm"]["volume_grid_cold"])])  # fmt: skip
    rows.append(["compare, whole volume, k 2..8 x 5 seeds: slice moved",
                 f"{figures['2 mm']['volume_grid_slice_rerun'] * 1000:.0f} ms", "-",
                 f"{figures['1 mm']['volume_grid_slice_rerun'] * 1000:.0f} ms", "-"])  # fmt: skip
    for p in ("slices", "segment"):
        rows.append([f"{p}: crosshair move (fragment)", f"{figures['2 mm']['crosshair_rerun'][p] * 1000:.0f} ms", "-",
                     f"{figures['1 mm']['crosshair_rerun'][p] * 1000:.0f} ms", "-"])  # fmt: skip
    reruns = table(
        "Server time of a page rerun (AppTest, median of 3; a new slice or k is a cold fit for that setting)",
        ["page", "2 mm: slice moved", "2 mm: k changed", "1 mm: slice moved", "1 mm: k changed"],
        rows,
    )  # fmt: skip
    return payload + "\n" + reruns


if __name__ == "__main__":
    if sys.argv[1:2] == ["--app-figures"]:  # the child process of child_app_figures
        print(json.dumps(app_figures(sys.argv[2])))
    else:
        main("app", run)
