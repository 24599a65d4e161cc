"""Plotly figures for the dashboard, built from numpy arrays (no Streamlit here).

Images are sent as PNG images, not as float heatmaps; scatters are random
subsamples whose size is stated on the chart; histograms and densities are
binned on the server. So a figure's size does not grow with the voxel count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy.special import ndtr

from neuroseg.analysis.density import Grid2D
from neuroseg.viz.orientation import SliceView
from neuroseg.viz.palette import label_colour
from neuroseg.viz.rasters import MASK_COLOUR, TEMPLATE_COLOUR, outline_rgb, png_source

CROSSHAIR_COLOUR = "rgba(255, 64, 64, 0.85)"
MAX_CLICK_POINTS = 128
"""Clickable points per side of a view; larger views snap a click to every second (third...) pixel."""
MAX_SCATTER_POINTS = 20_000


def image_trace(view: SliceView, picture: np.ndarray, **axes) -> go.Image:
    """A displayed slice as a Plotly Image trace with pixels of their physical size (mm)."""
    return go.Image(source=png_source(picture), dx=view.col_mm, dy=view.row_mm,
                    hovertemplate="row %{y:.0f} mm, col %{x:.0f} mm<extra></extra>", **axes)  # fmt: skip


def _edge_letters(fig: go.Figure, view: SliceView, row: int | None = None, col: int | None = None) -> None:
    spots = [(0.5, 1.0, view.top, "center", "top"), (0.5, 0.0, view.bottom, "center", "bottom"),
             (0.0, 0.5, view.left, "left", "middle"), (1.0, 0.5, view.right, "right", "middle")]  # fmt: skip
    for x, y, text, xanchor, yanchor in spots:
        fig.add_annotation(
            x=x, y=y, xref="x domain", yref="y domain", text=f"<b>{text}</b>", showarrow=False,
            xanchor=xanchor, yanchor=yanchor, font=dict(color="#e0e0e0", size=13), row=row, col=col,
        )  # fmt: skip


def image_figure(
    view: SliceView,
    picture: np.ndarray,
    title: str = "",
    colorbar: tuple[float, float, str, str] | None = None,
    legend: Mapping[int, str] | None = None,
    height: int = 420,
    outline: np.ndarray | None = None,
    template_outline: np.ndarray | None = None,
) -> go.Figure:
    """A displayed slice as a PNG image with physical aspect ratio and edge letters.

    Parameters
    ----------
    view : SliceView
        Orientation and pixel size of the slice.
    picture : ndarray
        uint8 grey (H, W) or RGB (H, W, 3), already turned by ``view.apply``.
    title : str
    colorbar : (low, high, colorscale, title), optional
        Colour bar for the intensity window the grey levels show.
    legend : mapping of label to name, optional
        Legend entries (coloured squares) for labels drawn in the picture.
    height : int
    outline : ndarray of bool, optional
        The analysis mask on the displayed slice, drawn as an outline.
    template_outline : ndarray of bool, optional
        The registered template's brain on the displayed slice, outlined in a second colour.
    """
    if template_outline is not None:
        picture = outline_rgb(picture, template_outline, TEMPLATE_COLOUR)
    if outline is not None:
        picture = outline_rgb(picture, outline)
    fig = go.Figure(image_trace(view, picture))
    if colorbar is not None:
        low, high, scale, label = colorbar
        fig.add_trace(
            go.Scatter(
                x=[0], y=[0], mode="markers", hoverinfo="skip", showlegend=False,
                marker=dict(size=0.1, opacity=0, color=[low], cmin=low, cmax=high, colorscale=scale,
                            showscale=True, colorbar=dict(title=label, thickness=12)),
            )
        )  # fmt: skip
    for label, name in (legend or {}).items():
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="markers", name=name,
                       marker=dict(size=12, symbol="square", color=label_colour(label)))
        )  # fmt: skip
    outlines = [("analysis mask", outline, MASK_COLOUR), ("MNI152 brain, registered", template_outline, TEMPLATE_COLOUR)]
    for name, shown, colour in outlines:
        if shown is not None:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, line=dict(color="rgb%s" % (colour,))))
    _edge_letters(fig, view)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", autorange="reversed")
    fig.update_layout(
        title=title, height=height, margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="black", showlegend=bool(legend) or outline is not None or template_outline is not None, legend=dict(orientation="h", y=-0.02),
    )  # fmt: skip
    return fig


def crosshair_figure(
    view: SliceView, picture: np.ndarray, position: tuple[int, int], title: str = "", *,
    legend: Mapping[int, str] | None = None, outline: np.ndarray | None = None,
    colorbar: tuple[float, float, str, str] | None = None, height: int = 360,
) -> go.Figure:  # fmt: skip
    """A view with the crosshair drawn through ``position`` (row, col), that reports clicks.

    Plotly's Image traces report no clicks in Streamlit (streamlit issue 8760),
    so an invisible marker sits on every displayed pixel (every n-th on large
    views); clicking one selects it, and its x, y are the pixel's position in mm.
    """
    fig = image_figure(view, picture, title, colorbar=colorbar, legend=legend, height=height, outline=outline)
    height_px, width_px = picture.shape[:2]
    row, col = position
    x, y = col * view.col_mm, row * view.row_mm
    line = dict(color=CROSSHAIR_COLOUR, width=1)
    fig.add_shape(type="line", x0=x, x1=x, y0=-0.5 * view.row_mm, y1=(height_px - 0.5) * view.row_mm, line=line)
    fig.add_shape(type="line", y0=y, y1=y, x0=-0.5 * view.col_mm, x1=(width_px - 0.5) * view.col_mm, line=line)
    step = max(1, -(-max(height_px, width_px) // MAX_CLICK_POINTS))
    rows, cols = np.mgrid[0:height_px:step, 0:width_px:step]
    fig.add_trace(
        go.Scattergl(
            x=(cols.ravel() * view.col_mm).astype(np.float32), y=(rows.ravel() * view.row_mm).astype(np.float32),
            mode="markers", marker=dict(size=max(4, 2 * step), opacity=0), hoverinfo="none", showlegend=False,
            name="click to move the crosshair",
        )
    )  # fmt: skip
    fig.update_layout(clickmode="event+select", dragmode=False, margin=dict(l=5, r=5, t=35, b=5))
    return fig


def histogram_figure(
    values: Mapping[str, np.ndarray], bins: int = 100, log: bool = False, title: str = ""
) -> go.Figure:
    """Intensity histograms, one panel per channel, binned on the server."""
    names = list(values)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names)
    for i, name in enumerate(names, start=1):
        v = values[name]
        counts, edges = np.histogram(v, bins=bins) if len(v) else (np.zeros(1), np.array([0.0, 1.0]))
        fig.add_trace(
            go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), name=name,
                   marker_color=label_colour(i), showlegend=False,
                   hovertemplate="%{x:.4g}: %{y:,} voxels<extra></extra>"),
            row=1, col=i,
        )  # fmt: skip
        fig.update_xaxes(title_text="intensity", row=1, col=i)
        fig.update_yaxes(title_text="voxels" + (" (log)" if log else ""), type="log" if log else "linear", row=1, col=i)
    fig.update_layout(title=title, height=330, bargap=0, margin=dict(l=10, r=10, t=60, b=10))
    return fig


def subsample_rows(n: int, max_points: int = MAX_SCATTER_POINTS, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``max_points`` of ``n`` rows, the same for the same arguments."""
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


