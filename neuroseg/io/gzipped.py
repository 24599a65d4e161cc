"""Inflate gzip streams in memory, with a byte cap and the CRC checked."""

from __future__ import annotations

import gzip
import io
import zlib

from neuroseg.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 2**20


def is_gzip(raw: bytes) -> bool:
    """Whether ``raw`` starts with gzip's magic bytes (the name is never trusted)."""
    return raw[:2] == GZIP_MAGIC


def gunzip_head(raw: bytes, name: str, n_bytes: int) -> bytes:
    """Inflate just the first ``n_bytes`` of a gzip stream (to read a header)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(raw, n_bytes)
    except zlib.error:
        raise InputError(name, "starts like a gzip file but its stream is damaged.", "Fetch the file again.") from None


def gunzip_all(raw: bytes, name: str, cap: int) -> bytes:
    """Inflate a whole gzip stream, at most ``cap`` bytes, checking its CRC."""
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                if out.tell() > cap:
                    raise InputError(
                        name,
                        f"decompresses to more than the {cap:,} bytes its header declares.",
                        "The file is damaged or not what it claims; re-export it.",
                    )
    except EOFError:
        raise InputError(
            name, "is a cut-off gzip stream (the end of the file is missing).", "Fetch the file again."
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        problem = (
            "fails its gzip checksum (CRC): the data is corrupted."
            if "CRC" in str(exc) or "length" in str(exc)
            else "has bytes after the end of its gzip stream, or a damaged stream."
        )
        raise InputError(name, problem, "Fetch the file again.") from None
    return out.getvalue()


def data_half(raw: bytes, name: str, header_name: str, expected: int) -> bytes:
    """The voxel bytes of a pair's data file: inflated (capped at ``expected``) if gzipped, and long enough."""
    data = gunzip_all(raw, name, cap=expected) if is_gzip(raw) else raw
    if len(data) < expected:
        raise InputError(
            name,
            f"is truncated: {header_name} declares {expected:,} bytes of voxel data but it holds {len(data):,}.",
            "The copy was probably cut off; fetch both files again.",
        )
    return data
