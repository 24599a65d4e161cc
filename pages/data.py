"""Data page (/): the loaded channels, their headers, affines and orientation."""

import pandas as pd
import streamlit as st

from neuroseg.analysis.brain import bounding_box_centre, template_brain_slice
from neuroseg.core.axes import AXES
from neuroseg.core.features import Scope
from neuroseg.core.stack import channels_table
from neuroseg.io.header import raw_fields, summarize
from neuroseg.core.samples import SAMPLES
from neuroseg.export.brain import brain_mask_nifti, transform_json
from neuroseg.export.names import brain_mask_name, transform_name
from neuroseg.export.nifti import nifti_gz_bytes
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.markdown import literal
from neuroseg.ui.widgets import channel_window, require_stack
from neuroseg.viz.figures import image_figure
from neuroseg.viz.orientation import slice_view
from neuroseg.viz.rasters import window

ensure_navigation()
ctx = current()

st.title("Data & headers")
st.markdown(
    "Explore co-registered brain images and segment them with Gaussian mixtures: "
    "**1.** check the headers here · **2.** look at **Slices & histograms** · "
    "**3.** study the **Joint intensities** · **4.** **Segment** with k clusters · "
    "**5.** **Compare** cluster counts and seeds."
)
if ctx.dataset in SAMPLES:
    st.info(SAMPLES[ctx.dataset].description, icon=":material/info:")
require_stack(ctx)

stack = ctx.stack
st.subheader("Channels")
overview = channels_table(stack)
st.dataframe(overview, hide_index=True, width="stretch")
mask_voxels = int(cache.features(stack.digest, Scope("volume"), stack).mask.sum())
m1, m2, m3 = st.columns([1, 1, 3])
m1.metric("Voxels in the analysis mask", f"{mask_voxels:,}")
m2.metric("Mask volume", f"{mask_voxels * stack.voxel_ml:,.1f} mL")
m3.markdown(f"**Analysis mask:** {literal(stack.mask.source)} (`mask={stack.mask.kind}`); change it in the sidebar.")
if stack.mask.kind == "brain":
    base = stack.names[0]
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(
        "Brain mask (.nii.gz)", lambda: nifti_gz_bytes(brain_mask_nifti(stack)), brain_mask_name(base),
        "application/gzip", on_click="ignore", help="uint8, 1 = brain, on the first image's grid and affine.",
    )  # fmt: skip
    d2.download_button(
        "Transform to MNI (.json)", transform_json(stack), transform_name(base, base),
        "application/json", on_click="ignore", help="The 4x4 affine from the image's voxel indices to MNI mm.",
    )  # fmt: skip
    st.subheader("Registration check")
    centre = bounding_box_centre(stack.mask.region)
    low, high = channel_window(ctx, 0)
    for column, axis in zip(st.columns(3), AXES):
        index = centre[AXES.index(axis)]
        scope, view = Scope("slice", axis, index), slice_view(stack.affine, axis)
        figure = image_figure(
            view, window(view.apply(scope.extract(stack.channels[0])), low, high), scope.describe(stack.affine),
            height=320, outline=view.apply(scope.extract(stack.mask.region)),
            template_outline=view.apply(template_brain_slice(stack, scope)),
        )  # fmt: skip
        column.plotly_chart(figure, key=f"registration_{axis}", width="stretch")
    st.caption(
        literal(
            f"Cyan: the brain extracted from {stack.reference.name}. Orange: the MNI152 template's brain carried onto "
            "the image by the registration that the MNI readout and the tissue priors use. The two should run "
            "together; the template's brain is a little larger than a tight brain mask, and an affine cannot follow "
            "every gyrus."
        )
    )
planes = ", ".join(f"{a} = {p}" for a, p in ctx.planes.items())
st.caption(f"Array axes and the planes their slices show: {planes}. Voxel volume {stack.voxel_ml * 1000:.3g} mm³.")

for name, image in zip(stack.names, stack.images):
    st.subheader(literal(f"{name} · {image.name}"))
    for warning in image.warnings:
        st.warning(literal(warning))
    left, right = st.columns([3, 2])
    with left:
        summary = pd.DataFrame(list(summarize(image).items()), columns=["field", "value"])
        st.dataframe(summary, hide_index=True, width="stretch")
    with right:
        st.markdown("**Affine** (voxel → world mm)")
        st.dataframe(
            pd.DataFrame(image.affine, index=["x", "y", "z", ""], columns=["i", "j", "k", "offset"]).round(4),
            width="stretch",
        )
    with st.expander(literal(f"Every raw header field of {image.name}")):
        st.dataframe(pd.DataFrame(raw_fields(image), columns=["field", "value"]), hide_index=True, width="stretch")
