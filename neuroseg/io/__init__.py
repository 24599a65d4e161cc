"""Load brain images from bytes or paths, safely, in every volume format nibabel reads.

Everything a user can upload passes through :func:`load_files`: the format is
sniffed from magic bytes (names only pair companion files), the header is
parsed and checked against a memory budget *before* any voxel data is
decompressed or read, gzip streams are inflated with a byte cap and their CRC
checked, and nothing is written to disk. The voxel array handed to the
analysis is exactly what ``nib.load(f).get_fdata()`` gives (DESIGN 3.4).

Formats: :data:`neuroseg.io.formats.FORMATS`, the one list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from neuroseg.errors import InputError
from neuroseg.io import lazy, nifti
from neuroseg.io.budget import DEFAULT_BUDGET_MB, memory_budget_bytes
from neuroseg.io.files import companion_name, companion_path, group_indices, group_names, part_of
from neuroseg.io.formats import PAIR_NAMES, formats_text, sniff
from neuroseg.io.gzipped import gunzip_all, gunzip_head, is_gzip
from neuroseg.io.image import LoadedImage, digest_of

FORMATS_TEXT = formats_text()
"""The formats neuroseg reads (:data:`neuroseg.io.formats.FORMATS`), for help texts."""

__all__ = [
    "DEFAULT_BUDGET_MB",
    "FORMATS_TEXT",
    "LoadedImage",
    "group_indices",
    "group_names",
    "load_bytes",
    "load_files",
    "load_path",
    "memory_budget_bytes",
]


def load_files(parts: Mapping[str, bytes], *, volume: int = 0, budget: int | None = None) -> LoadedImage:
    """Load one image from the in-memory bytes of its file, or of both files of a pair.

    Parameters
    ----------
    parts : mapping of str to bytes
        File name -> content: one file, or the two halves of a pair
        (``.hdr`` + ``.img``, ``.PAR`` + ``.REC``, ``.HEAD`` + ``.BRIK``).
        Names are used to pair files and in messages, never as paths.
    volume : int, default 0
        Volume to analyse in a 4-D image.
    budget : int, optional
        Memory budget in bytes; :func:`memory_budget_bytes` by default.

    Returns
    -------
    LoadedImage

    Raises
    ------
    InputError
        With a message that names the file, the problem and what would work.
    """
    budget = memory_budget_bytes() if budget is None else budget
    if not 1 <= len(parts) <= 2:
        raise InputError("files", f"an image is one file or a pair, not {len(parts)} files.")
    for name, raw in parts.items():
        if len(raw) == 0:
            raise InputError(name, "is empty (0 bytes).", "Use the image file itself.")
    digest = digest_of(parts, volume)
    if len(parts) == 2:
        return _load_pair(parts, volume, budget, digest)
    ((name, raw),) = parts.items()
    head = _head(raw, name)
    sniffed = sniff(head)
    part = part_of(name)
    if sniffed is not None and sniffed.pair is None:  # MINC1, MINC2
        body = gunzip_all(raw, name, cap=budget) if is_gzip(raw) else raw
        return lazy.load_minc(body, name, sniffed.kind, volume, budget, digest)
    if sniffed is not None:
        raise _missing_half(name, sniffed.kind, "data file")
    try:
        info = nifti.parse_header(head, name)
    except InputError:
        if part.role == "data":
            raise _missing_half(name, PAIR_NAMES[part.family], "header") from None
        raise
    if info.paired:
        if part.role == "header":
            raise _missing_half(name, info.format, "data file")
        raise InputError(
            name,
            f"holds {'an' if info.format[0] == 'A' else 'a'} {info.format} header (the header of a .hdr/.img pair) with data glued on, or under "
            "another name; nibabel would read such a file wrongly.",
            "Give the .hdr and .img files as they were written, both together, or convert them to one .nii file.",
        )
    return nifti.load_single(raw, name, volume, budget, digest)


def load_bytes(raw: bytes, name: str, *, volume: int = 0, budget: int | None = None) -> LoadedImage:
    """Load a single-file image (an upload) from its bytes; see :func:`load_files`."""
    return load_files({name: raw}, volume=volume, budget=budget)


def load_path(path: str | os.PathLike, *, volume: int = 0, budget: int | None = None) -> LoadedImage:
    """Load an image file from disk through the same checks as an upload.

    The other half of a pair (``.img`` beside ``.hdr``, ``.REC`` beside
    ``.PAR``, ``.BRIK`` or ``.BRIK.gz`` beside ``.HEAD``) is found beside the
    named file, whichever half is named.
    """
    path = Path(path)
    budget = memory_budget_bytes() if budget is None else budget
    paths = [path] + [p for p in [companion_path(path)] if p is not None]
    return load_files({p.name: _read(p, budget) for p in paths}, volume=volume, budget=budget)


def _read(path: Path, budget: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > budget:
            raise InputError(
                path.name,
                f"is {size / 2**20:.0f} MiB, more than the {budget / 2**20:.0f} MiB memory budget.",
                "Crop or downsample it, or raise NEUROSEG_MEMORY_BUDGET_MB.",
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path.name, f"cannot be read ({exc.strerror or exc}).") from None


def _head(raw: bytes, name: str) -> bytes:
    return gunzip_head(raw, name, nifti.PEEK_BYTES) if is_gzip(raw) else raw[: nifti.PEEK_BYTES]


def _load_pair(parts: Mapping[str, bytes], volume: int, budget: int, digest: str) -> LoadedImage:
    names = list(parts)
    groups = group_names(names)
    if len(groups) != 1:
        raise InputError(
            " and ".join(names),
            "are not the two halves of one image (pairs are .hdr + .img, .PAR + .REC or .HEAD + .BRIK "
            "with the same name).",
            "Give each single-file image on its own.",
        )
    header_name, data_name = groups[0]
    header_raw, data_raw = parts[header_name], parts[data_name]
    sniffed = sniff(_head(header_raw, header_name))
    if sniffed is not None and sniffed.pair is not None:
        return lazy.load_with_companion(sniffed.kind, header_raw, header_name, data_raw, data_name, volume, budget, digest)
    return nifti.load_pair(header_raw, header_name, data_raw, data_name, volume, budget, digest)


def _missing_half(name: str, kind: str, missing: str) -> InputError:
    part = part_of(name)
    wanted = companion_name(part) if part.role != "single" else f"its {missing}"
    held, what = ("header", "data") if missing == "data file" else ("voxel data", "header")
    return InputError(
        name,
        f"is one half of a two-file image ({kind}): it holds the {held}, but the {what} file {wanted} is missing.",
        "Give both files together: upload them at once, or keep them side by side in one folder.",
    )
