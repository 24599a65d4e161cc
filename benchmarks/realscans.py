"""The tissue model on real scans with manual labels: IBSR18 (``../shared/data/ibsr18``) beside the lesson's mixture.

Each scan found there is segmented through ``segment`` (k = 3, seed 0, the
lesson's mask: the scans are skull-stripped) with the plain mixture and with
each configuration of the tissue model, and scored by Dice against its manual
CSF, GM and WM labels. IBSR labels sulcal CSF as GM, so CSF and GM Dice are
partly a convention; WM is not. ANTs Atropos (antspyx, in
``benchmarks/requirements.txt``) runs beside them where it is installed.

The IBSR data are provided by the Center for Morphometric Analysis at
Massachusetts General Hospital; figures may be quoted, the images never shipped.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from benchmarks.common import main, table
from neuroseg.testing import ROOT

IBSR = ROOT.parent / "shared" / "data" / "ibsr18"
CONFIGS = {
    "the lesson's mixture (`segment -k 3`)": {},
    "`--mrf`": {"mrf": 15.0},
    "`--bias-correct`": {"bias_correct": True},
    "`--bias-correct --mrf`": {"bias_correct": True, "mrf": 15.0},
}


def scans() -> list[Path]:
    return sorted(p for p in IBSR.glob("IBSR_*") if (p / f"{p.name}_seg.nii.gz").exists())


def manual_labels(folder: Path) -> np.ndarray:
    """The scan's manual labels (0 background, 1 CSF, 2 GM, 3 WM) on its 3-D grid."""
    import nibabel as nib

    return np.squeeze(np.asarray(nib.load(folder / f"{folder.name}_seg.nii.gz").dataobj))


def tissue_dice(labels: np.ndarray, truth: np.ndarray) -> list[float]:
    """CSF, GM and WM Dice of ``labels`` against ``truth`` (the same numbering)."""
    return [dice(labels == c, truth == c) for c in (1, 2, 3)]


def score(folder: Path, fit: dict) -> tuple[list[float], float]:
    """CSF, GM and WM Dice of one configuration on one scan, and its time."""
    from neuroseg.analysis.pipeline import RunOptions, segment_paths
    from neuroseg.models import FitOptions

    truth = manual_labels(folder)
    start = time.perf_counter()
    seg, _ = segment_paths([folder / f"{folder.name}.nii.gz"], RunOptions(k=3, seed=0, fit=FitOptions(**fit)), ["T1w"])
    took = time.perf_counter() - start
    return tissue_dice(np.squeeze(seg.label_volume()), truth), took


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * np.sum(a & b) / max(1, a.sum() + b.sum()))


def ceiling(folder: Path) -> list[float]:
    """CSF, GM and WM Dice of the two intensity thresholds that, chosen with the manual labels, score best on GM + WM.

    No method that labels a voxel by its intensity alone can beat this on the
    scan; the tissue model can, with its field and spatial prior. Counted per
    intensity value (the scans hold integers), so every pair of cuts is tried.
    """
    import nibabel as nib

    volume = np.squeeze(np.asarray(nib.load(folder / f"{folder.name}.nii.gz").dataobj)).astype(np.int64)
    truth = manual_labels(folder)
    mask = volume > 0
    values, labels = volume[mask], truth[mask]
    counts = np.stack([np.bincount(values[labels == c], minlength=values.max() + 1) for c in range(4)])
    below = np.cumsum(counts, axis=1)  # voxels of each truth class at or below each value
    total, sizes = below[:, -1], counts.sum(axis=1)
    low, high = np.meshgrid(np.arange(values.max() + 1), np.arange(values.max() + 1), indexing="ij")
    ok = low < high
    csf_tp, gm_tp = below[1][low], below[2][high] - below[2][low]
    wm_tp = total[3] - below[3][high]
    csf_n, wm_n = below[:, low].sum(axis=0), (total[:, None, None] - below[:, high]).sum(axis=0)
    gm_n = sizes.sum() - csf_n - wm_n
    scores = [2 * tp / np.maximum(n + sizes[c], 1) for tp, n, c in ((csf_tp, csf_n, 1), (gm_tp, gm_n, 2), (wm_tp, wm_n, 3))]
    best = np.unravel_index(np.argmax(np.where(ok, scores[1] + scores[2], -1)), ok.shape)
    return [float(d[best]) for d in scores]


def ants_atropos(folder: Path, mrf: str) -> tuple[list[float], float] | None:
    """ANTs Atropos with k-means start and the given MRF (after N4), where antspyx is installed."""
    try:
        import ants
    except ImportError:
        return None
    truth = manual_labels(folder)
    start = time.perf_counter()
    image = ants.image_read(str(folder / f"{folder.name}.nii.gz"))
    image = ants.n4_bias_field_correction(image)
    mask = ants.get_mask(image, low_thresh=1e-6, cleanup=0)
    labels = np.squeeze(ants.atropos(a=image, x=mask, i="kmeans[3]", m=mrf, c="[5,0]")["segmentation"].numpy())
    return tissue_dice(labels, truth), time.perf_counter() - start


def run(quick: bool) -> str:
    folders = scans()[:3] if quick else scans()
    if not folders:
        return f"No IBSR scans under {IBSR}."
    rows, per_scan = [], []
    for name, fit in CONFIGS.items():
        results = [score(folder, fit) for folder in folders]
        dices = np.array([r[0] for r in results])
        rows.append([name, *(f"{v:.3f}" for v in dices.mean(axis=0)), f"{dices[:, 2].min():.3f}",
                     f"{np.mean([r[1] for r in results]):.1f} s"])  # fmt: skip
        per_scan.append((name, dices))
    atropos = [ants_atropos(folder, "[0.2,1x1x1]") for folder in folders]
    if all(a is not None for a in atropos):
        dices = np.array([a[0] for a in atropos])
        rows.append(["ANTs N4 + Atropos (MRF 0.2)", *(f"{v:.3f}" for v in dices.mean(axis=0)), f"{dices[:, 2].min():.3f}",
                     f"{np.mean([a[1] for a in atropos]):.1f} s"])  # fmt: skip
    bound = np.array([ceiling(folder) for folder in folders])
    rows.append(["best two thresholds, chosen with the labels (intensity alone)", *(f"{v:.3f}" for v in bound.mean(axis=0)),
                 f"{bound[:, 2].min():.3f}", "-"])  # fmt: skip
    plain = per_scan[0][1]
    worse = [[name, *(f"{(d[:, j] - plain[:, j]).min():+.3f}" for j in (1, 2)),
              f"{int(np.sum(d[:, 2] < plain[:, 2] - 0.01))} of {len(folders)}"] for name, d in per_scan[1:]]  # fmt: skip
    return "\n".join([
        table(f"Mean Dice against IBSR18's manual labels, {len(folders)} scans ({', '.join(f.name for f in folders)}); "
              "k = 3, seed 0, the lesson's mask", ["method", "CSF", "GM", "WM", "worst WM", "time per scan"], rows),
        table("Against the lesson's mixture on the same scan: the largest drop in Dice (negative = worse)",
              ["method", "GM, worst scan", "WM, worst scan", "scans with WM > 0.01 below"], worse),
        table(f"Per scan, GM / WM: the lesson's mixture, {per_scan[-1][0]}, the best two thresholds",
              ["scan", "mixture", "tissue model", "thresholds"],
              [[folder.name, *(f"{d[i, 1]:.3f} / {d[i, 2]:.3f}" for d in (plain, per_scan[-1][1], bound))]
               for i, folder in enumerate(folders)]),
    ])  # fmt: skip


if __name__ == "__main__":
    main("realscans", run)
