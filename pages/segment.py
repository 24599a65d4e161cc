"""Segment page: one Gaussian mixture fit, its labels in intensity and image space, exports."""

from functools import partial

import streamlit as st

from neuroseg.core.stack import channel_name
from neuroseg.errors import InputError
from neuroseg.export.names import (
    cluster_table_name, corrected_name, labels_name, posteriors_name, reproduce_name, run_stem,
)  # fmt: skip
from neuroseg.export.nifti import corrected_nifti, label_nifti, nifti_gz_bytes, posteriors_nifti
from neuroseg.export.reproduce import segment_code
from neuroseg.models.options import LESSON_SEED
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.markdown import literal
from neuroseg.ui.reproduce import reproduce_expander
from neuroseg.ui.urlparams import APP_MAX_K, MAX_SEED
from neuroseg.ui.view3d import three_d
from neuroseg.ui.viewer import three_views
from neuroseg.ui.widgets import (
    channel_window, error_text, fit_settings, mask_outline, require_stack, scope_switch, view_switch,
)  # fmt: skip
from neuroseg.viz.segmentation import (
    confidence_figure, intensity_figure, labelled_plane, segmentation_readout, tissue_tiles,
)  # fmt: skip

ensure_navigation()
ctx = current()
st.title("Segment")
require_stack(ctx)
stack = ctx.stack

c1, c2, c3 = st.columns([2, 1, 2])
with c1:
    k = st.slider("Clusters (k)", 1, APP_MAX_K, 3, key="k", bind="query-params")
with c2:
    seed = int(st.number_input("Seed", 0, MAX_SEED, LESSON_SEED, key="seed", bind="query-params"))
with c3:
    kind = scope_switch()
settings = fit_settings()
seg = cache.segmentation(stack.digest, ctx.scope(kind), k, seed, settings, stack)
if isinstance(seg, InputError):
    st.error(error_text(seg))
    st.stop()
result = seg.result
st.caption(literal(seg.caption()))
if advice := result.options.real_scan_advice():
    st.info(advice)
if not result.converged and result.model == "tissue":
    st.info(
        f"The tissue model used all its {result.n_iter} iterations while some labels (more than 0.3 %) were "
        "still changing; the labels below are its last state."
    )
elif not result.converged:
    st.warning(
        f"The fit did not converge in {result.n_iter} iterations; the labels below are its last state. "
        "Try another seed, fewer clusters, or standardised channels."
    )
m = st.columns(5)
m[0].metric("Voxels labelled", f"{len(result.labels):,}")
m[1].metric(
    "Fitted on", f"{result.n_bins:,} bins" if result.n_bins else f"{result.n_fit:,} voxels",
    help="Fast mode fitted the voxels grouped by intensity into this many weighted bins." if result.n_bins else None,
)  # fmt: skip
m[2].metric("BIC", f"{result.bic:,.0f}")
m[3].metric("AIC", f"{result.aic:,.0f}")
m[4].metric("EM iterations", f"{result.n_iter}", help=f"{result.seconds:.2f} s to fit and label")

for warning in seg.warnings:
    st.warning(literal(warning), icon=":material/warning:")
legend = seg.legend()
opacity = st.slider("Label opacity", 0.0, 1.0, 0.6, 0.05, key="opacity")
pointed = partial(segmentation_readout, seg)
if view_switch() == "3d":
    st.caption(
        f"{stack.names[0]} inside the analysis mask, rendered in 3-D, with the labels in their colours"
        + (f"; only {ctx.describe()} is analysed, so the labels cover that slice." if kind == "slice" else ".")
    )
    level = channel_window(ctx, 0)
    three_d(
        "segment", cache.scene_image(stack, 0, level, masked=True), pointed, labels=cache.scene_labels(seg),
        legend=legend, opacity=opacity,
    )  # fmt: skip
else:
    if kind == "slice":
        st.caption(
            f"Only {ctx.describe()} is analysed, so the other two views show its labels as a line; "
            "choose 'the whole volume' to label every plane. Click a view to move the crosshair."
        )
    three_views(
        "segment", partial(labelled_plane, seg, seg.label_volume(), channel_window(ctx, 0), opacity),
        lambda axis: f"Labels over {stack.names[0]}, {ctx.planes[axis]}", pointed, legend=legend,
    )  # fmt: skip
left, right = st.columns(2)
left.plotly_chart(intensity_figure(seg), key="intensity_space", width="stretch")
right.plotly_chart(confidence_figure(seg, ctx.scope(), mask_outline(ctx)), key="confidence", width="stretch")
table = seg.table()
st.markdown("**Clusters** (numbered by ascending mean of the first channel)")
st.dataframe(table.round(3), hide_index=True, width="stretch")
if ctx.truth is not None:
    st.markdown("**Dice against the sample's reference labels** (clusters matched to tissues)")
    st.dataframe(seg.dice(ctx.truth, ctx.tissues).round(3), hide_index=True, width="stretch")
stem = run_stem(k, seed, kind)
d1, d2, d3 = st.columns(3)
d1.download_button(
    "Labels (.nii.gz)", lambda: nifti_gz_bytes(label_nifti(seg)), labels_name(stem), "application/gzip",
    on_click="ignore", help="uint8 label volume on the first image's grid and affine; 0 = outside the mask or the slice.",
)  # fmt: skip
d2.download_button("Cluster table (.csv)", table.to_csv(index=False), cluster_table_name(stem), "text/csv", on_click="ignore")
d3.download_button(
    "Posteriors (.nii.gz)", lambda: nifti_gz_bytes(posteriors_nifti(seg)), posteriors_name(stem), "application/gzip",
    on_click="ignore", help="4-D float32: one volume per label, in label order.",
)  # fmt: skip

if result.model == "tissue":
    st.subheader("Tissue model")
    st.caption(
        "Posterior of each class (mixed partial-volume classes shared out by fraction)"
        + (", and the estimated bias field of each channel (1 = no bias)." if result.options.bias_correct else ".")
    )
    tiles = tissue_tiles(seg, ctx.scope())
    for column, (key, figure) in zip(st.columns(len(tiles)), tiles.items()):
        column.plotly_chart(figure, key=key, width="stretch")
    if result.options.bias_correct:
        for column, (c, name) in zip(st.columns(len(stack.names)), enumerate(stack.names)):
            column.download_button(
                f"{name} bias-corrected (.nii.gz)", lambda c=c: nifti_gz_bytes(corrected_nifti(seg, c)),
                corrected_name(stem, channel_name(name)), "application/gzip", on_click="ignore", key=f"corrected_{c}",
            )  # fmt: skip
reproduce_expander(ctx, lambda: segment_code(seg, ctx.scope()), reproduce_name(stem))
