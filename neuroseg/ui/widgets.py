"""Small pieces several pages share: messages, guards, the scope switch, fit settings."""

from __future__ import annotations

import numpy as np
import streamlit as st

from neuroseg.models.options import COVARIANCE_TYPES, DEFAULT_BETA, DEFAULT_MAX_FIT_VOXELS, FitOptions
from neuroseg.ui import cache
from neuroseg.ui.context import Context
from neuroseg.ui.markdown import literal
from neuroseg.ui.notices import dismiss_url_notices, url_notices
from neuroseg.ui.urlparams import MRF_CHOICES
from neuroseg.viz.orientation import SliceView, slice_view
from neuroseg.viz.rasters import default_window, window

_SHOW = {"error": st.error, "warning": st.warning, "info": st.info}


def show_messages(ctx: Context) -> None:
    """Show the sidebar's errors and warnings, and notices about bad URL parameters, above the page."""
    notices = url_notices()
    for text in notices:
        st.warning(literal(text), icon=":material/link_off:")
    if notices:
        st.button("Dismiss URL notices", key="dismiss_url_notices", on_click=dismiss_url_notices)
    for level, text in ctx.messages:
        _SHOW[level](literal(text))


def require_stack(ctx: Context, channels: int = 1) -> None:
    """Stop the page with a hint when there is no data (or too few channels) to show."""
    if ctx.stack is None:
        st.info("No images to show yet: pick a sample dataset or upload files in the sidebar.")
        st.stop()
    if len(ctx.stack.names) < channels:
        st.info(
            f"This view needs at least {channels} channels; the current dataset has "
            f"{len(ctx.stack.names)}. Pick the phantom (T1w + b0) or upload more images."
        )
        st.stop()


def scope_switch(default: str = "slice") -> str:
    """Slice or whole volume, bound to the ``scope`` URL parameter."""
    return st.radio(
        "Voxels analysed", ("slice", "volume"), index=("slice", "volume").index(default), key="scope",
        bind="query-params", horizontal=True, captions=("the current slice", "the whole volume"),
    )  # fmt: skip


def fit_settings() -> FitOptions:
    """Fit mode (bound to ``mode``), fast mode's exact-fit limit, covariance type, standardisation."""
    mode = st.radio(
        "Fit mode", ("fast", "exact"), key="mode", bind="query-params", horizontal=True,
        captions=("the same fit on the intensity histogram", "every voxel, as the lesson"),
    )  # fmt: skip
    with st.expander("More fit options"):
        n = st.number_input(
            "Fast mode: fit exactly up to this many voxels", 1_000, 2_000_000, DEFAULT_MAX_FIT_VOXELS, step=10_000,
            key="n_fit",
            help="Up to this many voxels, fast mode is the exact fit. Above it, the same fit (k-means with the exact "
            "fit's random draws, then EM) runs on the voxels grouped by intensity, with their counts as weights, "
            "and then labels every voxel. Integer images lose nothing in the grouping.",
        )  # fmt: skip
        cov = st.selectbox("Covariance type", COVARIANCE_TYPES, key="covariance")
        std = st.checkbox("Standardise channels (z-scores)", key="standardise")
        max_iter = st.number_input("Max EM iterations", 1, 1000, 100, key="max_iter",
                                   help="scikit-learn's default is 100; a fit that stops there is flagged.")  # fmt: skip
    left, middle, right = st.columns(3)
    bias = left.radio(
        "Bias field correction", ("off", "on"), key="bias", bind="query-params", horizontal=True,
        help="Tissue model: estimate a smooth multiplicative field per channel inside the EM loop (as FSL FAST "
        "and SPM do), and segment the corrected intensities.",
    )  # fmt: skip
    beta = right.select_slider(
        "Spatial prior (MRF β)", MRF_CHOICES, value="0", key="mrf", bind="query-params",
        help=f"Tissue model: neighbouring voxels tend to share a tissue (Potts prior over face neighbours, weaker "
        f"across edges and between larger voxels; β is its strength at 1 mm). 0 = off; {DEFAULT_BETA:g} is the "
        "default chosen from the Dice-versus-β curves in BENCHMARKS.md.",
    )  # fmt: skip
    priors = middle.radio(
        "Tissue priors", ("off", "template"), key="priors", bind="query-params", horizontal=True,
        help="Tissue model, k = 3 with a T1 first: each voxel's prior CSF, GM and WM probabilities come from the "
        "MNI152 template registered onto the brain (as SPM's tissue probability maps), with the mask 'brain' or "
        "a brain mask file.",
    )  # fmt: skip
    return FitOptions(
        mode, int(n), cov, bool(std), int(max_iter), bias == "on", float(beta), "template" if priors == "template" else "none"
    )  # fmt: skip


def current_view(ctx: Context) -> SliceView:
    """How the current slice is turned for display."""
    return slice_view(ctx.stack.affine, ctx.axis)


def channel_window(ctx: Context, channel: int) -> tuple[float, float]:
    """Robust default display window of a channel (whole volume, non-zero voxels)."""
    return default_window(ctx.stack.channels[channel][::2, ::2, ::2])


def anatomy(ctx: Context, channel: int = 0) -> np.ndarray:
    """The current slice of a channel, turned for display and windowed to 0..255 grey."""
    low, high = channel_window(ctx, channel)
    return window(current_view(ctx).apply(ctx.scope().extract(ctx.stack.channels[channel])), low, high)


def on_current_slice(ctx: Context, image: np.ndarray, kind: str) -> np.ndarray:
    """The current slice of an image in a scope's shape (a slice already, or the whole volume)."""
    return ctx.scope().extract(image) if kind == "volume" else image


def mask_outline(ctx: Context) -> np.ndarray:
    """The analysis mask on the current slice, turned for display (for :func:`~neuroseg.viz.figures.image_figure`)."""
    return current_view(ctx).apply(cache.features(ctx.stack.digest, ctx.scope(), ctx.stack).mask)
