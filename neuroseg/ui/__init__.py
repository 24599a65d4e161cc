"""Streamlit glue: cached wrappers, the shared sidebar and page helpers.

This is the only part of neuroseg that imports Streamlit.
"""
