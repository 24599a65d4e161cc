"""Show user-supplied text literally in Streamlit's Markdown."""

from __future__ import annotations

import re

_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def literal(text: str) -> str:
    """Escape Markdown so file and channel names show exactly as typed (no math, links or HTML)."""
    return _SPECIALS.sub(r"\\\1", text)
