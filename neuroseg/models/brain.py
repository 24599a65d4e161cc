"""Brain extraction from a T1-weighted head: deepbet's two networks, run with onnxruntime (DESIGN 3.12).

deepbet (Fisch et al. 2024; MIT; its weights ship in its PyPI wheel and were
exported to ``data/deepbet_*.onnx`` by ``scripts/export_brain_model.py``)
extracts the brain in two steps, reproduced here without PyTorch:

1. the head, turned to RAS (no resampling) and resampled nearest-neighbour to
   128^3, is scaled by its 0.5-99.5 % quantiles; a small U-Net finds the
   brain, whose largest component gives a bounding box (10 % margin);
2. the box, resampled to a cube, goes through the segmentation U-Net; its
   brain probability, resampled back, is thresholded at 0.5, and the largest
   component with its holes filled is the brain.

deepbet runs step 2 on a 256^3 cube, which peaks at about 1.5 GB with
PyTorch and 0.93 GB with onnxruntime; neuroseg runs it on ``BOX_SIZE``^3
(0.69 GB), so that three app sessions fit Community Cloud's 2.7 GB. The size
was chosen for memory; its Dice against real BET brains is measured, not
tuned, in BENCHMARKS.md. Failure modes: an image that is no head or brain (the networks find
no brain-shaped region: refused by :func:`check_brain`), a T2 or other
contrast (trained on T1-weighted heads), a head cut off by the field of view.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from nibabel.orientations import apply_orientation, io_orientation, ornt_transform
from scipy import ndimage

from neuroseg.core.samples import BUNDLED_DIR

BBOX_MODEL = BUNDLED_DIR / "deepbet_bbox.onnx"  # shipped in data/, whatever NEUROSEG_DATA_DIR says
BRAIN_MODEL = BUNDLED_DIR / "deepbet_brain.onnx"
SMALL_SIZE = 128
BOX_SIZE = 192
"""Side of the cube the segmentation network runs on: the largest multiple of 32 whose run stays under 700 MB (BENCHMARKS.md)."""
MARGIN = 0.1
_RAS = np.array([[0, 1], [1, 1], [2, 1]])
_SESSIONS: dict = {}
_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()
"""One extraction at a time per process: the networks already use both cores, so app sessions extracting at once
would gain no time and multiply the activations' memory (about 0.5 GB each)."""


@dataclass(frozen=True)
class BrainExtraction:
    """The extracted brain of an image, on that image's own voxel grid.

    Attributes
    ----------
    mask : ndarray of bool
        The brain.
    probability : ndarray of float32
        The network's brain probability (0 outside the bounding box).
    """

    mask: np.ndarray
    probability: np.ndarray


def _session(path: Path):
    """One onnxruntime session per model file and process, made on first use (two threads, no memory arena)."""
    import onnxruntime as ort

    with _LOCK:
        if path not in _SESSIONS:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 2
            options.enable_cpu_mem_arena = False
            options.enable_mem_pattern = False
            _SESSIONS[path] = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return _SESSIONS[path]


def resize_nearest(volume: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Nearest-neighbour resampling to ``shape`` with PyTorch's ``nearest-exact`` rule (centres map to centres)."""
    index = [
        np.minimum(((np.arange(out) + 0.5) * (size / out)).astype(np.intp), size - 1)
        for size, out in zip(volume.shape, shape)
    ]
    return volume[np.ix_(*index)]


def _normalise(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """deepbet's input scaling: clip to the quantile window, standardise, then ImageNet-like mean and spread."""
    x = np.clip((x - low) / max(high - low, 1e-12), 0.0, 1.0)
    x = (x - x.mean()) / max(float(x.std(ddof=1)), 1e-12)
    return (0.226 * x + 0.449).astype(np.float32)


def _brain_probability(path: Path, x: np.ndarray) -> np.ndarray:
    output = _session(path).run(None, {"image": x[None, None]})[0]
    return output[0, 1]


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 26-connected component of ``mask`` (all False when it is empty)."""
    labels, n = ndimage.label(mask, structure=np.ones((3, 3, 3)))
    if n == 0:
        return np.zeros(mask.shape, bool)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


def _box(mask_small: np.ndarray, shape: tuple[int, ...]) -> tuple[slice, ...]:
    """deepbet's bounding box: where the small mask's mean along the other axes passes 2 %, grown by ``MARGIN``."""
    box = []
    for axis, size in enumerate(shape):
        others = tuple(a for a in range(3) if a != axis)
        where = np.flatnonzero(mask_small.mean(axis=others) > 0.02)
        if where.size == 0:
            return ()
        scale = size / mask_small.shape[axis]
        centre = scale * (where.max() + 1 + where.min()) / 2
        extent = (1 + 2 * MARGIN) * scale * (where.max() + 1 - where.min())
        centre, extent = np.round(centre), np.round(extent)
        box.append(slice(max(0, int(centre - extent / 2)), min(size, int(centre + extent / 2))))
    return tuple(box)


def extract_brain(volume: np.ndarray, affine: np.ndarray, box_size: int = BOX_SIZE) -> BrainExtraction:
    """The brain of a T1-weighted head or brain image.

    Parameters
    ----------
    volume : ndarray
        3-D intensities, in the image's own voxel order.
    affine : ndarray
        Its voxel-to-world affine (decides the turn to RAS the networks expect).
    box_size : int, default ``BOX_SIZE``
        Side of the cube the segmentation network runs on.

    Returns
    -------
    BrainExtraction
        On the image's own grid.
    """
    with _RUN_LOCK:
        return _extract(volume, affine, box_size)


def _extract(volume: np.ndarray, affine: np.ndarray, box_size: int) -> BrainExtraction:
    """:func:`extract_brain` itself (under its lock)."""
    to_ras = ornt_transform(io_orientation(affine), _RAS)
    x = np.nan_to_num(apply_orientation(np.asarray(volume, dtype=np.float32), to_ras))
    small = resize_nearest(x, (SMALL_SIZE,) * 3)
    low, high = (float(q) for q in np.quantile(small, [0.005, 0.995]))
    mask_small = largest_component(_brain_probability(BBOX_MODEL, _normalise(small, low, high)) > 0.5)
    probability = np.zeros(x.shape, np.float32)
    box = _box(mask_small, x.shape)
    if box:
        crop = resize_nearest(x[box], (box_size,) * 3)
        inside = _brain_probability(BRAIN_MODEL, _normalise(crop, low, high))
        probability[box] = resize_nearest(inside, probability[box].shape)
    mask = np.zeros(x.shape, bool)
    if box:
        mask[box] = ndimage.binary_fill_holes(largest_component(probability[box] > 0.5))
    back = ornt_transform(_RAS, io_orientation(affine))
    return BrainExtraction(apply_orientation(mask, back).astype(bool), apply_orientation(probability, back))
