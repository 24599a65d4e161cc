"""One server, many visitors: three sessions doing the heaviest clickable work on a 1 mm head while a fourth browses.

Each heavy session uploads a 1 mm whole head (Colin27 moved out of MNI space)
and runs the tissue model (bias field on) on the whole volume, under the
default mask (the whole head: refused by the memory gate as over the budget)
and under the brain mask (admitted, queued when the budget is taken). A
fourth session opens the Slices page of the bundled phantom meanwhile.
Printed: the server's peak resident memory, each heavy session's time to its
map or its message, and the light session's page time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import main, s, table

HEAVY = 3


def scenario(browser, head: Path, mask: str, heavy: int) -> list[str]:
    """``heavy`` sessions upload the head at once while one more opens the Slices page; one row of the table."""
    from neuroseg.testing.browser import UPLOADER, PeakMemory, Server, new_page, settle

    server = Server()
    pages = [new_page(browser, 1000) for _ in range(heavy + 1)]
    with PeakMemory(server.process.pid) as memory:
        # Playwright's pages belong to this thread: start every upload, then wait for each in turn
        for page in pages[:heavy]:
            page.goto(f"{server.url}/segment?dataset=upload&mask={mask}&scope=volume&bias=on")
        for page in pages[:heavy]:
            settle(page)
        for page in pages[:heavy]:
            page.locator(UPLOADER).first.set_input_files([str(head)])
        uploaded = time.perf_counter()
        light = pages[heavy]
        light.goto(f"{server.url}/slices?dataset=phantom")
        settle(light, timeout=300_000)
        light_time = time.perf_counter() - uploaded
        outcomes = []
        for page in pages[:heavy]:
            error = page.locator("[data-testid=stAlertContentError]")
            page.locator("[data-testid=stMetric]").filter(has_text="Voxels labelled").or_(error).first.wait_for(
                timeout=900_000
            )
            said = (error.first.inner_text()[:70] + "…") if error.count() else "its map"
            outcomes.append(f"{s(time.perf_counter() - uploaded)}: {said}")
    healthy = server.healthy()
    for page in pages:
        page.context.close()
    server.stop()
    return [f"{heavy} x `mask={mask}`", f"{memory.peak / 2**20:,.0f} MiB", "; ".join(outcomes), s(light_time),
            "yes" if healthy else "NO"]  # fmt: skip


def run(quick: bool) -> str:
    import nibabel as nib
    from playwright.sync_api import sync_playwright

    from neuroseg.testing.browser import CHROMIUM, CHROMIUM_ARGS
    from neuroseg.testing.heads import moved_head

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        head = Path(folder) / "head_T1w.nii.gz"
        nib.save(moved_head(tilt=(12, -8, 15), shift=(20, -35, 40), axcodes="LPS", noise=0.03, bias=0.3).image, head)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rows = [scenario(browser, head, mask, heavy) for mask, heavy in (("lesson", HEAVY), ("brain", 1), ("brain", HEAVY))]
        browser.close()
    return table(
        "Sessions upload a 1 mm head at once and run the tissue model (bias field) on the whole volume while one more "
        "opens the Slices page (default budget: NEUROSEG_SERVER_MEMORY_MB unset, 2,000 MB)",
        ["heavy sessions", "server peak", "each heavy session: time from upload to its outcome",
         "light session's Slices page", "server up after"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main("load", run)
