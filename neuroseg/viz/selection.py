"""Which voxels fall inside a box or lasso drawn on a scatter plot (linked brushing)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.path import Path


def select_points(x: np.ndarray, y: np.ndarray, selection: Mapping) -> np.ndarray:
    """Boolean mask of the points inside any box or lasso of a Plotly selection.

    The selection is tested against every point, not only the ones the
    (subsampled) scatter shows, so all voxels in the drawn region are found.

    Parameters
    ----------
    x, y : ndarray
        Coordinates of all points.
    selection : mapping
        Plotly selection state as Streamlit returns it: ``{"box": [{"x": [x0,
        x1], "y": [y0, y1]}, ...], "lasso": [{"x": [...], "y": [...]}, ...]}``.

    Returns
    -------
    ndarray of bool
    """
    inside = np.zeros(len(x), dtype=bool)
    for box in selection.get("box") or []:
        (x0, x1), (y0, y1) = sorted(box["x"][:2]), sorted(box["y"][:2])
        inside |= (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    for lasso in selection.get("lasso") or []:
        vertices = np.column_stack([lasso["x"], lasso["y"]])
        if len(vertices) >= 3:
            inside |= Path(vertices).contains_points(np.column_stack([x, y]))
    return inside
