"""Reading a 1 mm, 176-slice DICOM series from a zip, against nibabel reading the same volume as NIfTI.

The series is written from the 1 mm phantom's T1 (176 axial slices of
197 x 233, int16, one file per slice, zipped) by ``neuroseg.testing.dicom``;
the NIfTI is the same voxels and affine as ``.nii.gz``. Each route runs in a
child process so that its peak resident memory is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np

from benchmarks.common import ensure_1mm, main, table
from neuroseg.testing import ROOT

SLICES = 176


def make_inputs(folder: Path) -> tuple[Path, Path]:
    from neuroseg.core.samples import load_sample
    from neuroseg.testing.dicom import series_files

    stack, _ = load_sample("phantom", ensure_1mm())
    volume = stack.channels[0][:, :, :SLICES]
    zipped, nifti = folder / "t1.zip", folder / "t1.nii.gz"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in series_files(volume, stack.affine, 3, "T1 1 mm").items():
            archive.writestr(f"export/{name}", raw)
    nib.save(nib.Nifti1Image(np.round(volume).astype(np.int16), stack.affine), nifti)
    return zipped, nifti


def child(route: str, path: str) -> dict:
    """One route, timed, in this process; its peak RSS from the kernel."""
    start = time.perf_counter()
    if route == "dicom":
        from neuroseg.io.dicom import read_input
        from neuroseg.io.dicom_volume import load_series

        study = read_input(path)
        headers = time.perf_counter() - start
        image = load_series(study, 3)
    else:
        from neuroseg.io import load_path

        image = load_path(path)
        headers = 0.0
    seconds = time.perf_counter() - start
    peak = high_water_mark()
    return {"seconds": seconds, "headers": headers, "peak": peak, "shape": list(image.shape), "sum": float(image.data.sum())}


def high_water_mark() -> int:
    """This process's peak resident memory since it started (``VmHWM``; unlike ``ru_maxrss`` it does not carry the
    parent's peak across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(route: str, path: Path, repeats: int = 3) -> dict:
    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-m", "benchmarks.dicom", "--child", route, str(path)], cwd=ROOT,
                              capture_output=True, text=True, check=True)  # fmt: skip
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return best


def baseline_peak() -> int:
    """Peak RSS of a child that only imports the libraries of both routes."""
    done = subprocess.run([sys.executable, "-c", "import nibabel, numpy, pydicom, dicom2nifti, neuroseg.io.dicom; "
                           "from benchmarks.dicom import high_water_mark; print(high_water_mark())"],
                          cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout.strip())


def run(quick: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        zipped, nifti = make_inputs(Path(tmp))
        dicom, plain = measure("dicom", zipped), measure("nifti", nifti)
        sizes = zipped.stat().st_size, nifti.stat().st_size
    assert dicom["shape"] == plain["shape"] and dicom["sum"] == plain["sum"], "the two routes read different voxels"
    base = baseline_peak()
    rows = [
        ["DICOM zip, 176 files (`read_input` + `load_series`)", f"{sizes[0] / 1e6:.1f} MB",
         f"{dicom['seconds']:.2f} s (headers {dicom['headers']:.2f} s)", f"{(dicom['peak'] - base) / 1e6:.0f} MB",
         f"{dicom['seconds'] / plain['seconds']:.1f}x"],
        ["the same volume as NIfTI (`load_path`, nibabel)", f"{sizes[1] / 1e6:.1f} MB", f"{plain['seconds']:.2f} s",
         f"{(plain['peak'] - base) / 1e6:.0f} MB", "1.0x"],
    ]  # fmt: skip
    return table(
        f"Reading a 1 mm T1 of 197 x 233 x {SLICES} (median of 3 runs, each in its own process; memory above the "
        "imports' own peak)", ["input", "file", "time", "peak memory added", "time ratio"], rows,
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main("dicom", run)
