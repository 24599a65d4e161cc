""""Reproduce in Python": the script and notebook that rebuild a view of the app or a command-line run (DESIGN 3.13).

A view is described by what it was computed from: the stack (its files,
channel names, volume, mask), the scope, and the same :class:`FitOptions`
the fit used, so that the code cannot drift from what ran. When the fit is
scikit-learn's exact one inside the lesson's mask, on NIfTI files, the code
is the lesson's own (nibabel, NumPy, scikit-learn, matplotlib and seaborn,
every step visible); otherwise it calls neuroseg's public API with every
option the model uses spelled out. :mod:`neuroseg.export.views` fills the
templates of :mod:`neuroseg.export.templates` for either.
"""

from __future__ import annotations

import io
import keyword
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroseg.analysis.segment import Segmentation
from neuroseg.core.features import Scope
from neuroseg.core.stack import VolumeStack
from neuroseg.export import views
from neuroseg.export.notebook import Cell, notebook, script
from neuroseg.export.template import reserved_names
from neuroseg.models import FitOptions

LESSON_FORMATS = ("NIfTI-1", "NIfTI-2", "NIfTI-1 pair", "NIfTI-2 pair")
"""Formats whose voxels and affine ``nib.load(f).get_fdata()`` gives exactly as neuroseg reads them."""


@dataclass(frozen=True)
class Source:
    """What a view was computed from, as a script must name it.

    Attributes
    ----------
    files : tuple of str
        The file each channel is loaded from (the header's for a pair), in channel order.
    names : tuple of str
        The channels' names.
    variables : tuple of str
        A Python name per channel, for the lesson's code.
    volume : int
        The volume of 4-D images.
    four_d : tuple of bool
        Whether each file is 4-D.
    resample : bool
    mask : str or None
        The mask as the command line names it: None (the lesson's rule), ``"auto"``, ``"brain"`` or a mask file.
    plain : bool
        Whether plain nibabel reads every file as neuroseg does (NIfTI, a usable affine, no resampling).
    needed : tuple of str
        Every file the images are read from (both halves of a pair).
    """

    files: tuple[str, ...]
    names: tuple[str, ...]
    variables: tuple[str, ...]
    volume: int
    four_d: tuple[bool, ...]
    resample: bool
    mask: str | None
    plain: bool
    needed: tuple[str, ...]

    @classmethod
    def of(cls, stack: VolumeStack) -> Source:
        files = tuple(image.script_name for image in stack.images)
        kind = stack.mask.kind
        mask = None if kind == "lesson" else kind if kind in ("auto", "brain") else stack.mask.source
        plain = not stack.resampled and all(
            image.format in LESSON_FORMATS and np.allclose(image.affine, image.header.get_best_affine())
            for image in stack.images
        )  # an unusable affine was replaced by neuroseg, which nibabel would not do
        needed = tuple(dict.fromkeys(Path(f).name for image in stack.images for f in (image.files or (image.script_name,))))
        return cls(
            files, tuple(stack.names), python_names(stack.names), stack.reference.volume,
            tuple(len(image.shape) > 3 for image in stack.images), bool(stack.resampled), mask, plain, needed,
        )  # fmt: skip

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every file the script needs beside it: the images and the mask file, if any."""
        extra = () if self.mask in (None, "auto", "brain") else (self.mask,)
        return self.needed + extra


@dataclass(frozen=True)
class Reproduction:
    """The code of one view: its steps, as a script and as a notebook, and the files it reads."""

    cells: tuple[Cell, ...]
    inputs: tuple[str, ...]
    lesson: bool

    @property
    def script(self) -> str:
        return script(self.cells)

    def notebook(self) -> str:
        """The notebook as JSON text (built on demand: it needs nbformat)."""
        return notebook(self.cells)


def python_names(names: Sequence[str]) -> tuple[str, ...]:
    """A distinct, readable Python identifier per channel name (``T1w`` -> ``t1w``), clear of :func:`reserved_names`."""
    out: list[str] = []
    reserved = reserved_names()
    for name in names:
        base = re.sub(r"\W+", "_", name).strip("_").lower() or "channel"
        base = f"image_{base}" if base[0].isdigit() or keyword.iskeyword(base) or base in reserved else base
        candidate, n = base, 2
        while candidate in out:
            candidate, n = f"{base}_{n}", n + 1
        out.append(candidate)
    return tuple(out)


def _lesson_ready(source: Source, options: FitOptions, n_rows: int) -> bool:
    """Whether the fit is scikit-learn's exact one inside the lesson's mask, on files plain nibabel reads alike."""
    return source.plain and source.mask is None and options.is_lesson_fit(n_rows)


def segment_code(segmentation: Segmentation, shown: Scope | None = None) -> Reproduction:
    """The code that rebuilds a segmentation: its table, figures and ``labels.nii.gz``.

    Parameters
    ----------
    segmentation : Segmentation
    shown : Scope, optional
        The slice whose label map is drawn: the fit's own slice, else this one (default: the middle z slice).
    """
    source, scope = Source.of(segmentation.stack), segmentation.features.scope
    if scope.kind == "slice":
        shown = scope
    elif shown is None:
        shown = Scope("slice", "z", segmentation.stack.shape[2] // 2)
    result = segmentation.result
    options = result.options
    ready = _lesson_ready(source, options, len(result.labels))
    maker = views.lesson_segment if ready else views.library_segment
    cells = maker(source, scope, result.k, result.seed, options, shown)
    return Reproduction(tuple(cells), source.inputs, ready)


def compare_code(
    stack: VolumeStack, scope: Scope, ks: Sequence[int], seeds: Sequence[int], options: FitOptions, n_rows: int
) -> Reproduction:
    """The code that rebuilds a compare grid: its table (``compare.csv``) and its criteria figure."""
    source = Source.of(stack)
    ready = _lesson_ready(source, options, n_rows)
    maker = views.lesson_compare if ready else views.library_compare
    return Reproduction(tuple(maker(source, scope, list(ks), list(seeds), options)), source.inputs, ready)


def joint_code(stack: VolumeStack, scope: Scope, pair: tuple[int, int]) -> Reproduction:
    """The code that rebuilds the joint view of two channels: their statistics, scatter, 2-D histogram and KDE."""
    source = Source.of(stack)
    ready = source.plain and source.mask is None
    maker = views.lesson_joint if ready else views.library_joint
    return Reproduction(tuple(maker(source, scope, pair)), source.inputs, ready)


def inputs_zip(paths: Sequence[str | Path]) -> bytes:
    """The files a script reads, zipped under their own names (a bundled sample's, for a viewer of a demo)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:  # .nii.gz is compressed already
        for path in paths:
            archive.write(path, Path(path).name)
    return buffer.getvalue()
