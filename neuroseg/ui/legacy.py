"""Keep the app in st.navigation mode when a fresh server's first request is a deep link.

With a ``pages/`` folder beside ``app.py``, a fresh Streamlit process starts in
the legacy multipage mode until ``app.py`` has called ``st.navigation`` once;
a first request for ``/segment`` then runs ``pages/segment.py`` alone, without
the sidebar (DESIGN 2, streamlit issue 9624). Every page calls
:func:`ensure_navigation` first: a page run in legacy mode switches that mode
off and reruns, so ``app.py`` runs for the same URL. The mode is one flag for
the whole process, so when several sessions arrive at once, the first one's
switch would leave the others' pages running alone; each run therefore also
checks that ``app.py`` routed it (:func:`mark_routed`). This leans on Streamlit
internals (pinned minor version); the browser tests of a cold deep link and of
simultaneous cold sessions guard it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

_ROUTED = "_neuroseg_routed"


def mark_routed() -> None:
    """Called by ``app.py`` just before it runs the page that ``st.navigation`` chose."""
    run = get_script_run_ctx()
    if run is not None:
        setattr(run, _ROUTED, True)


def ensure_navigation() -> None:
    """Rerun through ``app.py`` if this page was run alone (legacy multipage mode), not routed by it."""
    run = get_script_run_ctx()
    routed = run is None or getattr(run, _ROUTED, False)
    if run is not None:
        setattr(run, _ROUTED, False)  # each run of a page must be routed anew
    if PagesManager.uses_pages_directory or not routed:
        PagesManager.uses_pages_directory = False
        st.rerun()
