"""Keep the app in st.navigation mode when a fresh server's first request is a deep link.

With a ``pages/`` folder beside ``app.py``, a fresh Streamlit process starts in
the legacy multipage mode until ``app.py`` has called ``st.navigation`` once;
a first request for ``/segment`` then runs ``pages/segment.py`` alone, without
the sidebar (DESIGN 2, streamlit issue 9624). Every page calls
:func:`ensure_navigation` first: a page run in legacy mode switches that mode
off and reruns, so ``app.py`` runs for the same URL. This leans on Streamlit
internals (pinned minor version); the browser test of a cold deep link guards it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_navigation() -> None:
    """Rerun through ``app.py`` if this page was run alone in legacy multipage mode."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
