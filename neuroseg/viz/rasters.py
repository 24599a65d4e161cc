"""Pictures of slices as uint8 arrays: display windows, colour maps, label overlays, outlines, PNG encoding.

Everything a view draws is turned into pixels here, on the server, so the
browser receives a small PNG whatever the voxel count.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image
from scipy import ndimage

from neuroseg.viz.palette import label_colour

SELECTION_COLOUR = (255, 215, 0)
MASK_COLOUR = (0, 229, 255)
TEMPLATE_COLOUR = (255, 128, 0)
"""The registered template's brain outline: orange, apart from the mask's cyan in every colour-vision type."""


def window(image: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map intensities to 0..255 grey levels through a display window."""
    span = max(high - low, np.finfo(float).eps)
    scaled = np.clip((np.nan_to_num(image, nan=low) - low) / span, 0.0, 1.0)
    return (scaled * 255).astype(np.uint8)


def default_window(values: np.ndarray) -> tuple[float, float]:
    """A robust display window: the 1st to 99.5th percentile of non-zero finite values."""
    values = values[np.isfinite(values) & (values != 0)]
    if values.size == 0:
        return 0.0, 1.0
    low, high = np.percentile(values, [1.0, 99.5])
    return float(low), float(max(high, low + 1e-9))


def colourize(image: np.ndarray, low: float, high: float, colormap: str = "viridis") -> np.ndarray:
    """Map values to RGB through a matplotlib colour map; NaN (outside the mask) is black."""
    from matplotlib import colormaps

    span = max(high - low, np.finfo(float).eps)
    scaled = np.clip((image - low) / span, 0.0, 1.0)
    rgb = (colormaps[colormap](np.nan_to_num(scaled))[..., :3] * 255).astype(np.uint8)
    rgb[~np.isfinite(image)] = 0
    return rgb


def png_source(picture: np.ndarray) -> str:
    """A uint8 grey (H, W) or RGB (H, W, 3) picture as a PNG data URI, the form Plotly's Image trace takes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(picture)).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def overlay_rgb(grey: np.ndarray, labels: np.ndarray, opacity: float, edge: np.ndarray | None = None) -> np.ndarray:
    """Blend label colours over a 0..255 grey image (label 0 stays grey); ``edge`` pixels take the mask colour.

    Every (label, grey level) blend is computed once into a lookup table, so a
    picture is one gather however many labels it shows.
    """
    ramp = np.arange(256, dtype=np.float32)[:, None]
    colours = [_rgb(label_colour(label)) for label in range(1, int(labels.max(initial=0)) + 1)]
    table = np.stack([np.repeat(ramp, 3, axis=1)] + [(1 - opacity) * ramp + opacity * c for c in colours])
    rgb = table.astype(np.uint8)[labels, grey]
    if edge is not None:
        rgb[edge] = MASK_COLOUR
    return rgb


def mask_edge(mask: np.ndarray) -> np.ndarray:
    """The voxels of ``mask`` that touch the outside: its outline."""
    return mask & ~ndimage.binary_erosion(mask, border_value=0)


def outline_rgb(picture: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int] = MASK_COLOUR) -> np.ndarray:
    """Draw the boundary of ``mask`` (its voxels that touch the outside) over a grey or RGB picture."""
    rgb = picture if picture.ndim == 3 else np.repeat(picture[..., None], 3, axis=2)
    rgb = rgb.copy()
    rgb[mask_edge(mask)] = colour
    return rgb


def highlight_rgb(grey: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Paint selected pixels in the selection colour over a grey image."""
    rgb = np.repeat(grey[..., None], 3, axis=2)
    rgb[selected] = SELECTION_COLOUR
    return rgb
