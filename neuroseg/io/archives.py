"""Archives an upload may come as (a scanner's export zipped), opened in memory and checked before they are inflated."""

from __future__ import annotations

import io
import zipfile

from neuroseg.errors import InputError
from neuroseg.io.budget import memory_budget_bytes

MAX_MEMBERS = 20_000
"""Files a zip may hold (a 1 mm study of a few series is a few thousand)."""
NESTED = (".zip", ".tar", ".tgz", ".gz", ".7z", ".rar", ".bz2", ".xz")
"""Names of archives inside an archive, which are refused rather than opened."""


def unzip(name: str, data: bytes, budget: int | None = None) -> dict[str, bytes]:
    """The files of a ``.zip``, checked from its directory before anything is inflated.

    Refused: more than :data:`MAX_MEMBERS` files, more inflated bytes than the
    memory budget (a zip bomb is refused from its directory in well under a
    second), an archive inside the archive, and members whose inflated size
    lies about the directory.
    """
    budget = memory_budget_bytes() if budget is None else budget
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(name, f"is not a readable zip archive ({type(exc).__name__}).", "Zip the DICOM folder again.") from None
    if len(members) > MAX_MEMBERS:
        raise InputError(name, f"holds {len(members):,} files, more than {MAX_MEMBERS:,}.", "Zip one study at a time.")
    inflated = sum(m.file_size for m in members)
    if inflated > budget:
        raise InputError(
            name, f"would inflate to {inflated / 2**20:,.0f} MiB, more than the {budget / 2**20:.0f} MiB memory budget.",
            "Zip only the series you need, or raise NEUROSEG_MEMORY_BUDGET_MB.",
        )  # fmt: skip
    if any(m.filename.lower().endswith(NESTED) for m in members):
        raise InputError(name, "holds another archive inside it.", "Unpack the inner archive and zip its DICOM files.")
    files = {}
    for member in members:
        with archive.open(member) as stream:
            content = stream.read(member.file_size + 1)
        if len(content) != member.file_size:
            raise InputError(name, "has a member whose size differs from its directory entry.", "Zip the folder again.")
        if content[:4] == b"PK\x03\x04":
            raise InputError(name, "holds another archive inside it.", "Unpack the inner archive and zip its DICOM files.")
        files[member.filename] = content
    return files
