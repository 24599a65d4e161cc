"""The shared sidebar: dataset, uploads, analysis mask, slice axis and slice.

``app.py`` calls :func:`sidebar` on every run, before the page; pages read the
result with :func:`neuroseg.ui.context.current`. The main settings are bound
to query parameters so a copied URL reproduces the view.
"""

from __future__ import annotations

import streamlit as st

from neuroseg.core.axes import AXES, axis_planes
from neuroseg.core.samples import SAMPLES
from neuroseg.io.formats import short_list
from neuroseg.ui import cache
from neuroseg.ui.context import Context, current, publish
from neuroseg.ui.crosshair import crosshair_on_arrival, set_crosshair, show_in_url
from neuroseg.ui.markdown import literal
from neuroseg.ui.notices import note_url_problems
from neuroseg.ui.uploads import mask_controls, upload_controls
from neuroseg.ui.urlparams import invalid, rules

UPLOAD = "upload"
DATASETS = tuple(SAMPLES) + (UPLOAD,)


def sidebar() -> Context:
    """Draw the shared sidebar and return (and store) the context it defines."""
    query = {key: st.query_params[key] for key in st.query_params}
    ctx = Context()
    note_url_problems(invalid(query, rules(DATASETS)))
    with st.sidebar:
        st.markdown("## :material/neurology: neuroseg")
        st.caption("Explore brain MRI and segment it with Gaussian mixtures.")
        ctx.dataset = st.radio(
            "Dataset",
            DATASETS,
            key="dataset",
            bind="query-params",
            captions=[SAMPLES[k].title for k in SAMPLES] + [f"Your own images ({short_list()})"],
        )
        if ctx.dataset == UPLOAD:
            upload_controls(ctx)
        else:
            ctx.stack, ctx.truth = cache.sample(ctx.dataset)
            ctx.tissues = SAMPLES[ctx.dataset].tissues
        if ctx.stack is not None:
            mask_controls(ctx)
        if ctx.stack is not None:
            _slice_controls(ctx, query)
    publish(ctx)
    return ctx


def _slice_moved() -> None:
    ctx = current()
    voxel = list(ctx.voxel)
    voxel[AXES.index(st.session_state["axis"])] = int(st.session_state["slice"])
    set_crosshair(ctx.stack.shape, tuple(voxel))


def _slice_controls(ctx: Context, query: dict) -> None:
    stack = ctx.stack
    ctx.planes = axis_planes(stack.affine)
    axial = next((a for a, p in ctx.planes.items() if p == "axial"), "z")
    ctx.axis = st.radio(
        "Slice axis", AXES, index=AXES.index(axial), key="axis", bind="query-params", horizontal=True,
        captions=[ctx.planes[a] for a in AXES], help="The plane that one-plane views (joint, compare) show.",
    )  # fmt: skip
    ctx.voxel = crosshair_on_arrival(stack, ctx.axis, query, DATASETS)
    if "slice" in st.query_params:
        del st.query_params["slice"]  # an old link's slice now lives in the crosshair (voxel=)
    show_in_url(stack.shape, ctx.voxel)
    count = stack.shape[AXES.index(ctx.axis)]
    ctx.index = ctx.voxel[AXES.index(ctx.axis)]
    if count == 1:
        st.caption(f"This axis has a single slice ({ctx.plane}).")
    else:
        st.session_state["slice"] = ctx.index
        st.slider(
            f"Slice ({ctx.plane})", 0, count - 1, key="slice", on_change=_slice_moved,
            help="Index along the chosen array axis: the crosshair's coordinate on it (URL voxel=i,j,k).",
        )  # fmt: skip
    shape = " x ".join(map(str, stack.shape))
    st.caption(literal(f"{len(stack.names)} channel(s): {', '.join(stack.names)} · grid {shape}"))
