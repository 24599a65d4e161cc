"""Brain extraction on Colin27 moved out of MNI space: Dice against its BET brain, time and peak memory per cube size.

Each extraction runs in a child process of its own that loads the head from
a NIfTI file, so its peak resident memory is that of a run on the command
line: the head, onnxruntime and the networks' activations. The
time of one scikit-learn ``GaussianMixture(3)`` fit on the BET brain's voxels
is measured in the same run (issue 19: extraction in at most 3x that).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from benchmarks.common import main, s, table
from neuroseg.testing import ROOT

POSES = {
    "1 mm LPS, tilted, shifted, int16": dict(tilt=(12, -8, 15), shift=(20, -35, 40), axcodes="LPS", noise=0.03, bias=0.3),
    "1.3 mm PIR, float32": dict(tilt=(-10, 5, 20), shift=(-15, 10, -25), zooms=(1.3, 1.3, 1.3), axcodes="PIR",
                                noise=0.03, bias=0.3, dtype="float32"),
}  # fmt: skip
SIZES = (128, 160, 192, 224, 256)

CHILD = """
import json, sys, time
import nibabel as nib
import numpy as np
from neuroseg.models.brain import extract_brain
image = nib.load(sys.argv[1])
start = time.perf_counter()
mask = extract_brain(image.get_fdata(), image.affine, int(sys.argv[2])).mask
seconds = time.perf_counter() - start
np.save(sys.argv[3], mask)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))  # this process's own
print(json.dumps(dict(seconds=seconds, peak_mb=peak / 1024)))
"""


def child(path: Path, size: int, out: Path) -> dict:
    """Load the head and extract its brain in a process of its own: time and that process's peak memory."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(size), str(out)], cwd=ROOT, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def gmm_seconds() -> float:
    """One GaussianMixture(3) fit on the BET brain's voxels of the first pose (one BLAS thread, as neuroseg fits)."""
    from neuroseg.testing.heads import moved_head

    head = moved_head(**POSES["1 mm LPS, tilted, shifted, int16"])
    X = head.data[head.brain][:, None]
    with threadpool_limits(1):
        start = time.perf_counter()
        GaussianMixture(3, random_state=12345).fit_predict(X)
        return time.perf_counter() - start


def run(quick: bool) -> str:
    from neuroseg.testing.heads import brain_scores, moved_head

    fit = gmm_seconds()
    rows = []
    folder = Path(tempfile.mkdtemp())
    for name, pose in POSES.items():
        head = moved_head(**{**pose, "dtype": getattr(np, pose.get("dtype", "int16"))})
        path = folder / "head.nii.gz"
        nib.save(head.image, path)
        for size in SIZES[2:3] if quick else SIZES:
            r = child(path, size, folder / "mask.npy")
            r |= brain_scores(np.load(folder / "mask.npy"), head.brain, head.image.header.get_zooms()[:3]).__dict__
            rows.append([name, f"{size}^3", f"{r['dice']:.4f}", f"{r['core_kept']:.4f}", f"{r['beyond'] * 100:.2f} %",
                         f"{r['volume_ratio']:.3f}", s(r["seconds"]), f"{r['seconds'] / fit:.1f}x", f"{r['peak_mb']:.0f} MB"])  # fmt: skip
    return table(
        f"Brain extraction (deepbet's networks, onnxruntime) against Colin27's BET brain; one GaussianMixture(3) "
        f"fit on the brain's voxels: {s(fit)}",
        ["head", "cube", "Dice", "core kept (3 mm)", "beyond BET + 4 mm", "volume / BET", "time", "x one GMM fit",
         "peak memory (process)"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main("brain", run)
