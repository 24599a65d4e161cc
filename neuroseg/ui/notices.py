"""Notices about bad URL parameters, kept in the session until dismissed."""

from __future__ import annotations

import streamlit as st

_NOTICES_KEY = "_neuroseg_url_notices"


def url_notices() -> list[str]:
    """Notices about bad URL parameters seen in this session, until dismissed.

    Streamlit drops a bad value from the URL after the first run, so the
    notices are kept in the session rather than recomputed on every run.
    """
    return list(st.session_state.get(_NOTICES_KEY, {}))


def dismiss_url_notices() -> None:
    st.session_state[_NOTICES_KEY] = {}


def note_url_problems(notices: list[str]) -> None:
    kept = st.session_state.setdefault(_NOTICES_KEY, {})
    kept.update(dict.fromkeys(notices))
