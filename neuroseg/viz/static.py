"""Static (matplotlib and seaborn) figures: the lesson's KDE, and plots written to files."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def seaborn_kde_figure(x: np.ndarray, y: np.ndarray, names: Sequence[str]):
    """The lesson's static view: ``seaborn.kdeplot`` of two channels (a matplotlib Figure).

    seaborn evaluates the kernel at every point, so give it a small subsample.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    sns.kdeplot(x=x, y=y, fill=True, cmap="viridis", levels=12, ax=ax)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(f"seaborn.kdeplot of {len(x):,} voxels")
    fig.tight_layout()
    return fig
