"""Slices page: three orthogonal views through the crosshair with window/level, its readout, and histograms."""

from functools import partial

import streamlit as st

from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.view3d import three_d
from neuroseg.ui.viewer import three_views
from neuroseg.ui.widgets import channel_window, require_stack, scope_switch, view_switch
from neuroseg.viz.crosshair import plane, readout
from neuroseg.viz.figures import histogram_figure
from neuroseg.viz.orientation import slice_view
from neuroseg.viz.rasters import window

ensure_navigation()
ctx = current()
st.title("Slices & histograms")
require_stack(ctx)

stack = ctx.stack
c1, c2 = st.columns([1, 2])
shown = c1.radio("Channel shown", stack.names, key="view_channel", horizontal=True) if len(stack.names) > 1 else stack.names[0]
channel = stack.names.index(shown)
low, high = channel_window(ctx, channel)
lo_all, hi_all = float(stack.channels[channel].min()), float(stack.channels[channel].max())
level = c2.slider(
    f"Window of {shown}", lo_all, max(hi_all, lo_all + 1e-6), (low, high), key=f"window_{channel}",
    help="Intensities below the window are black, above it white (window/level).",
)  # fmt: skip
view = view_switch()
pointed = partial(
    readout, affine=stack.affine, channels=stack.channels, names=stack.names, voxel_to_mni=stack.mask.voxel_to_mni
)
if view == "3d":
    st.caption(f"{shown} rendered in 3-D through its window: voxels below the window are transparent.")
    three_d("slices", cache.scene_image(stack, channel, level), pointed)
else:
    st.caption(
        "Three orthogonal planes through the crosshair, in neurological convention (left on the left, anterior or "
        "superior up), pixels at their physical size. Click a view, or use the sliders below, to move the crosshair; "
        f"its position is in the URL (voxel=). The cyan outline is the analysis mask: {stack.mask.source}."
    )
    three_views(
        "slices",
        lambda axis, voxel: window(slice_view(stack.affine, axis).apply(plane(stack.channels[channel], axis, voxel)), *level),
        lambda axis: f"{shown}, {ctx.planes[axis]}", pointed, colorbar=(level[0], level[1], "gray", ""),
    )

st.subheader("Intensity histograms")
c1, c2, c3, c4 = st.columns(4)
with c1:
    kind = scope_switch()
with c2:
    which = st.radio("Voxels counted", ("analysis mask", "all voxels"), key="hist_voxels", horizontal=True,
                     help=f"The analysis mask is {stack.mask.source}.")  # fmt: skip
with c3:
    bins = st.slider("Bins", 10, 300, 100, key="bins")
with c4:
    log = st.checkbox("Log counts", key="log_counts")
parts = [ctx.scope(kind).extract(c) for c in stack.channels]
inside = cache.features(stack.digest, ctx.scope(kind), stack).mask if which == "analysis mask" else None
values = {name: (p[inside] if inside is not None else p.ravel()) for name, p in zip(stack.names, parts)}
where = ctx.describe(kind)
count = len(next(iter(values.values())))
st.plotly_chart(
    histogram_figure(values, bins=bins, log=log, title=f"{where}, {which}: {count:,} voxels per channel"),
    key="histograms", width="stretch",
)  # fmt: skip
