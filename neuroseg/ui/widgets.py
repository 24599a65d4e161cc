"""Small pieces several pages share: messages, guards, the scope switch, fit settings."""

from __future__ import annotations

import numpy as np
import streamlit as st

from neuroseg.errors import InputError
from neuroseg.models.options import OPTION, FitOptions, OptionError
from neuroseg.ui import cache
from neuroseg.ui.context import Context
from neuroseg.ui.markdown import literal
from neuroseg.ui.notices import dismiss_url_notices, url_notices
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


def view_switch() -> str:
    """Three planes or the 3-D view, bound to the ``view`` URL parameter (DESIGN 3.15); the options are its values."""
    return st.radio(
        "View", ("planes", "3d"), key="view", bind="query-params", horizontal=True,
        captions=("axial, coronal and sagittal", "rendered in your browser"),
        help="The 3-D view renders the volume with WebGL (NiiVue): drag to turn it, cut into it with the clip plane.",
    )  # fmt: skip


def fit_settings() -> FitOptions:
    """The fit options' controls, labelled and explained by their declarations; the options that act.

    An option the chosen model ignores (a covariance type under the tissue
    model) is named in a caption and reset, so caches and records see only what runs.
    """
    mode = st.radio(
        OPTION["mode"].label, OPTION["mode"].offered, key="mode", bind="query-params", horizontal=True,
        captions=("the same fit on the intensity histogram", "every voxel, as the lesson"), help=OPTION["mode"].help,
    )  # fmt: skip
    with st.expander("More fit options"):
        n = _number("max_fit_voxels", 1_000, 2_000_000, step=10_000, key="n_fit")
        cov = st.selectbox(OPTION["covariance"].label, OPTION["covariance"].choices, key="covariance",
                           help=OPTION["covariance"].help)  # fmt: skip
        std = st.checkbox(OPTION["standardise"].label, key="standardise", help=OPTION["standardise"].help)
        max_iter = _number("max_iter", 1, 1000)
    left, middle, right = st.columns(3)
    bias = left.radio(OPTION["bias_correct"].label, OPTION["bias_correct"].offered, key="bias", bind="query-params",
                      horizontal=True, help=OPTION["bias_correct"].help)  # fmt: skip
    priors = middle.radio(OPTION["priors"].label, OPTION["priors"].offered, key="priors", bind="query-params",
                          horizontal=True, help=OPTION["priors"].help)  # fmt: skip
    beta = right.select_slider(OPTION["mrf"].label, OPTION["mrf"].offered, value="0", key="mrf", bind="query-params",
                               help=OPTION["mrf"].help)  # fmt: skip
    options = FitOptions(mode, n, cov, std, max_iter, bias == "on", float(beta), priors)
    if ignored := options.ignored():
        st.caption(
            f"The {options.model} model does not use "
            + ", ".join(o.app_text(getattr(options, o.name)) for o in ignored) + ", so the fit and its records leave it out."
        )  # fmt: skip
    return options.effective()


def _number(name: str, low: int, high: int, step: int = 1, key: str | None = None) -> int:
    option = OPTION[name]
    return int(st.number_input(option.label, low, high, option.default, step=step, key=key or name, help=option.help))


def error_text(error: InputError) -> str:
    """A library error as the app words it: a fit option by its control and URL value, not a command-line flag."""
    if isinstance(error, OptionError):
        return error.worded(OPTION[error.option].app_text(error.value))
    return str(error)


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
