"""Label colours that stay apart for colour-blind readers, and the checks that show it (DESIGN 3.10).

One colour per label number, the same in every legend, scatter, overlay, small
multiple and ``_dseg.tsv``. The twelve colours were chosen (from Okabe & Ito's
palette, Paul Tol's schemes and IBM's colour-blind-safe set) to keep the
largest smallest colour difference (CIE76 ΔE in CIELAB) between any two labels,
and between any label and black, mid grey or white (the anatomy under an
overlay), as seen with normal vision and under simulated protanopia,
deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1):
at least 33 between the first three labels (CSF, GM, WM with a T1 first) and
at least 14 between any two of the twelve. Plotly's default orange and green
fall to ΔE 4.6 under protanopia.
"""

from __future__ import annotations

import numpy as np

LABEL_COLOURS = (
    "#56B4E9", "#994F00", "#E1BE6A", "#332288", "#0072B2", "#E69F00",
    "#D41159", "#EE7733", "#99DDFF", "#F0E442", "#1A85FF", "#FFAABB",
)  # fmt: skip

CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}  # fmt: skip
"""Machado et al. (2009) simulation matrices at severity 1, applied to linear RGB."""


def label_colour(label: int) -> str:
    """Display colour of label ``label`` (1-based), as ``#rrggbb``; the same label keeps its colour everywhere."""
    return LABEL_COLOURS[(label - 1) % len(LABEL_COLOURS)]


def _linear_rgb(colours) -> np.ndarray:
    srgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours]) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear RGB rows."""
    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def seen_as(colours, vision: str = "normal") -> np.ndarray:
    """CIELAB coordinates of ``#rrggbb`` colours as seen with normal vision or a simulated deficiency."""
    linear = _linear_rgb(colours)
    if vision != "normal":
        linear = np.clip(linear @ CVD_MATRICES[vision].T, 0.0, 1.0)
    return _lab(linear)


def smallest_difference(colours, vision: str = "normal") -> float:
    """The smallest CIE76 ΔE between any two of ``colours`` as seen with ``vision``."""
    lab = seen_as(colours, vision)
    distances = np.sqrt(((lab[:, None] - lab[None]) ** 2).sum(axis=-1))
    distances[np.eye(len(lab), dtype=bool)] = np.inf
    return float(distances.min())
