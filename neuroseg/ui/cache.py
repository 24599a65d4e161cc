"""Cached wrappers: each expensive step runs once per distinct input.

Keys are digests of the source bytes plus the settings, never big arrays
(arguments starting with ``_`` are not hashed by Streamlit). Bundled samples
are cached globally; everything derived from them or from an upload is cached
per session (``scope="session"``), bounded in entries, and freed when the
session ends, so one user's data is never visible to another (DESIGN 3.7).
Refusals are cached as :class:`InputError` values so a bad file is not
re-parsed on every rerun.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st

from neuroseg.analysis.admission import GATE, LIGHTER
from neuroseg.analysis.brain import brain_mask, registered
from neuroseg.analysis.compare import available_cores, compare, grid_table, label_alignments
from neuroseg.analysis.density import Grid2D, histogram2d, kde2d
from neuroseg.analysis.segment import Segmentation, segment
from neuroseg.core.features import Features, Scope, make_features
from neuroseg.core.masks import resolve_mask
from neuroseg.core.samples import load_sample, load_sample_mask
from neuroseg.core.stack import VolumeStack, stack_images, with_mask
from neuroseg.errors import InputError
from neuroseg.io import LoadedImage, load_files
from neuroseg.io.dicom import Study, read_upload
from neuroseg.io.dicom_volume import load_series
from neuroseg.models import FitOptions, GMMResult
from neuroseg.models.cost import BRAIN_EXTRACTION_BYTES, fit_bytes
from neuroseg.models.histogram import Histogram, intensity_histogram
from neuroseg.ui.admission import admitted
from neuroseg.ui.markdown import literal
from neuroseg.viz.volume3d import content_box, display_volume, scene_nifti


@st.cache_resource(show_spinner="Loading the sample volumes…")
def sample(key: str) -> tuple[VolumeStack, np.ndarray | None]:
    """A bundled sample and its ground truth (public data, shared by all sessions)."""
    return load_sample(key)


@st.cache_resource(show_spinner=False)
def sample_mask(key: str) -> LoadedImage | None:
    """A bundled sample's brain mask, if it has one (public data, shared by all sessions)."""
    return load_sample_mask(key)


@st.cache_resource(scope="session", max_entries=16, show_spinner="Reading the upload…")
def upload(
    file_ids: tuple[str, ...], names: tuple[str, ...], volume: int, _raws: tuple[bytes, ...]
) -> LoadedImage | InputError:
    """An uploaded image (one file, or both halves of a pair) loaded and checked, or why it was refused."""
    try:
        return load_files(dict(zip(names, _raws)), volume=volume)
    except InputError as exc:
        return exc


@st.cache_resource(scope="session", max_entries=2, show_spinner="Reading the DICOM headers…")
def dicom_study(file_ids: tuple[str, ...], label: str, _files: tuple[tuple[str, bytes], ...]) -> Study | InputError:
    """The image series of a DICOM upload (zips opened, every file's header read), or why it was refused."""
    try:
        return read_upload(label, dict(_files))
    except InputError as exc:
        return exc


@st.cache_resource(scope="session", max_entries=4, show_spinner="Building the series' volume…")
def dicom_series(file_ids: tuple[str, ...], number: int, _study: Study) -> LoadedImage | InputError:
    """One series of a DICOM upload as an image, or why it cannot be one."""
    try:
        return load_series(_study, number)
    except InputError as exc:
        return exc


@st.cache_resource(scope="session", max_entries=4, show_spinner="Finding the analysis mask…")
def masked_stack(
    digest: str, kind: str, mask_digest: str, _stack: VolumeStack, _image: LoadedImage | None
) -> VolumeStack | InputError:
    """The stack analysed inside the chosen mask, or why the mask cannot be used."""
    try:
        return with_mask(_stack, resolve_mask(kind, _stack.channels, _stack.reference, _image))
    except InputError as exc:
        return exc


