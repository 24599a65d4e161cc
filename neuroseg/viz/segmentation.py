"""A segmentation's pictures: labels over the anatomy, model confidence, the tissue model's posteriors and bias fields.

The Segment page draws these; each takes a :class:`~neuroseg.analysis.segment.Segmentation`
and the slice to show, and returns display-ready pictures or figures.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuroseg.analysis.segment import Segmentation
from neuroseg.core.features import Scope
from neuroseg.viz.crosshair import plane, readout
from neuroseg.viz.figures import image_figure, labelled_scatter_figure, mixture_histogram_figure, subsample_rows
from neuroseg.viz.orientation import slice_view
from neuroseg.viz.rasters import colourize, overlay_rgb, window

BIAS_RANGE = (0.6, 1.6)
"""The bias field's colour range (1 = no bias)."""


def labelled_plane(
    seg: Segmentation, labels: np.ndarray, grey_window: tuple[float, float], opacity: float,
    axis: str, voxel: tuple[int, int, int],
) -> np.ndarray:  # fmt: skip
    """The plane through ``voxel`` across ``axis``: labels (a full-grid label volume) over the first channel, turned for display."""
    turn = slice_view(seg.stack.affine, axis).apply
    grey = window(turn(plane(seg.stack.channels[0], axis, voxel)), *grey_window)
    return overlay_rgb(grey, turn(plane(labels, axis, voxel)), opacity)


def segmentation_readout(seg: Segmentation, voxel: tuple[int, int, int]) -> list[tuple[str, str]]:
    """What the crosshair reads on a segmentation: the image's readout plus the voxel's label and posterior."""
    stack = seg.stack
    return readout(voxel, stack.affine, stack.channels, stack.names, *seg.at(voxel), label_names=seg.tissue_names,
                   voxel_to_mni=stack.mask.voxel_to_mni)  # fmt: skip


def intensity_figure(seg: Segmentation) -> go.Figure:
    """The clusters in intensity space: the labelled scatter with its ellipses, or with one channel the histogram
    with each cluster's Gaussian (bias-corrected intensities where the tissue model corrected them)."""
    result, names = seg.result, seg.stack.names
    X = seg.features.X if result.corrected is None else result.corrected
    space = "intensity space" if result.corrected is None else "bias-corrected intensities"
    if len(names) >= 2:
        return labelled_scatter_figure(X, result.labels, names, subsample_rows(len(X)), result.means, result.covariances,
                                       title=f"{result.k} clusters in {space}", legend=seg.legend())  # fmt: skip
    corrected = "" if result.corrected is None else " (bias-corrected)"
    return mixture_histogram_figure(
        X[:, 0], result.labels, result.means[:, 0], result.covariances[:, 0, 0], result.weights, names[0],
        legend=seg.legend(), title=f"{result.k} clusters on the histogram of {names[0]}{corrected}",
    )  # fmt: skip


def on_slice(seg: Segmentation, rows: np.ndarray, shown: Scope) -> np.ndarray:
    """Per-voxel values on the shown slice, turned for display; NaN (drawn black) outside the analysed voxels."""
    inside = shown.extract(seg.features.scope.embed(seg.features.mask, seg.stack.shape))
    values = shown.extract(seg.volume_image(rows)).astype(np.float32)
    values[~inside] = np.nan
    return slice_view(seg.stack.affine, shown.axis).apply(values)


def confidence_figure(seg: Segmentation, shown: Scope, outline: np.ndarray | None = None) -> go.Figure:
    """The largest posterior of each voxel on the shown slice (dark = uncertain); it is never below 1/k."""
    floor = 1.0 / seg.result.k
    picture = colourize(on_slice(seg, seg.result.confidence, shown), floor, 1.0)
    return image_figure(
        slice_view(seg.stack.affine, shown.axis), picture,
        f"Model confidence, {shown.describe(seg.stack.affine)} (largest posterior; dark = uncertain)",
        colorbar=(floor, 1.0, "Viridis", "posterior"), height=420, outline=outline,
    )  # fmt: skip


def tissue_tiles(seg: Segmentation, shown: Scope) -> dict[str, go.Figure]:
    """The tissue model's posterior of each class and, with a bias field, each channel's field, on the shown slice.

    Returns
    -------
    dict
        Figures by key (``posterior_1`` .., ``bias_0`` ..), in display order.
    """
    view = slice_view(seg.stack.affine, shown.axis)
    legend = seg.legend()
    tiles = {}
    posteriors = seg.posteriors()
    for label, name in legend.items():
        picture = colourize(on_slice(seg, posteriors[:, label - 1], shown), 0, 1)
        tiles[f"posterior_{label}"] = image_figure(
            view, picture, f"P({name})", colorbar=(0.0, 1.0, "Viridis", ""), height=300
        )
    if seg.result.options.bias_correct:
        for c, name in enumerate(seg.stack.names):
            picture = colourize(on_slice(seg, seg.result.bias[:, c], shown), *BIAS_RANGE, "RdBu")
            tiles[f"bias_{c}"] = image_figure(
                view, picture, f"Bias field of {name}", colorbar=(*BIAS_RANGE, "RdBu", "×"), height=300
            )
    return tiles
