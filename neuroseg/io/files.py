"""Which files make one image: formats that keep the voxel data in a companion file.

A NIfTI or Analyze ``.hdr`` goes with an ``.img``, a Philips ``.PAR`` with a
``.REC``, an AFNI ``.HEAD`` with a ``.BRIK`` (or ``.BRIK.gz``). Companions are
matched by name, case-insensitively, so a person can upload or name either half
of a pair; every other file is an image on its own (its format is then sniffed
from its bytes, never from its name).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from neuroseg.io.formats import PAIR_FAMILIES


@dataclass(frozen=True)
class Part:
    """One file's place in a pair: its stem, and whether it holds the header or the data."""

    name: str
    stem: str
    role: str  # "header", "data" or "single"
    family: int  # index into formats.PAIR_FAMILIES, -1 for a single file
    suffix: str


def part_of(name: str) -> Part:
    """Classify a file name (``scan+orig.BRIK.gz`` -> stem ``scan+orig``, role ``data``)."""
    lower = name.lower()
    for family, (headers, datas) in enumerate(PAIR_FAMILIES):
        for role, suffixes in (("header", headers), ("data", datas)):
            for suffix in sorted(suffixes, key=len, reverse=True):
                if lower.endswith(suffix) and len(name) > len(suffix):
                    return Part(name, name[: -len(suffix)], role, family, name[-len(suffix) :])
    return Part(name, name, "single", -1, "")


def companion_name(part: Part) -> str:
    """The name the missing half of a pair would have, in the same letter case."""
    headers, datas = PAIR_FAMILIES[part.family]
    wanted = (datas if part.role == "header" else headers)[0]
    if part.suffix.isupper():
        wanted = wanted.upper()
    return part.stem + wanted


def group_names(names: Sequence[str]) -> list[tuple[str, ...]]:
    """Group file names into images: pairs by stem, everything else alone, in upload order.

    A half pair stays a group of one, so loading it names the missing file.

    Examples
    --------
    >>> group_names(["b0.nii.gz", "t1.HDR", "t1.IMG"])
    [('b0.nii.gz',), ('t1.HDR', 't1.IMG')]
    """
    return [tuple(names[i] for i in group) for group in group_indices(names)]


def group_indices(names: Sequence[str]) -> list[tuple[int, ...]]:
    """As :func:`group_names`, by position (so that two uploads with one name stay two images)."""
    parts = [part_of(n) for n in names]
    groups: list[tuple[int, ...]] = []
    used: set[int] = set()
    for i, part in enumerate(parts):
        if i in used:
            continue
        used.add(i)
        if part.role == "single":
            groups.append((i,))
            continue
        mate = next(
            (
                j
                for j, other in enumerate(parts)
                if j not in used
                and other.family == part.family
                and other.role != part.role
                and other.stem.lower() == part.stem.lower()
            ),
            None,
        )
        if mate is None:
            groups.append((i,))
        else:
            used.add(mate)
            groups.append((i, mate) if part.role == "header" else (mate, i))
    return groups


def companion_path(path: Path) -> Path | None:
    """The other half of a pair beside ``path`` on disk, or None (for a single file, or when missing)."""
    part = part_of(path.name)
    if part.role == "single":
        return None
    headers, datas = PAIR_FAMILIES[part.family]
    wanted = {s.lower() for s in (datas if part.role == "header" else headers)}
    try:
        siblings = sorted(path.parent.iterdir())
    except OSError:
        return None
    for sibling in siblings:
        other = part_of(sibling.name)
        if other.family == part.family and other.suffix.lower() in wanted and other.stem.lower() == part.stem.lower():
            return sibling
    return None
