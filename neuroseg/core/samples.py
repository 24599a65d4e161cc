"""The sample datasets bundled in ``data/`` (see ``data/README.md``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroseg.core.stack import VolumeStack, stack_images
from neuroseg.io import LoadedImage, load_path

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "data"
"""``data/``: the samples, the template and the brain-extraction networks, as shipped."""
DATA_DIR = Path(os.environ.get("NEUROSEG_DATA_DIR") or BUNDLED_DIR)
"""Folder of the sample files; ``NEUROSEG_DATA_DIR`` points it elsewhere (the benchmarks' 1 mm phantom)."""


@dataclass(frozen=True)
class Sample:
    """A bundled dataset: its channels and, for the phantom, its ground truth."""

    key: str
    title: str
    description: str
    channels: tuple[tuple[str, str], ...]
    truth: str | None = None
    tissues: tuple[str, ...] = ()
    mask: str | None = None


SAMPLES = {
    "phantom": Sample(
        key="phantom",
        title="Phantom: T1w + b0 (2 mm, with ground truth)",
        description=(
            "A two-contrast brain phantom made from the MNI ICBM152 2009a tissue maps: partial volume, "
            "a smooth bias field and Rician noise, skull-stripped. Its true CSF/GM/WM labels are known."
        ),
        channels=(("T1w", "phantom_t1w.nii.gz"), ("b0", "phantom_b0.nii.gz")),
        truth="phantom_labels.nii.gz",
        tissues=("CSF", "GM", "WM"),
    ),
    "mni152": Sample(
        key="mni152",
        title="MNI152 T1 template (2 mm, whole head, brain mask)",
        description=(
            "The MNI ICBM152 2009a symmetric T1-weighted template as shipped with nilearn: a whole head with a "
            "noisy background, its brain mask (the default analysis mask here) and the template's own CSF/GM/WM "
            "maps as reference labels."
        ),
        channels=(("T1", "mni152_t1.nii.gz"),),
        truth="mni152_tissues.nii.gz",
        tissues=("CSF", "GM", "WM"),
        mask="mni152_brain_mask.nii.gz",
    ),
}
DEFAULT_SAMPLE = "phantom"


def load_sample(key: str, data_dir: Path = DATA_DIR) -> tuple[VolumeStack, np.ndarray | None]:
    """Load a bundled sample as a stack, with its ground-truth labels if it has them.

    Parameters
    ----------
    key : str
        A key of :data:`SAMPLES`.
    data_dir : Path, optional
        Folder holding the files (``data/`` by default; the benchmarks pass
        the folder of the 1 mm phantom).

    Returns
    -------
    stack : VolumeStack
    truth : ndarray of uint8 or None
    """
    sample = SAMPLES[key]
    images = [load_path(data_dir / filename) for _, filename in sample.channels]
    stack = stack_images(images, [name for name, _ in sample.channels])
    truth = None
    if sample.truth is not None:
        truth = load_path(data_dir / sample.truth).data.astype(np.uint8)
    return stack, truth


def load_sample_mask(key: str, data_dir: Path = DATA_DIR) -> LoadedImage | None:
    """A sample's bundled brain mask, or None when it has none."""
    name = SAMPLES[key].mask
    return None if name is None else load_path(data_dir / name)
