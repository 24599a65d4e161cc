"""Segment page: one Gaussian mixture fit, its labels in intensity and image space, exports."""

import numpy as np
import streamlit as st

from neuroseg.viz.orientation import slice_view
from neuroseg.viz.rasters import colourize, overlay_rgb, window
from neuroseg.errors import InputError
from neuroseg.viz.figures import image_figure, labelled_scatter_figure, subsample_rows
from neuroseg.models.options import LESSON_SEED
from neuroseg.core.features import Scope
from neuroseg.export.reproduce import segment_code
from neuroseg.export.nifti import corrected_nifti, label_nifti, nifti_gz_bytes, posteriors_nifti
from neuroseg.core.stack import channel_name
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.markdown import literal
from neuroseg.ui.reproduce import reproduce_expander
from neuroseg.ui.viewer import three_views
from neuroseg.ui.widgets import (
    channel_window, current_view, fit_settings, mask_outline, on_current_slice, require_stack, scope_switch,
)  # fmt: skip
from neuroseg.viz.crosshair import plane, readout
from neuroseg.ui.urlparams import MAX_K, MAX_SEED

ensure_navigation()
ctx = current()
st.title("Segment")
require_stack(ctx)
stack = ctx.stack

c1, c2, c3 = st.columns([2, 1, 2])
with c1:
    k = st.slider("Clusters (k)", 1, MAX_K, 3, key="k", bind="query-params")
with c2:
    seed = int(st.number_input("Seed", 0, MAX_SEED, LESSON_SEED, key="seed", bind="query-params"))
with c3:
    kind = scope_switch()
settings = fit_settings()
scope = ctx.scope(kind)
seg = cache.segmentation(stack.digest, scope, k, seed, settings, stack)
if isinstance(seg, InputError):
    st.error(str(seg))
    st.stop()
result = seg.result
where = f"{ctx.plane} slice {ctx.index}" if kind == "slice" else "the whole volume"
st.caption(
    f"GaussianMixture(n_components={k}, random_state={seed}) on {where}, inside {stack.mask.source}; "
    f"{settings.describe()}."
)
if not result.converged and result.mode == "tissue":
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

view = current_view(ctx)
outline = mask_outline(ctx)
labels_here = on_current_slice(ctx, seg.label_image(), kind)
names = seg.tissue_names
for warning in seg.warnings:
    st.warning(literal(warning), icon=":material/warning:")
legend = {label: names[label - 1] if names else f"cluster {label}" for label in range(1, k + 1)}
opacity = st.slider("Label opacity", 0.0, 1.0, 0.6, 0.05, key="opacity")
labels_volume = seg.label_volume()
grey_window = channel_window(ctx, 0)


def _labelled(axis: str, voxel: tuple[int, int, int]):
    turn = slice_view(stack.affine, axis).apply
    grey = window(turn(plane(stack.channels[0], axis, voxel)), *grey_window)
    return overlay_rgb(grey, turn(plane(labels_volume, axis, voxel)), opacity)


if kind == "slice":
    st.caption(
        f"Only {ctx.plane} slice {ctx.index} is analysed, so the other two views show its labels as a line; "
        "choose 'the whole volume' to label every plane. Click a view to move the crosshair."
    )
three_views(
    "segment", _labelled, lambda axis: f"Labels over {stack.names[0]}, {ctx.planes[axis]}",
    lambda voxel: readout(voxel, stack.affine, stack.channels, stack.names, *seg.at(voxel), label_names=names,
                          voxel_to_mni=stack.mask.voxel_to_mni),
    legend=legend,
)  # fmt: skip
left, right = st.columns(2)
with left:
    if len(stack.names) >= 2:
        X = seg.features.X if result.corrected is None else result.corrected
        space = "intensity space" if result.corrected is None else "bias-corrected intensities"
        st.plotly_chart(
            labelled_scatter_figure(X, result.labels, stack.names, subsample_rows(len(X)), result.means,
                                    result.covariances, title=f"{k} clusters in {space}", legend=legend),
            key="labelled_scatter", width="stretch",
        )  # fmt: skip
    else:
        st.info("With one channel there is no joint scatter; the clusters are intervals of intensity (see the table).")
