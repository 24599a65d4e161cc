"""The memory budget, and the check of what a header declares against it."""

from __future__ import annotations

import os

import numpy as np

from neuroseg.errors import InputError

DEFAULT_BUDGET_MB = 256
"""Default memory budget per image, in MiB; ``NEUROSEG_MEMORY_BUDGET_MB`` overrides it."""


def memory_budget_bytes() -> int:
    """Return the memory budget for one image, in bytes.

    The budget bounds both the decompressed file and the float64 working copy
    of one 3-D volume, so the largest accepted volume is ``budget / 8`` voxels
    (256 MiB: about 33 million voxels, e.g. 322**3; a 1 mm brain has 7 to 9 million).
    """
    mb = os.environ.get("NEUROSEG_MEMORY_BUDGET_MB", "")
    try:
        value = float(mb)
    except ValueError:
        value = DEFAULT_BUDGET_MB
    if not np.isfinite(value) or value <= 0:
        value = DEFAULT_BUDGET_MB
    return int(value * 2**20)


def squeeze_trailing(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Drop trailing singleton dimensions beyond the third (``(4, 5, 6, 1)`` -> ``(4, 5, 6)``)."""
    shape = list(shape)
    while len(shape) > 3 and shape[-1] == 1:
        shape.pop()
    return tuple(shape)


def check_declared(shape: tuple[int, ...], itemsize: int, name: str, budget: int) -> None:
    """Refuse a declared shape that is degenerate, has too many dimensions, or exceeds the budget.

    Called with what a header declares, before any voxel data is read, so a
    small file that claims a huge volume is refused without allocating it.
    """
    if any(d <= 0 for d in shape):
        raise InputError(name, f"declares a shape of {shape}, with a zero or negative size.", "The header is damaged.")
    squeezed = squeeze_trailing(shape)
    if len(squeezed) > 4:
        raise InputError(
            name,
            f"has {len(squeezed)} dimensions {squeezed}; neuroseg reads 2-D, 3-D and 4-D images.",
            "Split it into 3-D volumes first.",
        )
    n_bytes = int(np.prod(shape, dtype=np.float64)) * itemsize
    n_vox3 = int(np.prod(squeezed[:3], dtype=np.float64))
    if n_bytes > budget or n_vox3 * 8 > budget:
        raise InputError(
            name,
            f"declares {n_vox3:,} voxels per volume ({n_bytes / 2**20:,.0f} MiB of data), "
            f"more than the {budget / 2**20:,.0f} MiB memory budget allows.",
            "Crop or downsample it, or raise NEUROSEG_MEMORY_BUDGET_MB where you run neuroseg.",
        )
