"""The crosshair voxel in the session and in the URL (``voxel=i,j,k``; old links' ``axis`` + ``slice``)."""

from __future__ import annotations

import streamlit as st

from neuroseg.core.axes import AXES
from neuroseg.core.stack import VolumeStack
from neuroseg.ui.context import current
from neuroseg.ui.notices import note_url_problems
from neuroseg.ui.urlparams import invalid, rules
from neuroseg.viz.crosshair import centre, format_voxel, parse_voxel

_CROSSHAIR_KEY = "_neuroseg_crosshair"


def set_crosshair(shape: tuple[int, ...], voxel: tuple[int, int, int]) -> None:
    """Move the crosshair (for the grid ``shape``) and keep the URL's ``voxel`` in step."""
    st.session_state[_CROSSHAIR_KEY] = (tuple(shape), tuple(int(v) for v in voxel))
    show_in_url(shape, voxel)


def move_crosshair(voxel: tuple[int, int, int]) -> None:
    """Move the crosshair of the current image (a click or a slider in any view), in this run and the URL."""
    ctx = current()
    ctx.voxel = voxel
    ctx.index = voxel[AXES.index(ctx.axis)]
    set_crosshair(ctx.stack.shape, voxel)


def show_in_url(shape: tuple[int, ...], voxel: tuple[int, int, int]) -> None:
    """Keep ``voxel=`` in the URL, left out at the centre (the default), as bound widgets leave out theirs.

    It is written only when it changes: a write during the first run of a page
    makes the browser run the page again.
    """
    text = None if tuple(voxel) == centre(shape) else format_voxel(voxel)
    if st.query_params.get("voxel") != text:
        if text is None:
            del st.query_params["voxel"]
        else:
            st.query_params["voxel"] = text


def crosshair_on_arrival(stack: VolumeStack, axis: str, query: dict, datasets: tuple[str, ...]) -> tuple[int, int, int]:
    """The session's crosshair on this grid; on arrival, the URL's ``voxel`` (or an old link's ``slice``)."""
    saved = st.session_state.get(_CROSSHAIR_KEY)
    if saved is not None and saved[0] == stack.shape:
        return saved[1]
    voxel = centre(stack.shape)
    if saved is not None:  # another dataset: the URL's voxel was this session's, for the old grid
        pass
    elif "voxel" in query:
        parsed = parse_voxel(query["voxel"], stack.shape)
        if parsed is None:
            grid = " x ".join(map(str, stack.shape))
            note_url_problems([
                f"URL parameter voxel={str(query['voxel'])[:40]} is not valid (three whole numbers i,j,k inside "
                f"the grid {grid}), so the centre is used."
            ])  # fmt: skip
        else:
            voxel = parsed
    elif "slice" in query:  # an old link: axis + slice
        count = stack.shape[AXES.index(axis)]
        problems = invalid(query, {"slice": rules(datasets, count)["slice"]})
        note_url_problems(problems)
        if not problems:
            voxel = tuple(int(query["slice"]) if a == axis else v for a, v in zip(AXES, voxel))
    set_crosshair(stack.shape, voxel)
    return voxel
