"""The tissue model's Dice on phantoms whose truth is known, against the plain mixture, and its cost."""

from __future__ import annotations

import numpy as np
from sklearn.mixture import GaussianMixture

from benchmarks.common import ensure_1mm, main, s, table, timed
from neuroseg.analysis.metrics import dice_per_tissue
from neuroseg.core.features import Scope, labels_to_image, make_features
from neuroseg.core.masks import resolve_mask
from neuroseg.core.samples import load_sample, load_sample_mask
from neuroseg.core.stack import with_mask
from neuroseg.models import FitData, FitOptions, fit
from neuroseg.models.options import DEFAULT_BETA
from neuroseg.models.tissue import fit_tissue_model

TISSUES = ("CSF", "GM", "WM")


FULL_NAME, FULL_MODEL = "full model (bias + prior + PV)", dict(bias_correct=True, beta=DEFAULT_BETA)


PARTS = [
    ("plain GaussianMixture(3), exact", None),
    ("+ partial volume", dict()),
    ("+ partial volume + bias field", dict(bias_correct=True)),
    ("+ partial volume + spatial prior", dict(beta=DEFAULT_BETA)),
    (FULL_NAME, FULL_MODEL),
    ("bias + prior, no partial volume", dict(bias_correct=True, beta=DEFAULT_BETA, partial_volume=False)),
]


def tissue_phantom(spacing, noise, bias, seed, las=False, crisp=False):
    from neuroseg.testing.phantoms import make_phantom

    fields = []
    t1, t2, truth, _ = make_phantom(spacing, noise, bias, seed, las, fields=fields, crisp=crisp)
    mask = (t1 > 0) & (t2 > 0)
    return np.column_stack([t1[mask], t2[mask]]).astype(np.float64), mask, truth, fields


def tissue_dice(truth, mask, labels) -> list[float]:
    image = labels_to_image(labels, mask)
    return dice_per_tissue(truth, image, TISSUES)["dice"].tolist()


def tissue_labels(X, mask, spacing, **options) -> np.ndarray:
    return fit_tissue_model(X, mask, 3, 12345, spacing=(spacing,) * 3, **options).labels


PHANTOMS = [  # name, noise, bias, seed, stored LAS
    ("9 % noise, strong bias (0.4)", 0.09, 0.4, 1, False), ("9 % noise, strong bias, LAS", 0.09, 0.4, 2, True),
    ("9 % noise, strong bias, seed 5", 0.09, 0.4, 5, False),
    ("4 % noise, milder bias (0.2)", 0.04, 0.2, 3, False), ("4 % noise, milder bias, LAS", 0.04, 0.2, 4, True),
]  # fmt: skip


BETAS = (0.0, 5.0, 10.0, 15.0, 20.0, 30.0)


