"""neuroseg dashboard: the router. Run with ``streamlit run app.py``."""

import streamlit as st

from neuroseg.ui.legacy import mark_routed
from neuroseg.ui.sidebar import sidebar
from neuroseg.ui.widgets import show_messages

st.set_page_config(page_title="neuroseg", page_icon="🧠", layout="wide")

PAGES = [
    st.Page("pages/data.py", title="Data & headers", icon=":material/description:", default=True),
    st.Page("pages/slices.py", title="Slices & histograms", icon=":material/view_in_ar:", url_path="slices"),
    st.Page("pages/joint.py", title="Joint intensities", icon=":material/scatter_plot:", url_path="joint"),
    st.Page("pages/segment.py", title="Segment", icon=":material/blur_on:", url_path="segment"),
    st.Page("pages/compare.py", title="Compare k × seeds", icon=":material/grid_view:", url_path="compare"),
]

page = st.navigation(PAGES)
show_messages(sidebar())
mark_routed()
page.run()
