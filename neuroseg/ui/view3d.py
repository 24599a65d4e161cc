"""The 3-D view: NiiVue in a small Streamlit component of the project (DESIGN 3.15).

The component is the HTML and script in ``frontend/view3d``; it loads the
NiiVue build that nilearn ships (``nilearn/_assets/js/niivue.umd.js``, the
version pinned in requirements.txt), served by Streamlit as a second,
never-drawn component folder, so no copy of NiiVue sits in this repository
and nothing comes from a CDN. The volumes travel as gzipped uint8 NIfTI
files through Streamlit's media endpoint, by URL: the component fetches a
volume only when its URL (a digest of its bytes) changes, so moving the
crosshair, cutting or hiding labels sends a few numbers, never a volume.

The view is not a fragment: Streamlit remounts a component's iframe when a
full page run redraws a fragment, and a remount loads NiiVue and both
volumes again; a cached page rerun is cheaper than that.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.components.v1.custom_component import CustomComponent

from neuroseg.ui.context import current
from neuroseg.ui.crosshair import move_crosshair
from neuroseg.ui.viewer import readout_table
from neuroseg.viz.volume3d import label_table, nearest_voxel, world_point

TITLE = "3-D view"
"""The component's name, and so its iframe's title (the browser tests and DESIGN 3.15 find it by it)."""
NIIVUE_ROUTE = "neuroseg-niivue"
"""The component folder that serves NiiVue's build to the view (``../neuroseg-niivue/niivue.umd.js``)."""
FRONTEND = Path(__file__).parent / "frontend" / "view3d"
LAYOUTS = {"planes and 3-D": "multiplanar", "3-D alone": "render"}
CLIPS = {
    "nowhere": None, "the left": (270, 0, 110, 15), "the right": (90, 0, 250, 15), "the front": (180, 0, 160, 15),
    "the back": (0, 0, 20, 15), "above": (0, 90, 30, 50),
}  # fmt: skip
"""Where the clip plane cuts from: NiiVue's azimuth and elevation of the plane, then of a camera that sees the cut face."""


def niivue_folder() -> Path:
    """The folder holding nilearn's NiiVue build, found without importing nilearn."""
    spec = importlib.util.find_spec("nilearn")
    if spec is None or spec.origin is None:
        raise RuntimeError("nilearn is not installed; the 3-D view needs its NiiVue build (pip install -r requirements.txt).")
    return Path(spec.origin).parent / "_assets" / "js"


def _register(name: str, folder: Path) -> CustomComponent:
    component = CustomComponent(name=name, path=str(folder), module_name="neuroseg")
    runtime.get_instance().component_registry.register_component(component)
    return component


def _url(data: bytes, slot: str) -> str:
    """A URL the browser can fetch ``data`` from, kept while this session's page shows it."""
    return runtime.get_instance().media_file_mgr.add(data, "application/gzip", f"neuroseg.view3d.{slot}")


def three_d(
    key: str,
    image: bytes,
    readout: Callable[[tuple[int, int, int]], list[tuple[str, str]]],
    *,
    labels: bytes | None = None,
    legend: Mapping[int, str] | None = None,
    opacity: float = 0.6,
) -> None:
    """Draw the 3-D view of the current image (and labels), its controls, and the crosshair's readout.

    Parameters
    ----------
    key : str
        Prefix of the widgets' keys (one view per page).
    image, labels : bytes
        The image's and the labels' ``.nii.gz`` files (:mod:`neuroseg.viz.volume3d`, cached by the caller).
    readout : callable
        ``readout(voxel)`` -> ``(field, value)`` rows.
    legend : mapping, optional
        Label number -> name; the labels' colours and the show/hide control follow it.
    opacity : float
        Opacity of the labels over the image.

    Notes
    -----
    The component's arguments: ``image`` and ``labels`` (media URLs),
    ``table`` (:func:`~neuroseg.viz.volume3d.label_table`), ``opacity``,
    ``crosshair`` (mm), ``layout`` (``multiplanar`` or ``render``), ``clip``
    (None, or NiiVue's depth, azimuth and elevation of the plane, then the
    camera's azimuth and elevation) and ``height`` (px). It returns the
    millimetres of the last click and a name unique to that click.
    """
    ctx = current()
    left, middle, right = st.columns([2, 2, 3])
    layout = left.radio("Layout", tuple(LAYOUTS), key=f"{key}_3d_layout", horizontal=True)
    clip = middle.selectbox("Cut into the volume from", tuple(CLIPS), key=f"{key}_3d_clip")
    depth = right.slider(
        "Cut away (% of the volume's width)", 5, 95, 50, 5, key=f"{key}_3d_depth", disabled=CLIPS[clip] is None,
        help="How far the clip plane goes in; 50 % cuts through the volume's centre.",
    )  # fmt: skip
    shown = None
    if legend:
        shown = st.pills(
            "Labels shown", tuple(legend), selection_mode="multi", default=tuple(legend), key=f"{key}_3d_shown_{len(legend)}",
            format_func=lambda label: f"{label} {legend[label]}",
        )  # fmt: skip
    _register(NIIVUE_ROUTE, niivue_folder())
    value = _register(TITLE, FRONTEND)(
        image=_url(image, f"{key}.image"),
        labels=_url(labels, f"{key}.labels") if labels is not None else None,
        table=label_table(legend, shown) if legend else None,
        opacity=opacity,
        crosshair=world_point(ctx.stack.affine, ctx.voxel),
        layout=LAYOUTS[layout],
        clip=None if CLIPS[clip] is None else [0.5 - depth / 100, *CLIPS[clip]],
        height=640 if LAYOUTS[layout] == "multiplanar" else 520,
        key=f"{key}_3d", default=None,
    )  # fmt: skip
    if value and value.get("n") != st.session_state.get(f"{key}_3d_seen"):
        st.session_state[f"{key}_3d_seen"] = value["n"]
        moved = nearest_voxel(ctx.stack.affine, value["mm"], ctx.stack.shape)
        if moved != ctx.voxel:
            move_crosshair(moved)
            st.rerun()
    st.caption(
        "Drag to turn the volume, scroll to zoom; a click in any tile moves the crosshair (voxel= in the URL), "
        "and the crosshair moved anywhere else shows here."
    )
    readout_table(readout(ctx.voxel))
