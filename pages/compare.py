"""Compare page: a grid of cluster counts x seeds, model selection and seed stability."""

import streamlit as st

from neuroseg.analysis.compare import grid_pairs
from neuroseg.errors import InputError
from neuroseg.export.names import reproduce_name
from neuroseg.export.reproduce import compare_code
from neuroseg.core.features import labels_to_image, plane_rows
from neuroseg.viz.figures import criteria_figure, small_multiples_figure, stability_figure
from neuroseg.viz.rasters import mask_edge, overlay_rgb
from neuroseg.models.options import LESSON_SEED
from neuroseg.ui import cache
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.reproduce import reproduce_expander
from neuroseg.ui.widgets import (
    anatomy, current_view, error_text, fit_settings, mask_outline, require_stack, scope_switch,
)  # fmt: skip
from neuroseg.ui.urlparams import APP_MAX_K, MAX_SEED, MAX_SEEDS

ensure_navigation()
ctx = current()
st.title("Compare cluster counts and seeds")
require_stack(ctx)
stack = ctx.stack

c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 2])
kmin = c1.number_input("Smallest k", 1, APP_MAX_K, 2, key="kmin", bind="query-params")
kmax = c2.number_input("Largest k", 1, APP_MAX_K, 6, key="kmax", bind="query-params")
n_seeds = c3.number_input("Seeds", 1, MAX_SEEDS, 3, key="seeds", bind="query-params")
first_seed = int(c4.number_input("First seed", 0, MAX_SEED, LESSON_SEED, key="seed", bind="query-params"))
with c5:
    kind = scope_switch()
settings = fit_settings()
scope = ctx.scope(kind)
try:
    pairs = grid_pairs(int(kmin), int(kmax), first_seed, int(n_seeds))
except InputError as exc:
    st.error(f"{error_text(exc)} Choose a smallest k at or below the largest.")
    st.stop()
ks, seeds = sorted({k for k, _ in pairs}), sorted({s for _, s in pairs})
outcome = cache.grid(stack.digest, scope, pairs, settings, stack)
if isinstance(outcome, InputError):
    st.error(error_text(outcome))
    st.stop()
results, table, mappings = outcome
feats = cache.features(stack.digest, scope, stack)
st.caption(
    f"{len(results)} fits on {len(feats.X):,} voxels of {scope.describe(stack.affine)}; {settings.describe()}. "
    "Revisits come from the cache."
)

left, right = st.columns(2)
left.plotly_chart(criteria_figure(table), key="criteria", width="stretch")
right.plotly_chart(stability_figure(table), key="stability", width="stretch")

view = current_view(ctx)
grey = anatomy(ctx)
edge = mask_edge(mask_outline(ctx))  # the same outline on every run's picture
# only the plane's voxels: each run's labels are gathered at the plane's rows, never drawn on the whole volume
inside, rows = plane_rows(feats.mask, ctx.scope()) if kind == "volume" else (feats.mask, slice(None))
pictures = {
    (r.k, r.seed): overlay_rgb(
        grey, view.apply(labels_to_image(mappings[(r.k, r.seed)][r.labels[rows]], inside)), 0.75, edge
    )
    for r in results
}
st.subheader(f"Label maps, {ctx.describe()}")
st.caption("Rows: k. Columns: seeds. Colours are matched across runs (Hungarian matching on voxel overlap).")
st.plotly_chart(small_multiples_figure(view, pictures, ks, seeds), key="grid", width="stretch")

st.subheader("Every fit")
st.dataframe(table.round(4), hide_index=True, width="stretch")
st.download_button("Grid table (.csv)", table.to_csv(index=False), "neuroseg_compare.csv", "text/csv")
reproduce_expander(
    ctx, lambda: compare_code(stack, scope, ks, seeds, settings, len(feats.X)), reproduce_name(f"neuroseg_compare_{kind}")
)
