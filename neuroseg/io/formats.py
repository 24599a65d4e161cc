"""The one list of volume formats neuroseg reads, from which sniffing, pairing and every help text are derived.

A format is recognised from a file's first bytes (its ``magic``) where it has
one; NIfTI, Analyze and MGH, which have none that is reliable, are told apart
by parsing their binary header (:mod:`neuroseg.io.nifti`). Names only pair the
two files of a two-file format: a header with its data file. A new format is
one entry here and a loader in ``io/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One volume format.

    Attributes
    ----------
    name : str
        As users know it, e.g. ``"Philips PAR/REC"``.
    kind : str
        The short name a loader and messages use, e.g. ``"PAR/REC"``.
    single : tuple of str
        Suffixes (lower case, longest first) of a one-file image.
    pair : ((str, ...), (str, ...)) or None
        Suffixes of the header file and of the data file of a two-file image.
    magic : callable or None
        Whether a file's first bytes are this format's; None when the binary header decides.
    upper : bool
        Its files are conventionally named in upper case (``.PAR``, ``.HEAD``).
    """

    name: str
    kind: str
    single: tuple[str, ...] = ()
    pair: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    magic: Callable[[bytes], bool] | None = None
    upper: bool = False

    def files_text(self) -> str:
        """How its files are named, for help texts: ``.nii, .nii.gz, .hdr + .img or .img.gz``."""
        parts = sorted(self.single, key=len)
        if self.pair is not None:
            headers, datas = self.pair
            shown = (lambda s: s.upper().replace(".GZ", ".gz")) if self.upper else str
            parts.append(f"{shown(headers[0])} + {' or '.join(map(shown, datas))}")
        return ", ".join(parts)


def _afni(head: bytes) -> bool:
    text = head.lstrip()
    return text.startswith(b"type = ") and b"name = " in text


_HDR_IMG = ((".hdr", ".hdr.gz"), (".img", ".img.gz"))

FORMATS = (
    Format("NIfTI-1/2", "NIfTI", single=(".nii.gz", ".nii"), pair=_HDR_IMG),
    Format("Analyze 7.5", "Analyze", pair=_HDR_IMG),
    Format("MGH", "MGH", single=(".mgz", ".mgh")),
    Format("MINC1", "MINC1", single=(".mnc",), magic=lambda head: head[:4] in (b"CDF\x01", b"CDF\x02")),
    Format("MINC2", "MINC2", single=(".mnc",), magic=lambda head: head[:8] == b"\x89HDF\r\n\x1a\n"),
    Format("Philips PAR/REC", "PAR/REC", pair=((".par",), (".rec",)),
           magic=lambda head: head.lstrip().startswith(b"# === DATA DESCRIPTION FILE"), upper=True),  # fmt: skip
    Format("AFNI", "AFNI", pair=((".head",), (".brik", ".brik.gz")), magic=_afni, upper=True),
)
"""Every format, in the order help texts list them."""

PAIR_FAMILIES = tuple(dict.fromkeys(f.pair for f in FORMATS if f.pair is not None))
"""(header suffixes, data suffixes) of each two-file layout; NIfTI and Analyze share ``.hdr`` + ``.img``."""

PAIR_NAMES = tuple(" or ".join(f.kind for f in FORMATS if f.pair == family) + " pair" for family in PAIR_FAMILIES)
"""What each two-file layout is called in messages (``NIfTI or Analyze pair``)."""

SINGLE_SUFFIXES = tuple(dict.fromkeys(s for f in FORMATS for s in f.single))
"""Suffixes of one-file images (lower case)."""


def sniff(head: bytes) -> Format | None:
    """The format whose magic bytes ``head`` starts with, or None (NIfTI, Analyze, MGH: the header decides)."""
    return next((f for f in FORMATS if f.magic is not None and f.magic(head)), None)


def formats_text() -> str:
    """Every format and its file names in one sentence, for the uploader's help and the README."""
    items = [f"{f.name} ({f.files_text()})" for f in FORMATS]
    return ", ".join(items[:-1]) + " and " + items[-1]


def short_list() -> str:
    """The formats' short names, for captions: ``NIfTI, Analyze, MGH, MINC1, MINC2, PAR/REC, AFNI``."""
    return ", ".join(f.kind for f in FORMATS)
