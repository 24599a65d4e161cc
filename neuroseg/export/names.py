"""One file name for each export, shared by the app's downloads and the BIDS App.

Names follow BIDS entities where BIDS has them (``desc-brain_mask``,
``from-..._to-..._mode-image_xfm``, ``dseg``, ``probseg``), so a download
and a derivative of the same thing read alike.
"""

from __future__ import annotations

TEMPLATE_SPACE = "MNI152NLin2009aSym"
"""The template's name in BIDS (nilearn's MNI ICBM152 2009a symmetric)."""


def run_stem(k: int, seed: int, scope_kind: str) -> str:
    """The stem of one app fit's downloads: ``neuroseg_k3_seed12345_slice``."""
    return f"neuroseg_k{k}_seed{seed}_{scope_kind}"


def labels_name(stem: str) -> str:
    return f"{stem}_desc-neuroseg_dseg.nii.gz"


def label_table_name(stem: str) -> str:
    return f"{stem}_desc-neuroseg_dseg.tsv"


def cluster_table_name(stem: str) -> str:
    return f"{stem}_clusters.csv"


def posteriors_name(stem: str) -> str:
    return f"{stem}_desc-neuroseg_probseg.nii.gz"


def corrected_name(stem: str, channel: str) -> str:
    """A channel divided by its estimated bias field."""
    return f"{stem}_{channel}_desc-corrected.nii.gz"


def brain_mask_name(stem: str) -> str:
    return f"{stem}_desc-brain_mask.nii.gz"


def transform_name(stem: str, channel: str) -> str:
    """The voxel-to-MNI transform of ``channel``'s image, as JSON."""
    return f"{stem}_from-{channel}_to-{TEMPLATE_SPACE}_mode-image_xfm.json"


def reproduce_name(stem: str) -> str:
    """The stem of the generated script and notebook (``.py``, ``.ipynb``)."""
    return f"{stem}_reproduce"
