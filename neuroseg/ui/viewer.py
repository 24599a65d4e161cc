"""Three orthogonal views through the crosshair, a click to move it, and its readout (DESIGN 3.10).

The views run in a fragment: a click, or one of the crosshair sliders, reruns
only the views and the readout, not the page around them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from neuroseg.core.axes import AXES
from neuroseg.ui import cache
from neuroseg.ui.context import Context, current
from neuroseg.ui.crosshair import move_crosshair
from neuroseg.viz.crosshair import crosshair_position, format_voxel, plane, voxel_at
from neuroseg.viz.figures import crosshair_figure
from neuroseg.viz.orientation import slice_view

Picture = Callable[[str, tuple[int, int, int]], np.ndarray]
"""``picture(axis, voxel)``: the displayed picture (grey or RGB) of the plane through ``voxel`` across ``axis``."""


@st.fragment
def three_views(
    key: str,
    picture: Picture,
    title: Callable[[str], str],
    readout: Callable[[tuple[int, int, int]], list[tuple[str, str]]],
    *,
    legend: dict[int, str] | None = None,
    colorbar: tuple[float, float, str, str] | None = None,
) -> None:
    """Draw the axial, coronal and sagittal views through the crosshair, its sliders and its readout.

    Parameters
    ----------
    key : str
        Prefix of the widgets' keys (one viewer per page).
    picture : callable
        ``picture(axis, voxel)`` -> uint8 grey or RGB picture, already turned for display.
    title : callable
        ``title(axis)`` -> the view's title.
    readout : callable
        ``readout(voxel)`` -> ``(field, value)`` rows.
    legend, colorbar
        As :func:`neuroseg.viz.figures.image_figure`. Every view outlines the analysis mask.
    """
    ctx: Context = current()
    shape, voxel = ctx.stack.shape, ctx.voxel
    mask = cache.features(ctx.stack.digest, ctx.scope("volume"), ctx.stack).mask
    order = sorted(AXES, key=lambda a: ("axial", "coronal", "sagittal").index(ctx.planes[a]))
    columns = st.columns(3)
    for column, axis in zip(columns, order):
        view = slice_view(ctx.stack.affine, axis)
        figure = crosshair_figure(
            view, picture(axis, voxel), crosshair_position(view, voxel, shape), title(axis), legend=legend,
            outline=view.apply(plane(mask, axis, voxel)), colorbar=colorbar,
        )  # fmt: skip
        event = column.plotly_chart(
            figure, key=f"{key}_{axis}_{format_voxel(voxel)}", on_select="rerun", selection_mode="points",
            width="stretch", config={"displayModeBar": False},
        )  # fmt: skip
        points = event.selection.points if event else []
        if points:
            row, col = round(points[0]["y"] / view.row_mm), round(points[0]["x"] / view.col_mm)
            moved = voxel_at(view, voxel, row, col, shape)
            if moved != voxel:
                move_crosshair(moved)
                st.rerun(scope="fragment")
    sliders = st.columns(3)
    for column, axis in zip(sliders, order):
        a = AXES.index(axis)
        st.session_state[f"{key}_cross_{axis}"] = voxel[a]
        column.slider(
            f"{ctx.planes[axis].capitalize()} plane: {'ijk'[a]}",
            0, shape[a] - 1, key=f"{key}_cross_{axis}", on_change=_slid, args=(key, axis),
        )  # fmt: skip
    readout_table(readout(voxel))


def readout_table(rows: list[tuple[str, str]]) -> None:
    """The crosshair's readout: indices, world coordinates, each channel's value (and label, where fitted)."""
    st.table(pd.DataFrame(rows, columns=["crosshair", "value"]).set_index("crosshair"))


def _slid(key: str, axis: str) -> None:
    voxel = list(current().voxel)
    voxel[AXES.index(axis)] = int(st.session_state[f"{key}_cross_{axis}"])
    move_crosshair(tuple(voxel))