def _shown_title(title: str, shown: int, total: int) -> str:
    if shown < total:
        return f"{title}<br><sup>random sample of {shown:,} of {total:,} voxels shown</sup>"
    return f"{title}<br><sup>all {total:,} voxels shown</sup>"


def scatter_figure(
    X: np.ndarray, names: Sequence[str], rows: np.ndarray, title: str = "Joint intensities"
) -> go.Figure:
    """WebGL scatter of two channels for the rows ``rows`` (one trace, for selections)."""
    fig = go.Figure(
        go.Scattergl(
            x=X[rows, 0].astype(np.float32), y=X[rows, 1].astype(np.float32), mode="markers",
            marker=dict(size=3, color="#1f77b4", opacity=0.5),
            hovertemplate=f"{names[0]} %{{x:.4g}}<br>{names[1]} %{{y:.4g}}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title=_shown_title(title, len(rows), len(X)), xaxis_title=names[0], yaxis_title=names[1],
        height=480, margin=dict(l=10, r=10, t=70, b=10), dragmode="lasso",
    )  # fmt: skip
    return fig


def ellipse(mean: np.ndarray, cov: np.ndarray, n_sigma: float = 2.0, n_points: int = 90) -> np.ndarray:
    """Points (n_points, 2) on the ``n_sigma`` contour of a 2-D Gaussian."""
    values, vectors = np.linalg.eigh(cov)
    angle = np.linspace(0, 2 * np.pi, n_points)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    return (vectors @ (n_sigma * np.sqrt(np.clip(values, 0, None))[:, None] * circle)).T + mean


def labelled_scatter_figure(
    X: np.ndarray, labels: np.ndarray, names: Sequence[str], rows: np.ndarray,
    means: np.ndarray | None = None, covariances: np.ndarray | None = None, title: str = "Clusters",
    legend: Mapping[int, str] | None = None,
) -> go.Figure:  # fmt: skip
    """Scatter coloured by cluster, with each component's 2-sigma ellipse (``legend`` names the labels)."""
    fig = go.Figure()
    x, y = X[rows, 0].astype(np.float32), X[rows, 1].astype(np.float32)
    for label in range(1, int(labels.max()) + 1):
        sel = labels[rows] == label
        fig.add_trace(
            go.Scattergl(x=x[sel], y=y[sel], mode="markers", name=(legend or {}).get(label, f"cluster {label}"),
                         marker=dict(size=3, color=label_colour(label), opacity=0.55))
        )  # fmt: skip
        if means is not None and covariances is not None:
            pts = ellipse(means[label - 1, :2], covariances[label - 1, :2, :2])
            fig.add_trace(
                go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines", showlegend=False, hoverinfo="skip",
                           line=dict(color=label_colour(label), width=2.5, dash="dash"))
            )  # fmt: skip
    fig.update_layout(
        title=_shown_title(title + " (dashed: 2σ ellipses)", len(rows), len(X)),
        xaxis_title=names[0], yaxis_title=names[1], height=480, margin=dict(l=10, r=10, t=70, b=10),
    )  # fmt: skip
    return fig


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """About ``bins`` equal bins over the middle 99.9 % of ``values``, each a whole number of the values' step.

    Integer (or 8-bit) intensities binned at a width that is not a multiple of
    their step give a comb of alternately full and empty bins; this keeps
    every bin the same number of steps wide.
    """
    if not len(values):
        return np.linspace(0.0, 1.0, bins + 1)
    low, high = np.percentile(values, [0.05, 99.95])
    width = max(high - low, 1e-9) / bins
    sample = values[:: max(1, len(values) // 200_000)]
    levels = np.unique(sample[(sample >= low) & (sample <= high)])
    step = np.diff(levels).min() if len(levels) > 1 else 0.0
    if step > width / 50:
        width = np.ceil(width / step) * step
        return np.arange(low - step / 2, high + width, width)
    return np.linspace(low, low + bins * width, bins + 1)


def mixture_histogram_figure(
    values: np.ndarray, labels: np.ndarray, means: np.ndarray, variances: np.ndarray, weights: np.ndarray,
    name: str, bins: int = 120, legend: Mapping[int, str] | None = None, title: str = "",
) -> go.Figure:  # fmt: skip
    """One channel's histogram, stacked by label, with each cluster's weighted Gaussian and their sum.

    The one-channel counterpart of the labelled scatter with ellipses: bars
    count the voxels each label took per intensity bin; each curve is the
    voxels its component expects in each bin (weight x voxels x the Gaussian's
    probability of the bin), so curves and bars share one scale and a
    component narrower than a bin still shows its height. Binned on the
    server; the x range is the middle 99.9 % of the values, so a few very
    bright voxels do not squeeze the rest.

    Parameters
    ----------
    values : ndarray
        (n,) intensities of the fitted rows (bias-corrected where the model corrected them).
    labels : ndarray
        (n,) labels 1..k.
    means, variances, weights : ndarray
        (k,) each, in label order.
    name : str
        The channel's name (the x axis).
    """
    edges = _bin_edges(values, bins)
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure()
    total = np.zeros(len(centres))
    for label in range(1, len(means) + 1):
        text = (legend or {}).get(label, f"cluster {label}")
        colour = label_colour(label)
        counts = np.histogram(values[labels == label], bins=edges)[0]
        fig.add_trace(
            go.Bar(x=centres, y=counts, width=edges[1] - edges[0], name=text, marker_color=colour, opacity=0.5,
                   legendgroup=text, hovertemplate=f"{text}<br>%{{x:.4g}}: %{{y:,}} voxels<extra></extra>")
        )  # fmt: skip
        sd = np.sqrt(max(float(variances[label - 1]), 1e-24))
        expected = weights[label - 1] * len(values) * np.diff(ndtr((edges - means[label - 1]) / sd))
        total += expected
        fig.add_trace(
            go.Scatter(x=centres, y=expected, mode="lines", line=dict(color=colour, width=2.5), legendgroup=text,
                       name=f"{text}: Gaussian", showlegend=False,
                       hovertemplate=f"{text} Gaussian<br>%{{x:.4g}}: %{{y:,.0f}}<extra></extra>")
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(x=centres, y=total, mode="lines", name="sum of the Gaussians", line=dict(color="#444444", width=2, dash="dash"),
                   hovertemplate="sum<br>%{x:.4g}: %{y:,.0f}<extra></extra>")
    )  # fmt: skip
    fig.update_layout(
        title=f"{title}<br><sup>bars: voxels per label; lines: weighted Gaussians and their sum</sup>",
        barmode="stack", bargap=0, xaxis_title=name, yaxis_title="voxels per bin", height=480,
        margin=dict(l=10, r=10, t=70, b=10),
    )  # fmt: skip
    return fig


def histogram2d_figure(grid: Grid2D, names: Sequence[str], log: bool = True) -> go.Figure:
    """The 2-D histogram as a heatmap (counts binned on the server)."""
    z = np.log10(grid.values + 1) if log else grid.values
    fig = go.Figure(
        go.Heatmap(x=grid.x, y=grid.y, z=z.astype(np.float32), colorscale="Viridis",
                   colorbar=dict(title="log10(1+n)" if log else "voxels"),
                   hovertemplate=f"{names[0]} %{{x:.4g}}<br>{names[1]} %{{y:.4g}}<extra></extra>")
    )  # fmt: skip
    fig.update_layout(title="2-D histogram", xaxis_title=names[0], yaxis_title=names[1], height=430,
                      margin=dict(l=10, r=10, t=50, b=10))  # fmt: skip
    return fig


def density_figure(grid: Grid2D, names: Sequence[str]) -> go.Figure:
    """Filled contours of the kernel density estimate."""
    fig = go.Figure(
        go.Contour(x=grid.x, y=grid.y, z=grid.values.astype(np.float32), colorscale="Viridis", ncontours=14,
                   colorbar=dict(title="density"), line=dict(width=0.5))
    )  # fmt: skip
    fig.update_layout(title="Kernel density (Scott's rule, full covariance)", xaxis_title=names[0],
                      yaxis_title=names[1], height=430, margin=dict(l=10, r=10, t=50, b=10))  # fmt: skip
    return fig


def criteria_figure(table: pd.DataFrame) -> go.Figure:
    """BIC and AIC against k: one marker per seed and a line through the best seed of each k."""
    fig = go.Figure()
    for column, colour in (("bic", "#1f77b4"), ("aic", "#ff7f0e")):
        best = table.groupby("k")[column].min()
        fig.add_trace(go.Scatter(x=table["k"], y=table[column], mode="markers", name=f"{column.upper()} per seed",
                                 marker=dict(color=colour, opacity=0.5, size=7)))  # fmt: skip
        fig.add_trace(go.Scatter(x=best.index, y=best.values, mode="lines+markers", name=f"{column.upper()} best",
                                 line=dict(color=colour)))  # fmt: skip
    fig.update_layout(title="Information criteria (lower is better)", xaxis_title="k (clusters)",
                      yaxis_title="criterion", height=380, xaxis=dict(dtick=1),
                      margin=dict(l=10, r=10, t=50, b=10))  # fmt: skip
    return fig


def stability_figure(table: pd.DataFrame) -> go.Figure:
    """Seed stability per k: mean pairwise adjusted Rand index of the seeds' label maps."""
    per_k = table.groupby("k")["mean_pairwise_ari"].first()
    fig = go.Figure(go.Bar(x=per_k.index, y=per_k.values, marker_color="#2ca02c",
                           text=[f"{v:.3f}" for v in per_k.values], textposition="outside"))  # fmt: skip
    fig.update_layout(title="Seed stability (mean pairwise ARI; 1 = every seed agrees)", xaxis_title="k (clusters)",
                      yaxis=dict(range=[min(0, per_k.min()), 1.1], title="ARI"), xaxis=dict(dtick=1),
                      height=380, margin=dict(l=10, r=10, t=50, b=10))  # fmt: skip
    return fig


def small_multiples_figure(view: SliceView, pictures: Mapping[tuple[int, int], np.ndarray], ks: Sequence[int],
                           seeds: Sequence[int]) -> go.Figure:  # fmt: skip
    """A grid of label maps: rows are k, columns are seeds (laid out by hand: make_subplots is slow)."""
    rows, cols, gap = len(ks), len(seeds), 0.01
    data, layout = [], {}
    annotations = [
        dict(
            text=f"seed {seed}",
            x=(j + 0.5) / cols,
            y=1.0,
            xref="paper",
            yref="paper",
            yanchor="bottom",
            showarrow=False,
        )
        for j, seed in enumerate(seeds)
    ]
    for i, k in enumerate(ks):
        annotations.append(dict(text=f"k = {k}", x=1.0, y=1 - (i + 0.5) / rows, xref="paper", yref="paper",
                                xanchor="left", textangle=90, showarrow=False))  # fmt: skip
        for j, seed in enumerate(seeds):
            n = i * cols + j + 1
            suffix = "" if n == 1 else str(n)
            data.append(image_trace(view, pictures[(k, seed)], xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
            layout[f"xaxis{suffix}"] = dict(domain=[j / cols + gap, (j + 1) / cols - gap], visible=False)
            layout[f"yaxis{suffix}"] = dict(domain=[1 - (i + 1) / rows + gap, 1 - i / rows - gap], visible=False,
                                            scaleanchor=f"x{suffix}", autorange="reversed")  # fmt: skip
    cell = 170 if cols > 3 else 210
    return go.Figure(data=data, layout=dict(
        layout, annotations=annotations, height=cell * rows + 60, margin=dict(l=10, r=40, t=40, b=10),
        plot_bgcolor="black", font=dict(size=13),
    ))  # fmt: skip
