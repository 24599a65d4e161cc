"""One segmentation (k = 3), exact and fast mode, slice and volume, against a naive ``fit_predict``."""

from __future__ import annotations

from sklearn.mixture import GaussianMixture

from benchmarks.common import ensure_1mm, main, s, table, timed
from neuroseg.analysis.metrics import adjusted_rand_index
from neuroseg.core.features import Scope, make_features
from neuroseg.core.samples import DATA_DIR, load_sample
from neuroseg.models import FitData, FitOptions, fit


def run(quick: bool) -> str:
    rows = []
    for label, data_dir in (("2 mm", DATA_DIR), ("1 mm", ensure_1mm())):
        stack, _ = load_sample("phantom", data_dir)
        middle = stack.shape[2] // 2
        for scope in (Scope("slice", "z", middle), Scope("volume")):
            X = make_features(stack.channels, scope, stack.mask).X
            naive, ref, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit_predict(X))
            for mode in ("exact", "fast"):
                ours, result, n = timed(lambda: fit(FitData(X), 3, 12345, FitOptions(mode=mode)))
                ari = adjusted_rand_index(result.labels, ref)
                rows.append([label, scope.kind, f"{len(X):,}", mode, s(naive), f"{s(ours)} ({n})", f"{naive / ours:.1f}x", f"{ari:.4f}"])
    return table(
        "One segmentation, k = 3, seed 12345",
        ["phantom", "scope", "voxels", "mode", "naive fit_predict", "neuroseg fit (runs)", "speed-up", "ARI vs naive"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main("segment", run)
