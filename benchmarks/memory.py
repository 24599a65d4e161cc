"""Memory of one and of several concurrent sessions, on a real server driven by Playwright."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import ensure_1mm, main, s, table


def walk_all_pages(pages, url: str) -> None:
    from neuroseg.testing.browser import settle

    for page in pages:
        page.goto(url)
    for page in pages:
        settle(page)
    for title in ("Slices & histograms", "Joint intensities", "Segment", "Compare k × seeds"):
        for page in pages:
            page.locator("[data-testid=stSidebarNav]").get_by_text(title).click()
        for page in pages:
            settle(page)


def segment_heads(pages, url: str, head: Path) -> list[str]:
    """Each session uploads the 1 mm head, extracts its brain and runs the tissue model on the whole volume."""
    from neuroseg.testing.browser import UPLOADER, settle

    for page in pages:
        page.goto(f"{url}/segment?dataset=upload&mask=brain&scope=volume&bias=on&mrf=15")
    for page in pages:
        settle(page)
    for page in pages:  # all at once
        page.locator(UPLOADER).first.set_input_files([str(head)], timeout=600_000)
    shown = []
    for page in pages:
        metric = page.locator("[data-testid=stMetric]").filter(has_text="Voxels labelled")
        shown.append(metric.locator("[data-testid=stMetricValue]").inner_text(timeout=600_000))
    return shown


def run(quick: bool) -> str:
    import tempfile

    from playwright.sync_api import sync_playwright

    from neuroseg.testing.browser import CHROMIUM, CHROMIUM_ARGS, PeakMemory, Server, new_page, upload_and_segment

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for sessions in (1, 5):
            server = Server(env={"NEUROSEG_DATA_DIR": str(ensure_1mm())})
            idle = server.rss()
            pages = [new_page(browser, 1000) for _ in range(sessions)]
            with PeakMemory(server.process.pid) as memory:
                start = time.perf_counter()
                walk_all_pages(pages, server.url)
                took = time.perf_counter() - start
            rows.append([f"{sessions} walking all pages, 1 mm sample", f"{idle / 2**20:.0f} MB", f"{memory.peak / 2**20:.0f} MB",
                         s(took), "yes" if server.healthy() else "NO"])  # fmt: skip
            for page in pages:
                page.context.close()
            server.stop()
        with tempfile.TemporaryDirectory() as folder:
            import nibabel as nib

            from neuroseg.testing.heads import moved_head

            head = Path(folder) / "head_T1w.nii.gz"
            nib.save(moved_head(tilt=(12, -8, 15), shift=(20, -35, 40), axcodes="LPS", noise=0.03, bias=0.3).image, head)
            for sessions in (1, 3):
                server = Server()
                idle = server.rss()
                pages = [new_page(browser, 1000) for _ in range(sessions)]
                with PeakMemory(server.process.pid) as memory:
                    start = time.perf_counter()
                    shown = segment_heads(pages, server.url, head)
                    took = time.perf_counter() - start
                rows.append([f"{sessions} uploading the 1 mm head (mask=brain, tissue model on the volume; labelled "
                             f"{', '.join(shown)})", f"{idle / 2**20:.0f} MB", f"{memory.peak / 2**20:.0f} MB", s(took),
                             "yes" if server.healthy() else "NO"])  # fmt: skip
                for page in pages:
                    page.context.close()
                server.stop()
        server = Server()
        pages = [new_page(browser, 1000) for _ in range(5)]
        with PeakMemory(server.process.pid) as memory, tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            outcomes = upload_and_segment(pages, server.url, Path(folder))
            took = time.perf_counter() - start
        correct = sum(shown == f"{expected:,}" for expected, shown in outcomes)
        rows.append([f"5 uploading two files each and segmenting ({correct}/5 correct)", "-", f"{memory.peak / 2**20:.0f} MB",
                     s(took), "yes" if server.healthy() else "NO"])  # fmt: skip
        server.stop()
        browser.close()
    return table(
        "Server memory (peak resident set size of the streamlit process)",
        ["sessions at once", "server idle", "peak", "wall time", "server up after"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main("memory", run)
