"""The sidebar's uploads: images (pairs grouped by name) as channels, and the analysis mask's controls."""

from __future__ import annotations

import streamlit as st

from neuroseg.core.masks import MASK_CHOICES
from neuroseg.core.samples import SAMPLES
from neuroseg.core.stack import channel_name
from neuroseg.errors import InputError
from neuroseg.io import FORMATS_TEXT, LoadedImage, group_indices, memory_budget_bytes
from neuroseg.io.dicom import is_dicom_upload
from neuroseg.ui import cache
from neuroseg.ui.context import Context
from neuroseg.ui.markdown import literal


def _image_channels(ctx: Context, files) -> list[tuple[LoadedImage, str]]:
    """Uploaded image files (pairs grouped by name) as channels, each with its volume and name controls."""
    channels = []
    for i, (label, loaded, chosen) in enumerate(uploaded_images(files)):
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
        channels.append((loaded, name.strip() or channel_name(loaded.name)))
        ctx.messages += [("warning", w) for w in loaded.warnings]
    return channels


def _dicom_channels(ctx: Context, files) -> list[tuple[LoadedImage, str]]:
    """A DICOM upload's series table, the series chosen as channels, and their names.

    The upload is named by its zip's name, or as "the DICOM upload": never by
    the names of the files inside it (exports name folders after patients).
    """
    zips = [f.name for f in files if f.name.lower().endswith(".zip")]
    label = zips[0] if len(zips) == 1 and len(files) == 1 else f"the DICOM upload ({len(files)} files)"
    ids = tuple(f.file_id for f in files)
    study = cache.dicom_study(ids, label, tuple((f.name, f.getvalue()) for f in files))
    if isinstance(study, InputError):
        ctx.messages.append(("error", str(study)))
        return []
    with st.expander(literal(f"Series in {label}"), expanded=True):
        st.dataframe(study.table(), hide_index=True, key="dicom_series_table")
        if study.skipped:
            st.caption("Files skipped: " + ", ".join(f"{n} {reason}" for reason, n in study.skipped.items()) + ".")
    readable = {s.number: s for s in study.series if s.problem is None}
    if not readable:
        ctx.messages.append(("error", f"{label}: no series can be read as a volume; the table in the sidebar says why."))
        return []
    numbers = st.multiselect(
        "Series as channels (the first is the reference grid)", tuple(readable), default=next(iter(readable)),
        key="dicom_series", format_func=lambda n: f"series {n} ({readable[n].frames} slices)",
    )  # fmt: skip
    channels = []
    for number in numbers:
        loaded = cache.dicom_series(ids, number, study)
        if isinstance(loaded, InputError):
            ctx.messages.append(("error", str(loaded)))
            continue
        default = readable[number].channel_name
        name = st.text_input(f"Channel name for series {number}", default, key=f"dicom_channel_{number}")
        channels.append((loaded, name.strip() or default))
        ctx.messages += [("warning", w) for w in loaded.warnings]
    return channels


def uploaded_images(files) -> list[tuple[str, LoadedImage | InputError]]:
    """Uploaded files grouped into images (pairs by name), each loaded or refused: ``(label, image)``."""
    out = []
    for group in group_indices([file.name for file in files]):
        chosen = [files[i] for i in group]
        names = tuple(f.name for f in chosen)
        loaded = cache.upload(tuple(f.file_id for f in chosen), names, 0, tuple(f.getvalue() for f in chosen))
        out.append((" + ".join(names), loaded, chosen))
    return out


def upload_controls(ctx: Context) -> None:
    budget = memory_budget_bytes() / 2**20
    files = st.file_uploader(
        "Images of one subject (one channel each)",
        accept_multiple_files=True,
        key="upload",
        help=f"Any volume format nibabel reads: {FORMATS_TEXT}. Give both files of a pair together. "
        "DICOM: a .zip of the scanner's export, or its files (with or without extensions). "
        f"Up to {budget:,.0f} MiB of voxel data per image.",
    )
    folder = st.file_uploader(
        "… or a DICOM folder", accept_multiple_files="directory", key="upload_folder",
        help="A scanner's export as a folder (all its subfolders are read); its series are listed to choose from.",
    )  # fmt: skip
    st.caption(
        "Uploads stay in this server's memory, for this session only, and are never written to disk or shown to "
        "anyone else. Please upload de-identified data."
    )
    chosen = list(files or []) + list(folder or [])
    if not chosen:
        ctx.messages.append(("info", "Upload one or more co-registered images in the sidebar to begin."))
        return
    dicom = [f for f in chosen if is_dicom_upload(f.name, f.getvalue()[:256])]
    channels = _dicom_channels(ctx, dicom) if dicom else []
    dicom_ids = {f.file_id for f in dicom}
    channels += _image_channels(ctx, [f for f in chosen if f.file_id not in dicom_ids])
    images = [image for image, _ in channels]
    names = [name for _, name in channels]
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


def mask_controls(ctx: Context) -> None:
    """The analysis mask: the lesson rule, the automatic foreground, or a mask image (bundled or uploaded)."""
    bundled = cache.sample_mask(ctx.dataset) if ctx.dataset in SAMPLES else None
    default = "file" if bundled is not None else "lesson"
    kind = st.radio(
        "Analysis mask", MASK_CHOICES, index=MASK_CHOICES.index(default), key="mask", bind="query-params",
        horizontal=True, captions=("> 0 in every channel", "foreground of the image", "a mask image", "extracted from a T1"),
        help="Which voxels are segmented. 'lesson' is the teaching recipe's rule; 'auto' finds the head or brain "
        "from the first image (smoothing, Otsu's threshold with hysteresis, largest component, holes filled), "
        "so background noise is never clustered; 'file' uses a mask image (nonzero = inside); 'brain' extracts "
        "the brain from the first image, a T1-weighted head (deepbet's networks), and checks it by registering "
        "the MNI152 template onto it (about 10 s on a 1 mm head).",
    )  # fmt: skip
    if kind == "brain":
        masked = cache.brain_stack(ctx.stack)
        if isinstance(masked, InputError):
            ctx.messages.append(("error", f"{masked} The lesson's rule is used until then."))
            return
        ctx.messages += [("info", notice) for notice in masked.mask.notices]
        ctx.stack = masked
        return
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
            uploaded = uploaded_images(files or [])
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