def brain_stack(stack: VolumeStack) -> VolumeStack | InputError:
    """The stack analysed inside the brain extracted from its first channel, or why the image was refused.

    Computed once per session and image; that first time a status box shows
    each step (extraction, registration) as it runs, and then the outcome.
    """
    store = session_store("brain_stacks", max_entries=2)
    if stack.digest not in store:
        with admitted(BRAIN_EXTRACTION_BYTES, "brain extraction"), st.status(
            literal(f"Finding the brain in {stack.reference.name}…"), expanded=True
        ) as status:
            start = time.perf_counter()
            try:
                found = brain_mask(stack, progress=lambda step: status.write(literal(step)))
            except InputError as exc:
                store[stack.digest] = exc
                status.update(label="No brain found", state="error", expanded=False)
            else:
                store[stack.digest] = with_mask(stack, found.mask)
                status.update(
                    label=f"Brain found: {found.volume_ml:,.0f} mL, template registered "
                    f"({time.perf_counter() - start:.1f} s)", state="complete", expanded=False,
                )  # fmt: skip
    return store[stack.digest]


@st.cache_resource(
    scope="session", max_entries=2, show_spinner="Registering the MNI152 template onto the brain mask…"
)  # fmt: skip
def registered_stack(digest: str, _stack: VolumeStack) -> VolumeStack | InputError:
    """The stack with the template registered onto its brain (template priors need it), or why it cannot be."""
    try:
        return registered(_stack)
    except InputError as exc:
        return exc


@st.cache_resource(scope="session", max_entries=4, show_spinner=False)
def upload_stack(
    digests: tuple[str, ...], names: tuple[str, ...], resample: bool, _images: tuple[LoadedImage, ...]
) -> VolumeStack | InputError:
    """Uploaded images stacked as channels, or why they cannot be."""
    try:
        return stack_images(_images, names, resample=resample)
    except InputError as exc:
        return exc


@st.cache_resource(scope="session", max_entries=8, show_spinner=False)
def features(digest: str, scope: Scope, _stack: VolumeStack) -> Features:
    """Analysis mask and feature matrix of one scope."""
    return make_features(_stack.channels, scope, _stack.mask)


@st.cache_resource(scope="session", max_entries=4, show_spinner="Grouping the voxels by intensity…")
def histogram(digest: str, scope: Scope, _stack: VolumeStack) -> Histogram:
    """The intensity histogram fast mode fits on (shared by every k and seed of a scope)."""
    return intensity_histogram(features(digest, scope, _stack).X)


def histogram_if_used(digest: str, scope: Scope, stack: VolumeStack, options: FitOptions) -> Histogram | None:
    """The scope's cached intensity histogram when fits with ``options`` go through it, else None."""
    if not options.uses_histogram(len(features(digest, scope, stack).X)):
        return None
    return histogram(digest, scope, stack)


def segmentation(
    digest: str, scope: Scope, k: int, seed: int, options: FitOptions, stack: VolumeStack
) -> Segmentation | InputError:
    """One segmentation, or why it failed; fitted once per session, through the server's memory gate.

    It shares the cached feature matrix (and intensity histogram), so an entry
    holds only labels and confidence: 5 bytes per analysed voxel.
    """
    store = session_store("segmentations", max_entries=24)
    key = (digest, scope, k, seed, options)
    if key not in store:
        store[key] = _segmentation(digest, scope, k, seed, options, stack)
    return store[key]


def _segmentation(digest, scope, k, seed, options, stack) -> Segmentation | InputError:
    if options.priors == "template":
        stack = registered_stack(digest, stack)
        if isinstance(stack, InputError):
            return stack
    try:
        feats = features(digest, scope, stack)
        cost = fit_bytes(len(feats.X), len(stack.names), k, options, feats.mask.size)
        GATE.check(cost, "This fit", LIGHTER)
        shared = histogram_if_used(digest, scope, stack, options)
        with admitted(cost, "fit"), st.spinner("Fitting the Gaussian mixture…"):
            return segment(stack, scope, k, seed, options, features=feats, histogram=shared)
    except InputError as exc:
        return exc


