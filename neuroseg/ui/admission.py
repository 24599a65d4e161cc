"""Heavy work in the app goes through the process's memory gate, with its place in the queue shown on the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from neuroseg.analysis.admission import GATE, megabytes


@contextmanager
def admitted(cost: int, what: str) -> Iterator[None]:
    """Run the block once ``cost`` bytes of the server's budget are free; meanwhile say where this session waits."""
    notice = st.empty()

    def waiting(ahead: int) -> None:
        notice.info(
            f"Queued behind another session's work ({ahead} ahead): your {what} (about {megabytes(cost)}) starts by "
            "itself when the server's memory frees up.", icon=":material/hourglass_top:",
        )  # fmt: skip

    try:
        with GATE.admit(cost, waiting):
            notice.empty()
            yield
    finally:
        notice.empty()