confidence_here = on_current_slice(ctx, seg.confidence_image(), kind)
with right:
    floor = 1.0 / k  # the largest posterior is never below 1/k
    picture = colourize(view.apply(confidence_here), floor, 1.0)
    st.plotly_chart(
        image_figure(view, picture, f"Model confidence, {ctx.plane} slice {ctx.index} (largest posterior; dark = uncertain)",
                     colorbar=(floor, 1.0, "Viridis", "posterior"), height=420, outline=outline),
        key="confidence", width="stretch",
    )  # fmt: skip
with st.container():
    table = seg.table()
    st.markdown("**Clusters** (numbered by ascending mean of the first channel)")
    st.dataframe(table.round(3), hide_index=True, width="stretch")
    if ctx.truth is not None:
        dice = seg.dice(ctx.truth, ctx.tissues)
        st.markdown("**Dice against the sample's reference labels** (clusters matched to tissues)")
        st.dataframe(dice.round(3), hide_index=True, width="stretch")
    base = f"neuroseg_k{k}_seed{seed}_{kind}"
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Labels (.nii.gz)", lambda: nifti_gz_bytes(label_nifti(seg)), f"{base}_labels.nii.gz", "application/gzip",
        on_click="ignore", help="uint8 label volume on the first image's grid and affine; 0 = outside the mask or the slice.",
    )  # fmt: skip
    d2.download_button(
        "Cluster table (.csv)", table.to_csv(index=False), f"{base}_clusters.csv", "text/csv", on_click="ignore"
    )
    d3.download_button(
        "Posteriors (.nii.gz)", lambda: nifti_gz_bytes(posteriors_nifti(seg)), f"{base}_probseg.nii.gz",
        "application/gzip", on_click="ignore", help="4-D float32: one volume per label, in label order.",
    )  # fmt: skip

if result.mode == "tissue":
    st.subheader("Tissue model")
    st.caption(
        "Posterior of each class (mixed partial-volume classes shared out by fraction)"
        + (", and the estimated bias field of each channel (1 = no bias)." if settings.bias_correct else ".")
    )
    tiles = st.columns(k + (len(stack.names) if settings.bias_correct else 0))
    posteriors = seg.posteriors()
    outside = ~on_current_slice(ctx, seg.features.mask, kind)

    def on_this_slice(rows: np.ndarray) -> np.ndarray:
        """Per-voxel values on the displayed slice, NaN (black) outside the mask."""
        field = on_current_slice(ctx, seg.scope_image(rows), kind)
        field[outside] = np.nan
        return view.apply(field)

    for label in range(1, k + 1):
        picture = colourize(on_this_slice(posteriors[:, label - 1]), 0, 1)
        tiles[label - 1].plotly_chart(
            image_figure(view, picture, f"P({legend[label]})", colorbar=(0.0, 1.0, "Viridis", ""), height=300),
            key=f"posterior_{label}", width="stretch",
        )  # fmt: skip
    if settings.bias_correct:
        for c, name in enumerate(stack.names):
            picture = colourize(on_this_slice(result.bias[:, c]), 0.6, 1.6, "RdBu")
            tiles[k + c].plotly_chart(
                image_figure(view, picture, f"Bias field of {name}", colorbar=(0.6, 1.6, "RdBu", "×"), height=300),
                key=f"bias_{c}", width="stretch",
            )  # fmt: skip
        downloads = st.columns(len(stack.names))
        for c, name in enumerate(stack.names):
            downloads[c].download_button(
                f"{name} bias-corrected (.nii.gz)", lambda c=c: nifti_gz_bytes(corrected_nifti(seg, c)),
                f"{base}_{channel_name(name)}_corrected.nii.gz", "application/gzip", on_click="ignore", key=f"corrected_{c}",
            )  # fmt: skip
reproduce_expander(ctx, lambda: segment_code(seg, Scope("slice", ctx.axis, ctx.index)), f"{base}_reproduce")
