"""Compare page: a grid of cluster counts x seeds, model selection and seed stability."""

import streamlit as st

from neuroseg.analysis.compare import available_cores, compare, grid_table, label_alignments
from neuroseg.errors import InputError
from neuroseg.export.reproduce import compare_code
from neuroseg.core.features import labels_to_image, plane_rows
from neuroseg.viz.figures import criteria_figure, small_multiples_figure, stability_figure
from neuroseg.viz.rasters import mask_edge, overlay_rgb
from neuroseg.models.options import LESSON_SEED
from neuroseg.ui.cache import features, histogram_if_used, session_store
from neuroseg.ui.context import current
from neuroseg.ui.legacy import ensure_navigation
from neuroseg.ui.reproduce import reproduce_expander
from neuroseg.ui.widgets import (
    anatomy, current_view, fit_settings, mask_outline, require_stack, scope_switch,
)  # fmt: skip
from neuroseg.ui.urlparams import MAX_K, MAX_SEED, MAX_SEEDS

ensure_navigation()
ctx = current()
st.title("Compare cluster counts and seeds")
require_stack(ctx)
stack = ctx.stack

c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 2])
kmin = c1.number_input("Smallest k", 1, MAX_K, 2, key="kmin", bind="query-params")
kmax = c2.number_input("Largest k", 1, MAX_K, 6, key="kmax", bind="query-params")
n_seeds = c3.number_input("Seeds", 1, MAX_SEEDS, 3, key="seeds", bind="query-params")
first_seed = int(c4.number_input("First seed", 0, MAX_SEED, LESSON_SEED, key="seed", bind="query-params"))
with c5:
    kind = scope_switch()
settings = fit_settings()
if kmin > kmax:
    st.warning(f"The smallest k ({kmin}) is above the largest ({kmax}); they are swapped.")
    kmin, kmax = kmax, kmin
ks = list(range(int(kmin), int(kmax) + 1))
seeds = list(range(first_seed, first_seed + int(n_seeds)))
scope = ctx.scope(kind)
feats = features(stack.digest, scope, stack)

store = session_store("grid_cells")
prefix = (stack.digest, scope, settings)
todo = [(k, s) for k in ks for s in seeds if prefix + (k, s) not in store]
if todo:
    bar = st.progress(0.0, text=f"Fitting {len(todo)} mixtures…")
    done = []

    def _advance(result):
        store[prefix + (result.k, result.seed)] = result
        done.append(result)
        bar.progress(
            len(done) / len(todo), text=f"Fitted {len(done)} of {len(todo)} (k={result.k}, seed={result.seed})"
        )

    try:
        compare(
            stack, scope, todo, settings, features=feats, histogram=histogram_if_used(stack.digest, scope, stack, settings),
            n_jobs=available_cores(), on_result=_advance,
        )  # fmt: skip
    except InputError as exc:
        st.error(str(exc))
        st.stop()
    bar.empty()
results = [store[prefix + (k, s)] for k in ks for s in seeds]
grid_key = prefix + (tuple(ks), tuple(seeds))  # what depends on the whole grid is computed once per grid
if grid_key not in store:
    store[grid_key] = grid_table(results), label_alignments(results)
table, mappings = store[grid_key]
where = f"{ctx.plane} slice {ctx.index}" if kind == "slice" else "the whole volume"
st.caption(
    f"{len(results)} fits on {len(feats.X):,} voxels of {where}; {settings.describe()}. Revisits come from the cache."
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
st.subheader(f"Label maps, {ctx.plane} slice {ctx.index}")
st.caption("Rows: k. Columns: seeds. Colours are matched across runs (Hungarian matching on voxel overlap).")
st.plotly_chart(small_multiples_figure(view, pictures, ks, seeds), key="grid", width="stretch")

st.subheader("Every fit")
st.dataframe(table.round(4), hide_index=True, width="stretch")
st.download_button("Grid table (.csv)", table.to_csv(index=False), "neuroseg_compare.csv", "text/csv")
reproduce_expander(
    ctx, lambda: compare_code(stack, scope, ks, seeds, settings, len(feats.X)), f"neuroseg_compare_{kind}_reproduce"
)
