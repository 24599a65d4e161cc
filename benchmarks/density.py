"""The joint-intensity density: neuroseg's binned KDE against seaborn.kdeplot and scipy's gaussian_kde."""

from __future__ import annotations

import numpy as np

from benchmarks.common import ensure_1mm, main, s, table, timed, volume_X
from neuroseg.analysis.density import histogram2d, kde2d


def run(quick: bool) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns
    from scipy.stats import gaussian_kde

    X = volume_X(ensure_1mm())
    rng = np.random.default_rng(0)
    rows = []
    for n in (4_000, 200_000, len(X)):
        sample = X[np.sort(rng.choice(len(X), n, replace=False))] if n < len(X) else X
        x, y = sample[:, 0], sample[:, 1]
        ours, (hist, grid), runs = timed(lambda: (histogram2d(x, y), kde2d(x, y)))
        gx, gy = np.meshgrid(grid.x[::2], grid.y[::2])
        points = np.vstack([gx.ravel(), gy.ravel()])
        slow = quick and n > 200_000
        if slow:
            scipy_time, diff, sns_time = "not run (--quick)", "-", "not run (--quick)"
        else:
            t, ref, _ = timed(lambda: gaussian_kde(np.vstack([x, y]))(points).reshape(gx.shape), 1)
            diff = f"{np.abs(grid.values[::2, ::2] / grid.values.max() - ref / ref.max()).max() * 100:.2f} %"
            scipy_time = f"{s(t)} ({t / ours:,.0f}x)"
            if n <= 200_000:
                def seaborn_plot():
                    fig, ax = plt.subplots()
                    sns.kdeplot(x=x, y=y, ax=ax)
                    plt.close(fig)

                t_sns, _, _ = timed(seaborn_plot, 1)
                sns_time = f"{s(t_sns)} ({t_sns / ours:,.0f}x)"
            else:
                sns_time = "not run (over 20 min)"
        rows.append([f"{n:,}", f"{ours * 1000:.0f} ms ({runs})", sns_time, scipy_time, diff])
    return table(
        "Density of the 1 mm phantom's joint intensities (200 x 200 grid; scipy evaluated on 100 x 100 of its points)",
        ["voxels", "neuroseg histogram + KDE", "seaborn.kdeplot (ours faster by)", "scipy gaussian_kde (ours faster by)",
         "max normalised difference vs gaussian_kde"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main("density", run)
