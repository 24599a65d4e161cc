"""Slices page: every channel's slice, oriented, with window/level, and histograms."""

import streamlit as st

from neuroseg.figures import grey_slice_figure, histogram_figure
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.widgets import channel_window, current_view, mask_outline, require_stack, scope_switch

ensure_navigation()
ctx = current()
st.title("Slices & histograms")
require_stack(ctx)

stack, view = ctx.stack, current_view(ctx)
scope = ctx.scope()
st.caption(
    f"{ctx.plane.capitalize()} slice {ctx.index} (array axis {ctx.axis}), shown in neurological convention: "
    f"{view.left} on the left, {view.right} on the right, {view.top} at the top; pixels at their physical size. "
    f"The cyan outline is the analysis mask: {stack.mask.source}."
)
outline = mask_outline(ctx)
columns = st.columns(len(stack.names))
for i, (column, name) in enumerate(zip(columns, stack.names)):
    with column:
        low, high = channel_window(ctx, i)
        lo_all, hi_all = float(stack.channels[i].min()), float(stack.channels[i].max())
        window = st.slider(
            f"Window of {name}", lo_all, max(hi_all, lo_all + 1e-6), (low, high), key=f"window_{i}",
            help="Intensities below the window are black, above it white (window/level).",
        )  # fmt: skip
        st.plotly_chart(
            grey_slice_figure(view, scope.extract(stack.channels[i]), *window, title=name, outline=outline),
            key=f"slice_{i}", width="stretch",
        )  # fmt: skip

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
mask = cache.features(stack.digest, ctx.scope(kind), stack).mask if which == "analysis mask" else None
values = {name: (p[mask] if mask is not None else p.ravel()) for name, p in zip(stack.names, parts)}
where = f"{ctx.plane} slice {ctx.index}" if kind == "slice" else "whole volume"
count = len(next(iter(values.values())))
st.plotly_chart(
    histogram_figure(values, bins=bins, log=log, title=f"{where}, {which}: {count:,} voxels per channel"),
    key="histograms", width="stretch",
)  # fmt: skip
