"""A real server and browser for tests and the load benchmark (loopback only, bounded)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import psutil
from playwright.sync_api import Browser, Page

from neuroseg.testing import ROOT

CHROMIUM = os.environ.get("NEUROSEG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]  # fmt: skip
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
UPLOADER = "[data-testid=stFileUploaderDropzoneInput]:not([webkitdirectory])"
"""The file inputs of the uploaders that take files (the sidebar's images first, then the mask's), not the folder one."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``streamlit run app.py`` process on a free loopback port, healthy when constructed."""

    def __init__(self, env: dict | None = None, log: Path | None = None) -> None:
        """Start the server; ``log``, if given, receives its standard output and error (to search them)."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.address", "127.0.0.1", "--server.port", str(self.port),
                   "--browser.gatherUsageStats", "false"]  # fmt: skip
        out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 (the server outlives this call)
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out, env={**os.environ, **(env or {})})
        deadline = time.time() + 60
        while not self.healthy():
            if time.time() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("streamlit did not become healthy in 60 s")
            time.sleep(0.3)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def rss(self) -> int:
        return psutil.Process(self.process.pid).memory_info().rss

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class PeakMemory:
    """Samples a process's resident memory in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self._process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def settle(page: Page, timeout: float = 120_000) -> None:
    """Wait until the app is idle and stays idle: the run the last action started, and any run it caused, are done.

    A page can run twice for one action (a deep link first runs in the legacy
    multipage mode, then through app.py), so one idle moment is not enough.
    """
    deadline = time.monotonic() + timeout / 1000
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE, timeout=timeout)
        quiet = quiet + 1 if page.locator(IDLE).count() == 1 else 0


def upload(page: Page, *paths) -> None:
    """Drop files on the sidebar's uploader and wait for the app to take them in."""
    page.locator(UPLOADER).first.set_input_files([str(p) for p in paths])
    settle(page)


def session_files(seed: int, folder: Path) -> tuple[list[str], int]:
    """Two co-registered NIfTI files of a session's own subject, and the voxels the segment page must label.

    Sizes differ with the seed, so each session's answer is its own.
    """
    import nibabel as nib

    rng = np.random.default_rng(seed)
    shape = (20 + seed, 24, 16)
    tissue = rng.integers(0, 4, size=shape)
    t1 = (np.choose(tissue, [0, 300, 600, 900]) + rng.normal(0, 20, shape) * (tissue > 0)).astype(np.float32)
    b0 = (np.choose(tissue, [0, 900, 550, 400]) + rng.normal(0, 20, shape) * (tissue > 0)).astype(np.float32)
    paths = []
    for name, data in ((f"s{seed}_t1.nii.gz", t1), (f"s{seed}_b0.nii.gz", b0)):
        path = folder / name
        nib.save(nib.Nifti1Image(data, np.eye(4)), path)
        paths.append(str(path))
    middle = shape[2] // 2
    expected = int(((t1[:, :, middle] > 0) & (b0[:, :, middle] > 0)).sum())
    return paths, expected


def upload_and_segment(pages: list[Page], url: str, folder: Path) -> list[tuple[int, str]]:
    """Drive several sessions at once: each uploads its own pair and segments it.

    Returns, per session, the number of voxels it should label and the
    "Voxels labelled" figure its Segment page shows.
    """
    expected = []
    for page in pages:
        page.goto(f"{url}/?dataset=upload")
    for seed, page in enumerate(pages):
        settle(page)
        files, count = session_files(seed, folder)
        expected.append(count)
        page.locator(UPLOADER).first.set_input_files(files)  # all sessions at once
    for page in pages:
        settle(page)
        page.locator("[data-testid=stSidebarNav]").get_by_text("Segment").click()
    shown = []
    for page in pages:
        settle(page)
        metric = page.locator("[data-testid=stMetric]").filter(has_text="Voxels labelled")
        shown.append(metric.locator("[data-testid=stMetricValue]").inner_text(timeout=60_000))
    return list(zip(expected, shown))


def new_page(browser: Browser, height: int = 2000) -> Page:
    return browser.new_context(viewport={"width": 1500, "height": height}).new_page()
