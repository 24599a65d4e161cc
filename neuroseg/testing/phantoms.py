"""Make two-contrast (T1w + T2w) brain phantoms with known tissue, for the tissue model's tests and benchmarks.

Built from nilearn's MNI ICBM152 2009a grey- and white-matter maps and brain
mask (1 mm), resampled (linear, so edges get partial volume) onto a grid of
the chosen spacing:

* tissue fractions: GM and WM from the maps, CSF the rest of the (soft) brain
  mask; outside it the background, whose signal is 0, so the brain's edge is
  a dark partial-volume rim in both contrasts. The atlas's maps are blurred
  by the spread of 152 brains, so many voxels are mixed; ``--crisp`` instead
  gives each 1 mm voxel its most probable tissue first (one brain's sharp
  anatomy, partial volume from the voxel size only);
* signal: fraction-weighted tissue means, T1w CSF/GM/WM 300/620/900 and
  T2w 1000/560/420;
* bias: a smooth multiplicative field per contrast, ``exp(s * q)`` with ``q``
  a random cubic polynomial of the coordinates scaled to [-1, 1] over the
  brain, so the field spans ``exp(-s)`` to ``exp(s)`` there (``--bias 0.4``:
  -33 % to +49 %);
* noise: Rician, sigma a fraction (``--noise``) of the brightest tissue;
  skull-stripped (0 outside the voxels with any brain in them);
* truth: the tissue with the largest fraction in each such voxel (1 CSF, 2 GM, 3 WM);
* orientation: RAS as the template, or ``--las`` to store the first axis flipped.

Usage::

    python scripts/make_tissue_phantom.py --out benchmarks/data/tissue --spacing 1.5 --noise 0.09 --bias 0.4
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.processing import resample_from_to

T1_MEANS = (300.0, 620.0, 900.0)
T2_MEANS = (1000.0, 560.0, 420.0)


def fractions(spacing: float, crisp: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(3, ...) CSF/GM/WM fractions on a grid of ``spacing`` mm, and its affine.

    By default the fractions are the atlas's own probabilities, which are
    blurred by the spread of 152 brains: many voxels are mixed. ``crisp``
    first gives each 1 mm voxel inside the brain mask its most probable tissue
    (one brain's sharp anatomy), so that partial volume comes from the voxel
    size only, as in a single subject's scan.
    """
    from nilearn import datasets

    brain = datasets.load_mni152_brain_mask(resolution=1)
    gm = datasets.load_mni152_gm_template(resolution=1)
    wm = datasets.load_mni152_wm_template(resolution=1)
    zoom = spacing / 1.0
    shape = tuple(int(np.floor(s / zoom)) for s in brain.shape)
    affine = brain.affine @ np.diag([zoom, zoom, zoom, 1.0])

    def onto(data):
        image = nib.Nifti1Image(np.asarray(data, np.float32), brain.affine)
        return np.clip(np.asarray(resample_from_to(image, (shape, affine), order=1).dataobj), 0, 1)

    b, g, w = (np.clip(image.get_fdata(), 0, 1) for image in (brain, gm, wm))
    if crisp:
        inside = b > 0.5
        g, w = np.minimum(g, b), np.minimum(w, b)
        tissue = np.argmax(np.stack([b - g - w, g, w]), axis=0)
        b, g, w = inside, inside & (tissue == 1), inside & (tissue == 2)
    b, g, w = onto(b), onto(g), onto(w)
    g, w = np.minimum(g, b), np.minimum(w, b)
    scale = np.where(g + w > b, b / np.maximum(g + w, 1e-9), 1.0)
    g, w = g * scale, w * scale
    return np.stack([b - g - w, g, w]), affine


def bias_field(inside: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """``exp(strength * q)``, q a random cubic polynomial of the coordinates scaled to [-1, 1] over ``inside``."""
    x, y, z = np.meshgrid(*[np.linspace(-1, 1, n) for n in inside.shape], indexing="ij")
    terms = [x, y, z, x * y, y * z, x * z, x * x, y * y, z * z, x**3, y**3, z**3, x * y * z]
    q = sum(rng.normal() * t for t in terms)
    low, high = q[inside].min(), q[inside].max()
    return np.exp(strength * (2 * (q - low) / (high - low) - 1))


def make_phantom(
    spacing: float, noise: float, bias: float, seed: int, las: bool = False, fields: list | None = None,
    crisp: bool = False,
):  # fmt: skip
    """T1w and T2w volumes, the truth labels and the affine of one phantom.

    ``fields``, if given, collects the two bias fields, stored as the volumes are (flipped with ``las``).
    """
    rng = np.random.default_rng(seed)
    frac, affine = fractions(spacing, crisp)
    inside = frac.sum(axis=0) > 0.02
    images, made = [], []
    for means in (T1_MEANS, T2_MEANS):
        field = bias_field(inside, rng, bias)
        made.append(field)
        signal = np.tensordot(np.asarray(means), frac, axes=1) * field
        sigma = noise * max(means)
        noisy = np.hypot(signal + rng.normal(0, sigma, signal.shape), rng.normal(0, sigma, signal.shape))
        images.append(np.where(inside, np.maximum(noisy, 1.0), 0).astype(np.float32))
    truth = np.where(inside, frac.argmax(axis=0) + 1, 0).astype(np.uint8)
    if las:
        flip = np.diag([-1.0, 1, 1, 1])
        flip[0, 3] = inside.shape[0] - 1
        images, truth, affine = [a[::-1].copy() for a in images], truth[::-1].copy(), affine @ flip
        made = [a[::-1].copy() for a in made]
    if fields is not None:
        fields.extend(made)
    return images[0], images[1], truth, affine


def write(out: Path, t1, t2, truth, affine) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("T1w", t1), ("T2w", t2), ("truth", truth)):
        image = nib.Nifti1Image(data, affine)
        image.set_qform(affine, code=1)
        image.set_sform(affine, code=1)
        nib.save(image, out / f"{name}.nii.gz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--spacing", type=float, default=1.5, help="grid spacing in mm")
    parser.add_argument("--noise", type=float, default=0.09, help="Rician sigma / brightest tissue")
    parser.add_argument("--bias", type=float, default=0.4, help="log-amplitude of the bias field")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--las", action="store_true", help="store the first axis flipped (LAS)")
    parser.add_argument("--crisp", action="store_true", help="one brain's sharp anatomy instead of the atlas's blur")
    args = parser.parse_args(argv)
    write(args.out, *make_phantom(args.spacing, args.noise, args.bias, args.seed, args.las, crisp=args.crisp))
    print(f"wrote {args.out}/T1w.nii.gz, T2w.nii.gz, truth.nii.gz")


if __name__ == "__main__":
    main()
