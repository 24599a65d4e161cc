"""Static (matplotlib and seaborn) figures: the lesson's KDE, and plots written to files."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from neuroseg.viz.palette import label_colour


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


def group_volumes_figure(table: pd.DataFrame):
    """Stacked bars of each participant's tissue volumes (mL), in label colours (a matplotlib Figure).

    ``table`` is the BIDS App's group table: participant_id, [session_id,] index, name, volume_ml.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    who = table["participant_id"] + (" " + table["session_id"] if "session_id" in table else "")
    wide = table.assign(who=who).pivot(index="who", columns="name", values="volume_ml")
    wide = wide[list(dict.fromkeys(table.sort_values("index")["name"]))]
    fig, ax = plt.subplots(figsize=(max(4, 0.5 * len(wide) + 2), 4))
    colours = [label_colour(int(i)) for i in table.drop_duplicates("name").sort_values("index")["index"]]
    wide.plot.bar(stacked=True, ax=ax, color=colours)
    ax.set_ylabel("volume (mL)")
    ax.set_xlabel("")
    ax.set_title(f"Tissue volumes of {len(wide)} participant(s)")
    fig.tight_layout()
    return fig
