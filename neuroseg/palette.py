"""Label colours: one colour per label number, the same in every view and export."""

from __future__ import annotations

LABEL_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7ba52",
)  # fmt: skip


def label_colour(label: int) -> str:
    """Display colour of label ``label`` (1-based), as ``#rrggbb``; the same label keeps its colour everywhere."""
    return LABEL_COLOURS[(label - 1) % len(LABEL_COLOURS)]
