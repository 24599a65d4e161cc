"""The command line as a user runs it (whole processes): start-up, and the compare grid on float data against a naive script.

The data is the 1.5 mm two-channel phantom dithered to float32 (every voxel a
distinct value pair, as a scanner's float export is), so fast mode's
histogram is lossy: the case where fast mode has to earn its agreement with
the exact fit. The naive script is what a user would write: nibabel, the
lesson's mask, one ``GaussianMixture(k, random_state=seed).fit_predict`` per
cell of the grid.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

from benchmarks.common import ensure_phantom, main, s, table, timed
from neuroseg.testing import ROOT

NAIVE = """
import sys, nibabel as nib, numpy as np
from sklearn.mixture import GaussianMixture
a, b = (nib.load(f).get_fdata() for f in sys.argv[1:3])
mask = (a > 0) & (b > 0)
X = np.column_stack([a[mask], b[mask]])
for k in range(2, 9):
    for seed in range(12345, 12350):
        model = GaussianMixture(k, random_state=seed)
        labels = model.fit_predict(X)
        print(k, seed, model.bic(X), model.aic(X))
"""


def float_phantom(folder: Path) -> list[Path]:
    """The 1.5 mm phantom's two channels plus uniform dither of one intensity step, as float32 NIfTI files."""
    rng = np.random.default_rng(0)
    paths = []
    for name in ("phantom_t1w.nii.gz", "phantom_b0.nii.gz"):
        image = nib.load(ensure_phantom(1.5) / name)
        data = image.get_fdata()
        dithered = np.where(data > 0, data + rng.uniform(-0.5, 0.5, data.shape), 0).astype(np.float32)
        path = folder / name.replace(".nii.gz", "_float.nii.gz")
        nib.save(nib.Nifti1Image(dithered, image.affine), path)
        paths.append(path)
    return paths


def command(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def run(quick: bool) -> str:
    with tempfile.TemporaryDirectory() as folder:
        t1, b0 = float_phantom(Path(folder))
        info, _, n_info = timed(lambda: command("-m", "neuroseg", "info", str(t1)), 5)
        bare, _, _ = timed(lambda: command("-c", "import numpy, nibabel"), 5)
        out = str(Path(folder) / "grid.csv")
        grid, _, n_grid = timed(lambda: command("-m", "neuroseg", "compare", str(t1), str(b0), "-o", out, "--jobs", "2"), 3)
        if quick:
            naive_text, ratio = "not run (--quick)", "-"
        else:
            naive, _, _ = timed(lambda: command("-c", NAIVE, str(t1), str(b0)), 1)
            naive_text, ratio = s(naive), f"1/{naive / grid:.1f}"
    rows = [
        ["`python -m neuroseg info` (start-up)", f"{s(info)} (median of {n_info})", f"`python -c 'import numpy, nibabel'`: {s(bare)}"],
        ["`compare` k 2..8 x 5 seeds, whole volume, `--jobs 2`", f"{s(grid)} (median of {n_grid})", f"naive script {naive_text}: {ratio}"],
    ]
    return table("Whole commands on the float 1.5 mm phantom (two channels, every voxel distinct)",
                 ["command", "time", "against"], rows)  # fmt: skip


if __name__ == "__main__":
    main("cli", run)
