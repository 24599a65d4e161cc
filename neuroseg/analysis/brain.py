"""The ``brain`` analysis mask: the brain extracted from the first channel, checked by registering the template onto it.

A whole-head scan under the lesson's rule or ``auto`` keeps the head, not the
brain. ``brain`` extracts the brain from the first channel (a T1-weighted
head or brain; :mod:`neuroseg.models.brain`) and registers the MNI152
template onto it (:mod:`neuroseg.models.registration`). An image whose
extracted "brain" does not line up with the template's anatomy is refused
with its file's name, never given a brain-shaped guess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from neuroseg.core.features import Scope
from neuroseg.core.masks import AnalysisMask
from neuroseg.core.stack import VolumeStack, with_mask
from neuroseg.errors import InputError
from neuroseg.models.options import OptionError
from neuroseg.models.brain import extract_brain
from neuroseg.models.registration import MIN_CORRELATION, Registration, register_template, template_brain

HINT = "Give a brain mask file instead (--mask FILE, or the mask choice 'file' in the app)."
MAX_BRAIN_ML = 2500.0
"""More than this inside the mask is more than a brain holds (an adult's brain and its CSF: about 1.1-1.9 L)."""


@dataclass(frozen=True)
class BrainMask:
    """The ``brain`` mask of a stack and the registration that checked it."""

    mask: AnalysisMask
    registration: Registration
    volume_ml: float


def brain_mask(stack: VolumeStack, progress: Callable[[str], object] | None = None) -> BrainMask:
    """Extract the brain from the stack's first channel and check it against the template.

    Parameters
    ----------
    stack : VolumeStack
    progress : callable, optional
        Called with a sentence as each step starts (the app shows them in a status box).

    Raises
    ------
    InputError
        Naming the first image when no brain is found or it does not line up with the template.
    """
    name = stack.reference.name
    tell = progress or (lambda step: None)
    tell(f"Extracting the brain from {name} (deepbet's networks)…")
    extraction = extract_brain(stack.channels[0], stack.affine)
    if extraction.mask.sum() * stack.voxel_ml < 100:
        raise InputError(name, "holds no brain that the extraction could find (less than 100 mL).", HINT)
    tell("Registering the MNI152 template onto the brain (12-parameter affine)…")
    registration = _checked(stack, extraction.mask, "the brain extracted from it", HINT)
    finite = np.logical_and.reduce([np.isfinite(c) for c in stack.channels])
    region = extraction.mask & finite
    volume_ml = float(region.sum() * stack.voxel_ml)
    digest = hashlib.sha256(f"brain|{stack.reference.digest}".encode()).hexdigest()[:24]
    notice = (
        f"Brain extracted from {name}: {volume_ml:,.0f} mL; the MNI152 template lines up with it at intensity "
        f"correlation {registration.correlation:.2f}."
    )
    voxel_to_mni = registration.voxel_to_mni(stack.affine)
    mask = AnalysisMask("brain", region, f"the brain extracted from {name}", (notice,), digest, voxel_to_mni)
    return BrainMask(mask, registration, volume_ml)


def registered(stack: VolumeStack) -> VolumeStack:
    """The stack with the MNI152 template registered onto its brain, which template tissue priors need.

    The ``brain`` mask brings its registration; a brain mask file is
    registered here (the same registration and check). Other masks may hold a
    whole head, onto which a brain-only template cannot be registered.

    Raises
    ------
    InputError
        When the mask is the lesson's rule or ``auto``, or the masked image does not line up with the template.
    """
    if stack.mask.voxel_to_mni is not None:
        return stack
    if stack.mask.kind != "file":
        raise OptionError(
            "priors", "template",
            "needs the MNI152 template registered onto the brain, and the lesson's rule or 'auto' may keep a whole "
            f"head (the mask here is '{stack.mask.kind}').",
            "Choose the mask 'brain' or a brain mask file.",
        )  # fmt: skip
    registration = _checked(stack, stack.mask.region, f"inside the mask {stack.mask.source}", "Check the mask file.")
    return with_mask(stack, replace(stack.mask, voxel_to_mni=registration.voxel_to_mni(stack.affine)))


def _checked(stack: VolumeStack, brain: np.ndarray, where: str, hint: str) -> Registration:
    """The template registered onto ``brain`` of the first channel, refused when it does not line up."""
    registration = register_template(stack.channels[0], stack.affine, brain)
    if registration.correlation < MIN_CORRELATION:
        raise InputError(
            stack.reference.name,
            f"does not look like a T1-weighted head or brain: the image {where} does not line up with the "
            f"MNI152 template (intensity correlation {registration.correlation:.2f} after registration; a brain "
            f"gives at least {MIN_CORRELATION:.1f}).",
            hint,
        )
    return registration


def bounding_box_centre(region: np.ndarray) -> tuple[int, ...]:
    """The voxel at the centre of a mask's bounding box (the middle of the volume for an empty mask)."""
    boxes = ndimage.find_objects(region.astype(np.uint8))
    if not boxes or boxes[0] is None:
        return tuple(n // 2 for n in region.shape)
    return tuple((s.start + s.stop - 1) // 2 for s in boxes[0])


def template_brain_slice(stack: VolumeStack, scope: Scope) -> np.ndarray:
    """The registered template's brain on a slice of the stack's grid (bool, the slice's shape), for its outline.

    Drawn beside the analysis mask, it shows at a glance whether the registration
    (which the MNI readout and the tissue priors rely on) fits the image.
    """
    if stack.mask.voxel_to_mni is None:
        raise ValueError("no template is registered onto this stack (the mask 'brain' or registered() does it)")
    plane = np.ones(scope.extract(np.empty(stack.shape, dtype=bool)).shape, dtype=bool)
    voxels = np.argwhere(scope.embed(plane, stack.shape))
    return template_brain(stack.mask.voxel_to_mni, voxels).reshape(plane.shape)


def whole_head_notice(stack: VolumeStack) -> str | None:
    """Why the analysed voxels are plainly not a brain (a whole head under ``lesson`` or ``auto``), or None.

    Judged on the whole volume's mask, whatever the scope, so that a slice of a
    head is flagged as the head is. Masks given as a file or extracted as the
    brain are trusted.
    """
    if stack.mask.kind not in ("lesson", "auto"):
        return None
    parts = [np.asarray(c) for c in stack.channels]
    inside = stack.mask.select(parts, stack.mask.region)
    volume_ml = float(inside.sum() * stack.voxel_ml)
    if volume_ml <= MAX_BRAIN_ML:
        return None
    return (
        f"The analysed voxels ({volume_ml:,.0f} mL inside {stack.mask.source}) are more than a brain holds (at most "
        f"about {MAX_BRAIN_ML:,.0f} mL): this looks like a whole head, so the clusters are not named CSF/GM/WM. "
        "Choose the mask 'brain' (--mask brain) to segment the brain."
    )
