"""Make neuroseg's bundled sample volumes from the MNI ICBM152 2009a maps in nilearn.

Writes, on the template's grid (2 mm by default):

* ``phantom_t1w.nii.gz`` and ``phantom_b0.nii.gz``: a two-contrast phantom of one
  brain, built from the grey- and white-matter probability maps (CSF is the
  rest of the brain mask), with partial volume, a smooth bias field per image
  and Rician noise, skull-stripped (0 outside the brain) and stored as int16;
* ``phantom_labels.nii.gz``: its ground truth, 0 background, 1 CSF, 2 GM, 3 WM
  (the most probable tissue of each brain voxel);
* ``mni152_t1.nii.gz``: the T1 template itself, a one-channel real whole-head image;
* ``mni152_brain_mask.nii.gz``: nilearn's brain mask of the template (the sample's analysis mask);
* ``mni152_tissues.nii.gz``: the template's own most probable tissue in the brain mask
  (1 CSF, 2 GM, 3 WM), the reference for Dice on the template;
* ``mni152_tissue_priors.nii.gz``: the template's CSF, GM and WM probabilities (4-D, one
  volume per tissue, in steps of 1/255), the tissue model's ``priors=template``.

Usage::

    python scripts/make_sample_data.py                      # the files in data/
    python scripts/make_sample_data.py --resolution 1 --out benchmarks/data

``nilearn`` is needed only here, not by the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nibabel as nib
import numpy as np

SEED = 20091
# Mean signal of CSF, GM, WM in each contrast (arbitrary scanner units).
T1W_MEANS = (300.0, 620.0, 900.0)
B0_MEANS = (1000.0, 560.0, 420.0)
# Rician noise sigma, as a fraction of the brightest tissue.
T1W_NOISE = 0.025
B0_NOISE = 0.04


def tissue_maps(resolution: float) -> tuple[np.ndarray, nib.Nifti1Image]:
    """CSF, GM, WM fractions summing to 1 inside the brain mask, and the template."""
    from nilearn import datasets

    template = at_resolution(datasets.load_mni152_template, resolution)
    gm = at_resolution(datasets.load_mni152_gm_template, resolution).get_fdata()
    wm = at_resolution(datasets.load_mni152_wm_template, resolution).get_fdata()
    brain = at_resolution(datasets.load_mni152_brain_mask, resolution).get_fdata() > 0.5
    gm, wm = np.clip(gm, 0, 1), np.clip(wm, 0, 1)
    total = gm + wm
    scale = np.where(total > 1, 1 / np.maximum(total, 1e-9), 1.0)
    gm, wm = gm * scale, wm * scale
    csf = 1 - gm - wm
    fractions = np.stack([csf, gm, wm]) * brain
    return fractions, template


def brain_mask(resolution: float) -> np.ndarray:
    """nilearn's MNI152 brain mask as uint8 (1 inside)."""
    from nilearn import datasets

    return (at_resolution(datasets.load_mni152_brain_mask, resolution).get_fdata() > 0.5).astype(np.uint8)


def at_resolution(load, resolution: float) -> nib.Nifti1Image:
    """A nilearn MNI152 map on a ``resolution`` mm grid: nilearn's own for 1 and 2 mm, else its 1 mm map resampled."""
    if resolution in (1, 2):
        return load(resolution=int(resolution))
    from nilearn.image import resample_img

    return resample_img(load(resolution=1), target_affine=np.diag([resolution] * 3), interpolation="continuous",
                        force_resample=True, copy_header=True)  # fmt: skip


def bias_field(shape: tuple[int, ...], rng: np.random.Generator, strength: float) -> np.ndarray:
    """A smooth multiplicative field, exp of a random quadratic in normalised coordinates."""
    grids = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    field = sum(rng.normal() * g for g in grids)
    field = field + sum(0.5 * rng.normal() * g * h for i, g in enumerate(grids) for h in grids[i:])
    field = field / np.abs(field).max()
    return np.exp(strength * field)


def contrast(fractions, means, noise, rng, strength) -> np.ndarray:
    """Partial-volume signal times a bias field, with Rician noise, 0 outside the brain."""
    brain = fractions.sum(axis=0) > 0
    signal = np.tensordot(np.asarray(means), fractions, axes=1) * bias_field(brain.shape, rng, strength)
    sigma = noise * max(means)
    noisy = np.hypot(signal + rng.normal(0, sigma, signal.shape), rng.normal(0, sigma, signal.shape))
    return np.where(brain, np.maximum(np.round(noisy), 1), 0).astype(np.int16)


def save(array: np.ndarray, template: nib.Nifti1Image, path: Path, description: str) -> None:
    image = nib.Nifti1Image(array, template.affine)
    if array.ndim == 4:  # probabilities stored as uint8: 255 is 1
        image.header.set_slope_inter(1 / 255, 0)
    image.header.set_xyzt_units("mm", "sec")
    image.header["descrip"] = description.encode()[:79]
    image.set_qform(template.affine, code=4)
    image.set_sform(template.affine, code=4)
    nib.save(image, path)
    print(f"wrote {path} {array.shape} {array.dtype} {path.stat().st_size / 1e6:.2f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, default=2, choices=(1, 1.5, 2), help="grid spacing in mm")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    fractions, template = tissue_maps(args.resolution)
    t1w = contrast(fractions, T1W_MEANS, T1W_NOISE, rng, strength=0.12)
    b0 = contrast(fractions, B0_MEANS, B0_NOISE, rng, strength=0.18)
    truth = np.where(fractions.sum(axis=0) > 0, fractions.argmax(axis=0) + 1, 0).astype(np.uint8)
    save(t1w, template, args.out / "phantom_t1w.nii.gz", "neuroseg phantom T1w from MNI ICBM152 2009a")
    save(b0, template, args.out / "phantom_b0.nii.gz", "neuroseg phantom b0 from MNI ICBM152 2009a")
    save(truth, template, args.out / "phantom_labels.nii.gz", "truth: 1 CSF, 2 GM, 3 WM")
    t1 = np.asarray(template.dataobj)
    save(t1, template, args.out / "mni152_t1.nii.gz", "MNI ICBM152 2009a T1 template (nilearn)")
    save(brain_mask(args.resolution), template, args.out / "mni152_brain_mask.nii.gz", "MNI152 brain mask (nilearn)")
    save(truth, template, args.out / "mni152_tissues.nii.gz", "MNI152 most probable tissue: 1 CSF, 2 GM, 3 WM")
    save(priors(fractions), template, args.out / "mni152_tissue_priors.nii.gz", "MNI152 CSF, GM, WM probabilities")


def priors(fractions: np.ndarray) -> np.ndarray:
    """CSF, GM, WM probabilities as a 4-D uint8 array in steps of 1/255 (the scaling is set by :func:`save`)."""
    return np.round(np.moveaxis(fractions, 0, -1) * 255).astype(np.uint8)


if __name__ == "__main__":
    main()
