"""Joint page: scatter with linked brushing, 2-D histogram and density of two channels."""

import numpy as np
import streamlit as st

from neuroseg.core.features import labels_to_image
from neuroseg.export.names import reproduce_name
from neuroseg.export.reproduce import joint_code
from neuroseg.viz.figures import density_figure, histogram2d_figure, image_figure, scatter_figure, subsample_rows
from neuroseg.viz.rasters import highlight_rgb
from neuroseg.viz.static import seaborn_kde_figure
from neuroseg.viz.selection import select_points
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.reproduce import reproduce_expander
from neuroseg.ui.widgets import anatomy, current_view, mask_outline, on_current_slice, require_stack, scope_switch

ensure_navigation()
ctx = current()
st.title("Joint intensities")
require_stack(ctx, channels=2)

stack = ctx.stack
names = stack.names
c1, c2, c3 = st.columns([1, 1, 2])
with c1:
    first = st.selectbox("Horizontal channel", names, index=0, key="joint_x")
with c2:
    second = st.selectbox("Vertical channel", names, index=1, key="joint_y")
with c3:
    kind = scope_switch()
pair = (names.index(first), names.index(second))
scope = ctx.scope(kind)
features = cache.features(stack.digest, scope, stack)
X = features.X[:, pair]
if len(X) < 3:
    st.warning(f"Fewer than 3 voxels are inside the analysis mask ({stack.mask.source}) here; pick another slice, the whole volume or another mask.")
    st.stop()

left, right = st.columns(2)
with left:
    rows = subsample_rows(len(X))
    event = st.plotly_chart(
        scatter_figure(X, [first, second], rows), key="scatter", on_select="rerun",
        selection_mode=("box", "lasso"), width="stretch",
    )  # fmt: skip
    st.caption("Draw a box or lasso to find those voxels in the slice; double-click to clear.")
selection = event.selection if event else {}
chosen = select_points(X[:, 0], X[:, 1], selection) if selection else np.zeros(len(X), bool)
with right:
    view = current_view(ctx)
    marked = on_current_slice(ctx, labels_to_image(chosen.astype(np.uint8), features.mask), kind)
    picture = highlight_rgb(anatomy(ctx, pair[0]), view.apply(marked) > 0)
    where = "this slice" if kind == "slice" else "the volume"
    title = f"{first}, {ctx.describe()}: {int(chosen.sum()):,} selected voxels in {where}"
    st.plotly_chart(
        image_figure(view, picture, title, height=480, outline=mask_outline(ctx)), key="brushed", width="stretch"
    )
    st.metric("Selected voxels", f"{int(chosen.sum()):,}", help="All voxels inside the drawn region, not only the plotted sample.")

hist, kde = cache.joint_grids(stack.digest, scope, pair, features.X)
h1, h2 = st.columns(2)
with h1:
    st.plotly_chart(histogram2d_figure(hist, [first, second]), key="hist2d", width="stretch")
with h2:
    st.plotly_chart(density_figure(kde, [first, second]), key="kde", width="stretch")
st.caption(
    f"Both computed on the server from all {len(X):,} voxels: a {hist.values.shape[1]}² histogram, and a Gaussian "
    "kernel density (the kernel of scipy's gaussian_kde, applied by FFT to a fine histogram)."
)
if st.toggle("Show the lesson's seaborn KDE (static, about a second to draw)", key="seaborn_kde"):
    few = subsample_rows(len(X), 3_000, seed=1)
    st.pyplot(seaborn_kde_figure(X[few, 0], X[few, 1], [first, second]), width="content")
    st.caption(f"On a random sample of {len(few):,} voxels: seaborn evaluates its kernel at every point, which is slow.")
reproduce_expander(ctx, lambda: joint_code(stack, scope, pair), reproduce_name(f"neuroseg_joint_{kind}"))