def grid(
    digest: str, scope: Scope, pairs: list[tuple[int, int]], options: FitOptions, stack: VolumeStack
) -> tuple[list[GMMResult], pd.DataFrame, dict] | InputError:
    """A compare grid's fits, its table and the label alignments that match colours across runs, or why it failed.

    Each (k, seed) cell is fitted once per session and kept (bounded) in the
    session, so widening a grid fits only its new cells, with a progress bar;
    the cells run through the server's memory gate, as many at once as cores.
    """
    store = session_store("grid_cells")
    prefix = (digest, scope, options)
    todo = [pair for pair in pairs if prefix + pair not in store]
    if todo:
        feats = features(digest, scope, stack)
        n_jobs = min(available_cores(), len(todo))
        cost = n_jobs * fit_bytes(len(feats.X), len(stack.names), max(k for k, _ in todo), options, feats.mask.size)
        try:
            GATE.check(cost, "This grid of fits", LIGHTER)
        except InputError as exc:
            return exc
        bar = st.progress(0.0, text=f"Fitting {len(todo)} mixtures…")
        done = []

        def advance(result: GMMResult) -> None:
            store[prefix + (result.k, result.seed)] = result
            done.append(result)
            bar.progress(len(done) / len(todo), text=f"Fitted {len(done)} of {len(todo)} (k={result.k}, seed={result.seed})")

        try:
            with admitted(cost, "grid of fits"):
                compare(
                    stack, scope, todo, options, features=feats, histogram=histogram_if_used(digest, scope, stack, options),
                    n_jobs=n_jobs, on_result=advance,
                )  # fmt: skip
        except InputError as exc:
            return exc
        finally:
            bar.empty()
    results = [store[prefix + pair] for pair in pairs]
    whole = prefix + (tuple(pairs),)  # what depends on the whole grid is computed once per grid
    if whole not in store:
        store[whole] = grid_table(results), label_alignments(results)
    return results, *store[whole]


@st.cache_resource(scope="session", max_entries=16, show_spinner="Binning the joint intensities…")
def joint_grids(digest: str, scope: Scope, pair: tuple[int, int], _X: np.ndarray) -> tuple[Grid2D, Grid2D]:
    """2-D histogram and kernel density of two channels' intensities."""
    x, y = _X[:, pair[0]], _X[:, pair[1]]
    return histogram2d(x, y), kde2d(x, y)


def scene_image(stack: VolumeStack, channel: int, level: tuple[float, float], masked: bool = False) -> bytes:
    """The 3-D view's image file: ``channel`` through the window ``level``, only the analysis mask if ``masked``.

    Made once per session, image (its digest changes with the mask) and window.
    """
    store = session_store("scene_volumes", max_entries=4)
    key = (stack.digest, channel, tuple(level), masked)
    if key not in store:
        keep = features(stack.digest, Scope("volume"), stack).mask if masked else None
        store[key] = display_volume(stack.channels[channel], stack.affine, *level, keep=keep)
    return store[key]


def scene_labels(seg: Segmentation) -> bytes:
    """The 3-D view's label file of a segmentation (cropped as its masked image), made once per session and segmentation."""
    store = session_store("scene_labels", max_entries=4)
    if id(seg) not in store:
        box = content_box(features(seg.stack.digest, Scope("volume"), seg.stack).mask)
        store[id(seg)] = (seg, scene_nifti(seg.label_volume(), seg.stack.affine, box))
    return store[id(seg)][1]


class LRUStore:
    """A dict that keeps at most ``max_entries`` items, dropping the least recently used."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()

    def __contains__(self, key) -> bool:
        return key in self._items

    def __getitem__(self, key):
        self._items.move_to_end(key)
        return self._items[key]

    def __setitem__(self, key, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def session_store(name: str, max_entries: int = 120) -> LRUStore:
    """A bounded store that lives in this session's state (for the comparison grid's cells)."""
    if name not in st.session_state:
        st.session_state[name] = LRUStore(max_entries)
    return st.session_state[name]

