"""The shared sidebar (dataset, uploads, axis, slice) and what it gives the pages.

``app.py`` calls :func:`sidebar` on every run, before the page; pages read the
result with :func:`current`. The main settings are bound to query parameters
so a copied URL reproduces the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from neuroseg.errors import InputError
from neuroseg.core.features import Scope
from neuroseg.core.axes import AXES, axis_planes
from neuroseg.io import FORMATS_TEXT, LoadedImage, group_indices, memory_budget_bytes
from neuroseg.io.formats import short_list
from neuroseg.core.masks import MASK_CHOICES
from neuroseg.core.samples import DEFAULT_SAMPLE, SAMPLES
from neuroseg.core.stack import VolumeStack, channel_name
from neuroseg.ui import cache
from neuroseg.ui.markdown import literal
from neuroseg.ui.urlparams import invalid, rules
from neuroseg.viz.crosshair import centre, format_voxel, parse_voxel

UPLOAD = "upload"
DATASETS = tuple(SAMPLES) + (UPLOAD,)
_CONTEXT_KEY = "_neuroseg_context"
_NOTICES_KEY = "_neuroseg_url_notices"
_CROSSHAIR_KEY = "_neuroseg_crosshair"


@dataclass
class Context:
    """What the sidebar chose, for the pages to show.

    Attributes
    ----------
    dataset : str
        A sample key or ``"upload"``.
    stack : VolumeStack or None
        The channels to analyse; None until valid images are chosen.
    truth : ndarray or None
        Ground-truth labels (bundled phantom only).
    tissues : tuple of str
        Names of the truth labels 1, 2, ...
    axis : str
        Array axis of the current slice (the plane one-plane views show).
    index : int
        Current slice index: the crosshair's coordinate on ``axis``.
    voxel : (i, j, k)
        The crosshair, shared by every page (URL ``voxel=i,j,k``).
    planes : dict
        Anatomical plane shown by slicing each array axis.
    messages : list of (level, text)
        Errors, warnings and notices to show above the page.
    """

    dataset: str = DEFAULT_SAMPLE
    stack: VolumeStack | None = None
    truth: np.ndarray | None = None
    tissues: tuple[str, ...] = ()
    axis: str = "z"
    index: int = 0
    voxel: tuple[int, int, int] = (0, 0, 0)
    planes: dict = field(default_factory=dict)
    messages: list[tuple[str, str]] = field(default_factory=list)

    def scope(self, kind: str = "slice") -> Scope:
        """The current slice, or the whole volume."""
        return Scope(kind, self.axis, self.index)

    @property
    def plane(self) -> str:
        return self.planes.get(self.axis, "")


def url_notices() -> list[str]:
    """Notices about bad URL parameters seen in this session, until dismissed.

    Streamlit drops a bad value from the URL after the first run, so the
    notices are kept in the session rather than recomputed on every run.
    """
    return list(st.session_state.get(_NOTICES_KEY, {}))


def dismiss_url_notices() -> None:
    st.session_state[_NOTICES_KEY] = {}


def _note_url_problems(notices: list[str]) -> None:
    kept = st.session_state.setdefault(_NOTICES_KEY, {})
    kept.update(dict.fromkeys(notices))


def current() -> Context:
    """The context the sidebar built in this run."""
    return st.session_state.get(_CONTEXT_KEY) or Context()


def sidebar() -> Context:
    """Draw the shared sidebar and return (and store) the context it defines."""
    query = {key: st.query_params[key] for key in st.query_params}
    ctx = Context()
    _note_url_problems(invalid(query, rules(DATASETS)))
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
            _uploads(ctx)
        else:
            ctx.stack, ctx.truth = cache.sample(ctx.dataset)
            ctx.tissues = SAMPLES[ctx.dataset].tissues
        if ctx.stack is not None:
            _mask_controls(ctx)
        if ctx.stack is not None:
            _slice_controls(ctx, query)
    st.session_state[_CONTEXT_KEY] = ctx
    return ctx


def _uploaded_images(files) -> list[tuple[str, LoadedImage | InputError]]:
    """Uploaded files grouped into images (pairs by name), each loaded or refused: ``(label, image)``."""
    out = []
    for group in group_indices([file.name for file in files]):
        chosen = [files[i] for i in group]
        names = tuple(f.name for f in chosen)
        loaded = cache.upload(tuple(f.file_id for f in chosen), names, 0, tuple(f.getvalue() for f in chosen))
        out.append((" + ".join(names), loaded, chosen))
    return out


def _uploads(ctx: Context) -> None:
    budget = memory_budget_bytes() / 2**20
    files = st.file_uploader(
        "Images of one subject (one channel each)",
        accept_multiple_files=True,
        key="upload",
        help=f"Any volume format nibabel reads: {FORMATS_TEXT}. Give both files of a pair together. "
        f"Up to {budget:,.0f} MiB of voxel data per image. "
        "Uploads stay in this session's memory and are never written to disk.",
    )
    if not files:
        ctx.messages.append(("info", "Upload one or more co-registered images in the sidebar to begin."))
        return
    images, names = [], []
    for i, (label, loaded, chosen) in enumerate(_uploaded_images(files)):
        if isinstance(loaded, InputError):
            ctx.messages.append(("error", str(loaded)))
            continue
        if loaded.n_volumes > 1:
            volume = st.number_input(
                literal(f"Volume of {label}"), 0, loaded.n_volumes - 1, 0, key=f"volume_{i}",
                help=f"This image is 4-D with {loaded.n_volumes} volumes; one is analysed at a time.",
            )  # fmt: skip
            if volume:
                loaded = cache.upload(
                    tuple(f.file_id for f in chosen), tuple(f.name for f in chosen), int(volume),
                    tuple(f.getvalue() for f in chosen),
                )  # fmt: skip
        name = st.text_input(literal(f"Channel name for {label}"), channel_name(loaded.name), key=f"channel_{i}")
        images.append(loaded)
        names.append(name.strip() or channel_name(loaded.name))
        ctx.messages += [("warning", w) for w in loaded.warnings]
    if not images:
        return
    resample = st.checkbox(
        "Resample onto the first image's grid",
        key="resample",
        help="Needed when the images differ in shape or affine; uses trilinear interpolation.",
    )
    stack = cache.upload_stack(tuple(im.digest for im in images), tuple(names), resample, tuple(images))
    if isinstance(stack, InputError):
        ctx.messages.append(("error", str(stack)))
        return
    if stack.resampled:
        ctx.messages.append(("info", f"Resampled onto {images[0].name}'s grid: {', '.join(stack.resampled)}."))
    ctx.stack = stack


def _mask_controls(ctx: Context) -> None:
    """The analysis mask: the lesson rule, the automatic foreground, or a mask image (bundled or uploaded)."""
    bundled = cache.sample_mask(ctx.dataset) if ctx.dataset in SAMPLES else None
    default = "file" if bundled is not None else "lesson"
    kind = st.radio(
        "Analysis mask", MASK_CHOICES, index=MASK_CHOICES.index(default), key="mask", bind="query-params",
        horizontal=True, captions=("> 0 in every channel", "foreground of the image", "a mask image"),
        help="Which voxels are segmented. 'lesson' is the teaching recipe's rule; 'auto' finds the head or brain "
        "from the first image (smoothing, Otsu's threshold with hysteresis, largest component, holes filled), "
        "so background noise is never clustered; 'file' uses a mask image (nonzero = inside).",
    )  # fmt: skip
    image = None
    if kind == "file":
        if bundled is not None:
            image = bundled
            st.caption(literal(f"Mask: {image.name}, bundled with the sample."))
        else:
            files = st.file_uploader(
                "Mask image (nonzero = inside)", accept_multiple_files=True, key="mask_upload",
                help="One image, or both files of a pair; on another grid it is resampled (nearest neighbour).",
            )  # fmt: skip
            uploaded = _uploaded_images(files or [])
            if not uploaded:
                ctx.messages.append(("info", "Upload a mask image in the sidebar; until then the lesson's rule is used."))
                return
            _, image, _ = uploaded[0]
            if isinstance(image, InputError):
                ctx.messages.append(("error", f"{image} The lesson's rule is used until the mask is fixed."))
                return
    masked = cache.masked_stack(ctx.stack.digest, kind, image.digest if image else "", ctx.stack, image)
    if isinstance(masked, InputError):
        ctx.messages.append(("error", f"{masked} The lesson's rule is used until the mask is fixed."))
        return
    ctx.messages += [("info", notice) for notice in masked.mask.notices]
    ctx.stack = masked


def set_crosshair(shape: tuple[int, ...], voxel: tuple[int, int, int]) -> None:
    """Move the crosshair (for the grid ``shape``) and keep the URL's ``voxel`` in step."""
    st.session_state[_CROSSHAIR_KEY] = (tuple(shape), tuple(int(v) for v in voxel))
    _show_in_url(shape, voxel)


def _show_in_url(shape: tuple[int, ...], voxel: tuple[int, int, int]) -> None:
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


def _crosshair(stack: VolumeStack, axis: str, query: dict) -> tuple[int, int, int]:
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
            _note_url_problems([
                f"URL parameter voxel={str(query['voxel'])[:40]} is not valid (three whole numbers i,j,k inside "
                f"the grid {grid}), so the centre is used."
            ])  # fmt: skip
        else:
            voxel = parsed
    elif "slice" in query:  # an old link: axis + slice
        count = stack.shape[AXES.index(axis)]
        problems = invalid(query, {"slice": rules(DATASETS, count)["slice"]})
        _note_url_problems(problems)
        if not problems:
            voxel = tuple(int(query["slice"]) if a == axis else v for a, v in zip(AXES, voxel))
    set_crosshair(stack.shape, voxel)
    return voxel


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
    ctx.voxel = _crosshair(stack, ctx.axis, query)
    if "slice" in st.query_params:
        del st.query_params["slice"]  # an old link's slice now lives in the crosshair (voxel=)
    _show_in_url(stack.shape, ctx.voxel)
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
