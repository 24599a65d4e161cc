"""The comparison grid: k = 2..8 x 5 seeds on the 2 mm, 1.5 mm and 1 mm phantoms, against a naive scikit-learn loop."""

from __future__ import annotations

import statistics
import time

import numpy as np
from sklearn.mixture import GaussianMixture

from benchmarks.common import GRID, ensure_1mm, ensure_phantom, main, s, table, timed, volume_X
from neuroseg.analysis.compare import fit_grid, grid_table
from neuroseg.analysis.metrics import adjusted_rand_index, pairwise_aris
from neuroseg.core.samples import DATA_DIR
from neuroseg.models import FitData


def run(quick: bool) -> str:
    rows, agreement = [], []
    sizes = [("2 mm", DATA_DIR), ("1.5 mm", ensure_phantom(1.5)), ("1.5 mm float", ensure_phantom(1.5)), ("1 mm", ensure_1mm())]
    for label, folder in sizes:
        X = volume_X(folder)
        if label.endswith("float"):  # dithered by one intensity step: every voxel distinct, the histogram lossy
            X = (X + np.random.default_rng(0).uniform(-0.5, 0.5, X.shape)).astype(np.float32).astype(np.float64)
        ours, (results, summary), n = timed(lambda: (lambda r: (r, grid_table(r)))(fit_grid(FitData(X), GRID, n_jobs=2)), 3)
        if label == "1 mm":  # the full naive loop takes several minutes: its first seed, times five
            firsts = [(k, 12345) for k in range(2, 9)]
            if quick:
                naive, naive_text = None, "not run (--quick)"
            else:
                t_first, _, _ = timed(lambda: [GaussianMixture(k, random_state=s).fit_predict(X) for k, s in firsts], 1)
                naive, naive_text = t_first * 5, f"{s(t_first * 5)} (7 fits timed x 5)"
            mean_ari = "-"
        else:
            naive, exact, _ = timed(lambda: {p: GaussianMixture(p[0], random_state=p[1]).fit_predict(X) for p in GRID}, 1)
            naive_text = s(naive)
            per_k = {k: [adjusted_rand_index(r.labels, exact[(r.k, r.seed)]) for r in results if r.k == k] for k in range(2, 9)}
            spread = {k: pairwise_aris([exact[(k, s)] for s in range(12345, 12350)]) for k in range(2, 9)}
            mean_ari = f"{np.mean([a for v in per_k.values() for a in v]):.4f}"
            for k in range(2, 9):
                agreement.append([label, k, f"{np.mean(per_k[k]):.4f}", f"{min(per_k[k]):.4f}", f"{np.median(spread[k]):.3f}"])
        bins = results[0].n_bins
        rows.append([
            f"{label} phantom, {len(X):,} voxels", f"{bins:,}", naive_text, f"{s(ours)} (median of {n})",
            f"1/{naive / ours:.0f}" if naive else "-", mean_ari,
        ])  # fmt: skip
    warm = warm_compare_rerun()
    out = [table(
        "Comparison grid: k = 2..8 x 5 seeds, whole volume, two channels (fits and the grid's summary table)",
        ["volume", "histogram bins", "naive fit_predict loop", "neuroseg (fast, 2 threads)", "time ratio",
         "mean ARI vs exact, same k and seed"],
        rows,
    )]  # fmt: skip
    out.append(table(
        "Agreement per k: fast mode against the exact fit with the same seed, and the exact fits' own spread",
        ["volume", "k", "mean ARI fast vs exact", "lowest of the 5 seeds", "exact vs exact across seeds (median pairwise ARI)"],
        agreement,
    ))  # fmt: skip
    out.append(f"Warm revisit of the 2 mm grid (compare page rerun, all 35 fits cached): {s(warm)}.\n")
    return "\n".join(out)


def warm_compare_rerun() -> float:
    """AppTest: the compare page on the 2 mm volume grid, rerun once everything is cached."""
    from neuroseg.testing.apptest import open_page

    at = open_page("compare", scope="volume", kmin=2, kmax=8, seeds=5)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main("grid", run)
