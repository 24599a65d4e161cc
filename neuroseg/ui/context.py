"""What the shared sidebar chose in this run, for the pages to read (:func:`current`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from neuroseg.core.features import Scope
from neuroseg.core.samples import DEFAULT_SAMPLE
from neuroseg.core.stack import VolumeStack

_CONTEXT_KEY = "_neuroseg_context"


@dataclass
class Context:
    """What the sidebar chose, for the pages to show.

    Attributes
    ----------
    dataset : str
        A sample key or ``"upload"``.
    stack : VolumeStack or None
        The channels to analyse; None until valid images are chosen.
    truth : ndarray or None
        Ground-truth labels (bundled phantom only).
    tissues : tuple of str
        Names of the truth labels 1, 2, ...
    axis : str
        Array axis of the current slice (the plane one-plane views show).
    index : int
        Current slice index: the crosshair's coordinate on ``axis``.
    voxel : (i, j, k)
        The crosshair, shared by every page (URL ``voxel=i,j,k``).
    planes : dict
        Anatomical plane shown by slicing each array axis.
    messages : list of (level, text)
        Errors, warnings and notices to show above the page.
    """

    dataset: str = DEFAULT_SAMPLE
    stack: VolumeStack | None = None
    truth: np.ndarray | None = None
    tissues: tuple[str, ...] = ()
    axis: str = "z"
    index: int = 0
    voxel: tuple[int, int, int] = (0, 0, 0)
    planes: dict = field(default_factory=dict)
    messages: list[tuple[str, str]] = field(default_factory=list)

    def scope(self, kind: str = "slice") -> Scope:
        """The current slice, or the whole volume."""
        return Scope(kind, self.axis, self.index)

    def describe(self, kind: str = "slice") -> str:
        """``"axial slice 47"`` for the current slice, or ``"the whole volume"``."""
        return self.scope(kind).describe(self.stack.affine)

    @property
    def plane(self) -> str:
        return self.planes.get(self.axis, "")


def current() -> Context:
    """The context the sidebar built in this run."""
    return st.session_state.get(_CONTEXT_KEY) or Context()


def publish(ctx: Context) -> None:
    """Keep the context the sidebar built for this run's page to read."""
    st.session_state[_CONTEXT_KEY] = ctx