def run(quick: bool) -> str:
    out, rows = [], []
    for name, noise, bias, seed, las in PHANTOMS[: 2 if quick else None]:
        X, mask, truth, _ = tissue_phantom(1.5, noise, bias, seed, las)
        naive, plain, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(X), 1)
        for part, options in PARTS:
            if options is None:
                labels = fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels
                seconds = naive
            else:
                seconds, labels, _ = timed(lambda: tissue_labels(X, mask, 1.5, **options), 1)
            d = tissue_dice(truth, mask, labels)
            rows.append([name, f"{len(X):,}", part] + [f"{v:.3f}" for v in d] + [s(seconds), f"{seconds / naive:.1f}x"])
    out.append(table(
        "Tissue model on 1.5 mm T1w + T2w phantoms (atlas anatomy), k = 3 (Dice against the truth; time against one exact sklearn fit)",
        ["phantom", "voxels", "model", "CSF", "GM", "WM", "time", "x exact GaussianMixture(3)"], rows,
    ))  # fmt: skip

    rows = []
    for name, noise, bias, seed, las in PHANTOMS[: 2 if quick else None]:
        X, mask, truth, _ = tissue_phantom(1.5, noise, bias, seed, las, crisp=True)
        plain = tissue_dice(truth, mask, fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels)
        full = tissue_dice(truth, mask, tissue_labels(X, mask, 1.5, **FULL_MODEL))
        rows.append([name, f"{len(X):,}"] + [f"{p:.3f} / {f:.3f}" for p, f in zip(plain, full)])
    out.append(table(
        "The same phantoms with one brain's crisp anatomy (make_tissue_phantom.py --crisp): plain GaussianMixture(3) / full model",
        ["phantom", "voxels", "CSF", "GM", "WM"], rows,
    ))  # fmt: skip

    X, mask, truth, fields = tissue_phantom(1.5, 0.09, 0.4, 1)
    ceiling = X / np.column_stack([f[mask] for f in fields])
    X3, mask3, truth3, _ = tissue_phantom(3.0, 0.09, 0.4, 5, las=True)
    rows = []
    for beta in BETAS:
        labels = tissue_labels(X, mask, 1.5, bias_correct=True, beta=beta)
        oracle = tissue_labels(ceiling, mask, 1.5, beta=beta)
        coarse = tissue_labels(X3, mask3, 3.0, bias_correct=True, beta=beta)
        rows.append([f"{beta:g}"] + [f"{v:.3f}" for v in tissue_dice(truth, mask, labels)]
                    + [f"{v:.3f}" for v in tissue_dice(truth, mask, oracle)]
                    + [f"{v:.3f}" for v in tissue_dice(truth3, mask3, coarse)])  # fmt: skip
    out.append(table(
        "Dice against the spatial prior's beta (9 % noise, strong bias): 1.5 mm; the same with the true bias removed; "
        "a 3 mm phantom (seed 5, LAS)",
        ["beta", "CSF", "GM", "WM", "CSF (true bias removed)", "GM (true bias removed)", "WM (true bias removed)",
         "CSF (3 mm)", "GM (3 mm)", "WM (3 mm)"], rows,
    ))  # fmt: skip

    X4, mask4, truth4, _ = tissue_phantom(1.5, 0.04, 0.2, 3)
    stack, mni_truth = load_sample("mni152")
    mni = with_mask(stack, resolve_mask("file", stack.channels, stack.reference, load_sample_mask("mni152")))
    mni_features = make_features(mni.channels, Scope("volume"), mni.mask)
    rows = []
    for beta in BETAS:
        phantom = tissue_labels(X4, mask4, 1.5, bias_correct=True, beta=beta)
        template = tissue_labels(mni_features.X, mni_features.mask, mni.zooms[0], bias_correct=True, beta=beta)
        rows.append([f"{beta:g}"] + [f"{v:.3f}" for v in tissue_dice(truth4, mask4, phantom)]
                    + [f"{v:.3f}" for v in tissue_dice(mni_truth, mni_features.mask, template)])  # fmt: skip
    out.append(table(
        "Dice against beta, full model: 4 % noise phantom (left) and nilearn's MNI152 T1 in its brain mask (right)",
        ["beta", "CSF (4 %)", "GM (4 %)", "WM (4 %)", "CSF (MNI)", "GM (MNI)", "WM (MNI)"], rows,
    ))  # fmt: skip

    rows = []
    for noise in (0.02, 0.04, 0.06, 0.09, 0.12):
        X, mask, truth, _ = tissue_phantom(1.5, noise, 0.4, 5)
        plain = tissue_dice(truth, mask, fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels)
        full = tissue_dice(truth, mask, tissue_labels(X, mask, 1.5, **FULL_MODEL))
        rows.append([f"{noise:.0%}"] + [f"{p:.3f} / {f:.3f}" for p, f in zip(plain, full)])
    out.append(table("Dice against noise (bias 0.4): plain / full model", ["noise", "CSF", "GM", "WM"], rows))

    stack, truth = load_sample("phantom", ensure_1mm())
    features = make_features(stack.channels, Scope("volume"), stack.mask)
    exact, _, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(features.X), 1)
    seconds, labels, _ = timed(lambda: tissue_labels(features.X, features.mask, stack.zooms[0], **FULL_MODEL), 1)
    d = tissue_dice(truth, features.mask, labels)
    rows = [[FULL_NAME, f"{len(features.X):,}"] + [f"{v:.3f}" for v in d] + [s(seconds), s(exact), f"{seconds / exact:.1f}x"]]
    out.append(table(
        "Tissue model on the 1 mm phantom (T1w + b0, scripts/make_sample_data.py --resolution 1), k = 3",
        ["model", "voxels", "CSF", "GM", "WM", "time", "one exact GaussianMixture(3) fit", "ratio"], rows,
    ))  # fmt: skip

    rows = []
    naive, _, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(mni_features.X), 1)
    for part, options in PARTS[:5]:
        if options is None:
            labels, seconds = fit(FitData(mni_features.X), 3, 12345, FitOptions(mode="exact")).labels, naive
        else:
            seconds, labels, _ = timed(lambda: tissue_labels(mni_features.X, mni_features.mask, mni.zooms[0], **options), 1)
        d = tissue_dice(mni_truth, mni_features.mask, labels)
        rows.append([part] + [f"{v:.3f}" for v in d] + [s(seconds), f"{seconds / naive:.1f}x"])
    out.append(table(
        f"nilearn's MNI152 T1 (2 mm) inside its brain mask, {len(mni_features.X):,} voxels, against the template's tissue maps",
        ["model", "CSF", "GM", "WM", "time", "x exact GaussianMixture(3)"], rows,
    ))  # fmt: skip
    return "\n".join(out)


if __name__ == "__main__":
    main("tissue", run)
