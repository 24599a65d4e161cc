"""Files in, segmentation out: the path the ``segment`` and ``bids`` commands share.

So that a BIDS App run labels every participant exactly as ``segment`` would
with the same options, both go through :func:`segment_paths`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from neuroseg.analysis.brain import brain_mask
from neuroseg.analysis.segment import Segmentation, segment
from neuroseg.core.features import Scope, make_features
from neuroseg.core.masks import resolve_mask
from neuroseg.core.stack import VolumeStack, channel_name, stack_images, with_mask
from neuroseg.errors import InputError
from neuroseg.io import LoadedImage, load_path
from neuroseg.io.dicom import chosen_series, is_dicom_input, read_input
from neuroseg.io.dicom_volume import load_series
from neuroseg.models.cost import fit_bytes
from neuroseg.models.options import LESSON_SEED, FitOptions, check_k


@dataclass(frozen=True)
class RunOptions:
    """Every setting of one segmentation run from files (DESIGN 3.5, 3.8, 3.9): what is analysed, and ``fit``, how.

    The BIDS App records :meth:`as_dict` as its ``GeneratedBy`` options.
    """

    k: int
    seed: int = LESSON_SEED
    axis: str | None = None
    slice: int | None = None
    resample: bool = False
    volume: int = 0
    mask: str | None = None
    fit: FitOptions = FitOptions()

    def __post_init__(self) -> None:
        check_k(self.k)
        self.scope()

    def scope(self) -> Scope:
        """The whole volume, or the slice ``--axis``/``--slice`` name."""
        if self.slice is None:
            if self.axis is not None:
                raise InputError("--axis", "needs --slice N as well.")
            return Scope("volume")
        return Scope("slice", self.axis or "z", self.slice)

    def as_dict(self) -> dict:
        """The run's settings as plain values, with the model and the fit options it uses (:meth:`FitOptions.record`)."""
        plain = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "fit"}
        return plain | self.fit.effective().record()


def load_stack(
    paths: Sequence[str | Path], names: Sequence[str] | None = None, *, volume: int = 0, resample: bool = False,
    mask: str | None = None, series: Sequence[int] | None = None,
) -> tuple[VolumeStack, list[str]]:  # fmt: skip
    """Load co-registered images as a stack inside the chosen mask (``None``, ``"auto"``, ``"brain"`` or a mask file).

    A path may be a DICOM folder or ``.zip``: its series ``series`` (or its one
    readable series) become channels, named ``series N`` (``_T1w`` where the
    header says so).

    Returns
    -------
    stack : VolumeStack
    notices : list of str
        Things a user should know (e.g. that the mask was resampled).
    """
    images, found = load_inputs(paths, volume=volume, series=series)
    names = list(names) if names is not None else found
    stack = stack_images(images, names, resample=resample)
    if mask is None:
        return stack, []
    if mask == "brain":
        chosen = brain_mask(stack).mask
        return with_mask(stack, chosen), list(chosen.notices)
    kind = "auto" if mask == "auto" else "file"
    chosen = resolve_mask(kind, stack.channels, stack.reference, load_path(mask) if kind == "file" else None)
    return with_mask(stack, chosen), list(chosen.notices)


def load_inputs(
    paths: Sequence[str | Path], *, volume: int = 0, series: Sequence[int] | None = None
) -> tuple[list[LoadedImage], list[str]]:
    """The images of ``paths`` and their default channel names: image files, or a DICOM input's chosen series."""
    dicom = [p for p in paths if is_dicom_input(p)]
    if series and len(dicom) != 1:
        raise InputError("--series", "picks the series of one DICOM folder or .zip among the images.",
                         "Give exactly one DICOM folder or .zip, or leave --series out.")  # fmt: skip
    images, names = [], []
    for path in paths:
        if is_dicom_input(path):
            study = read_input(path)
            for number in chosen_series(study, series):
                images.append(load_series(study, number))
                names.append(study.get(number).channel_name)
        else:
            images.append(load_path(path, volume=volume))
            names.append(channel_name(Path(path).name))
    return images, names


def segment_paths(
    paths: Sequence[str | Path], options: RunOptions, names: Sequence[str] | None = None,
    before_fit: Callable[[int], None] | None = None, series: Sequence[int] | None = None,
) -> tuple[Segmentation, list[str]]:  # fmt: skip
    """Load ``paths`` (one per channel, the first is the reference grid) and segment them with ``options``.

    ``before_fit``, if given, is called with the fit's estimated peak memory in
    bytes (:func:`neuroseg.models.cost.fit_bytes`) before the fit starts.
    """
    stack, notices = load_stack(
        paths, names, volume=options.volume, resample=options.resample, mask=options.mask, series=series
    )
    features = make_features(stack.channels, options.scope(), stack.mask)
    if before_fit is not None:
        before_fit(fit_bytes(len(features.X), len(stack.names), options.k, options.fit, features.mask.size))
    seg = segment(stack, options.scope(), options.k, options.seed, options.fit, features=features)
    return seg, notices
