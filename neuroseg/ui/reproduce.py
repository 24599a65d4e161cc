"""The "Reproduce in Python" expander: a view's script shown, and downloads of it as .py and .ipynb (DESIGN 3.13)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from neuroseg.core.samples import DATA_DIR, SAMPLES
from neuroseg.export.nifti import converted_nifti, nifti_gz_bytes
from neuroseg.export.reproduce import Reproduction, inputs_zip
from neuroseg.ui.context import Context
from neuroseg.ui.markdown import literal


def reproduce_expander(ctx: Context, make: Callable[[], Reproduction], base: str) -> None:
    """Show the code of the current view (built by ``make`` from what the view computed) with its downloads."""
    with st.expander("Reproduce in Python", icon=":material/code:"):
        reproduction = make()
        how = (
            "the lesson's own steps with nibabel, NumPy, scikit-learn, matplotlib and seaborn"
            if reproduction.lesson
            else "neuroseg's public API, every option named (the fit uses neuroseg's own steps)"
        )
        files = ", ".join(reproduction.inputs)
        st.caption(literal(f"This view as code: {how}. Run it in a folder that holds {files}."))
        left, middle, right = st.columns(3)
        left.download_button("Script (.py)", reproduction.script, f"{base}.py", "text/x-python", on_click="ignore")
        middle.download_button(
            "Notebook (.ipynb)", reproduction.notebook, f"{base}.ipynb", "application/x-ipynb+json", on_click="ignore"
        )
        if ctx.dataset in SAMPLES:
            right.download_button(
                "The sample's files (.zip)", lambda: inputs_zip([DATA_DIR / name for name in reproduction.inputs]),
                f"neuroseg_{ctx.dataset}_files.zip", "application/zip", on_click="ignore",
                help="The files the code reads, so a viewer of a demo can take the whole thing home.",
            )  # fmt: skip
        for image in (im for im in ctx.stack.images if im.format == "DICOM"):
            right.download_button(
                f"{image.script_name}", lambda image=image: nifti_gz_bytes(converted_nifti(image)), image.script_name,
                "application/gzip", on_click="ignore", key=f"converted_{image.script_name}",
                help="This DICOM series as the NIfTI file the code reads (voxels and affine; nothing from its headers).",
            )  # fmt: skip
        st.code(reproduction.script, language="python")
