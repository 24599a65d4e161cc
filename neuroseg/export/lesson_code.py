"""The lesson's own code for a view: nibabel, NumPy, scikit-learn, matplotlib and seaborn, every step visible.

Used when the fit is scikit-learn's exact ``GaussianMixture`` inside the
lesson's mask (finite and > 0 in every image), on NIfTI files: then these
steps give the app's labels voxel for voxel. The order is the lesson's:
load, header, slice, mask, histograms, scatter, 2-D histogram, KDE, fit,
labelled scatter, label map.
"""

from __future__ import annotations

from neuroseg.core.axes import AXES
from neuroseg.core.features import Scope
from neuroseg.export.notebook import Cell, code, markdown
from neuroseg.models import FitOptions
from neuroseg.viz.palette import label_colour

KDE_POINTS = 3_000
"""seaborn evaluates its kernel at every point: the KDE is drawn on a random sample of this many voxels."""


def index_text(scope: Scope) -> str:
    """``[:, :, 47]`` for axial slice 47 along z."""
    parts = [":"] * 3
    parts[AXES.index(scope.axis)] = str(scope.index)
    return "[" + ", ".join(parts) + "]"


def colours_text(k: int) -> str:
    return "[" + ", ".join(repr(label_colour(label)) for label in range(1, k + 1)) + "]"


def _parts(source, scope: Scope) -> list[str]:
    return [f"{v}_slice" for v in source.variables] if scope.kind == "slice" else list(source.variables)


def load_and_mask(source, scope: Scope, what: str) -> list[Cell]:
    """Imports, loading, the header, the slice and the lesson's mask."""
    v, names = source.variables, source.names
    cells = [
        markdown(
            f"# {what}\n\nThis notebook rebuilds a view of neuroseg, step by step as the lesson does it, with "
            "nibabel, NumPy, scikit-learn, matplotlib and seaborn only. Run it in a folder that holds "
            + ", ".join(f"`{f}`" for f in source.needed) + "."
        ),
        code(
            "import matplotlib.pyplot as plt\nimport nibabel as nib\nimport numpy as np\nimport seaborn as sns\n"
            "from matplotlib.colors import ListedColormap\nfrom sklearn.mixture import GaussianMixture"
        ),
        markdown(
            "## Load the images and print the first one's header\n\nnibabel reads each file; `get_fdata()` gives "
            "its voxels as float64, scaled as the header says. The header holds the voxel size, the data type and "
            "the affine that places the voxels in the scanner's space."
        ),
    ]
    lines = [f"{var}_img = nib.load({f!r})" for var, f in zip(v, source.files)]
    lines.append(f"print({v[0]}_img.header)")
    for var, four_d in zip(v, source.four_d):
        if four_d:
            lines.append(f"{var} = np.asarray({var}_img.dataobj[..., {source.volume}], dtype=np.float64)  # volume {source.volume}")
        else:
            lines.append(f"{var} = {var}_img.get_fdata()")
    lines.append("print(" + ", ".join(f"{var}.shape" for var in v) + ")")
    cells.append(code("\n".join(lines)))
    parts = _parts(source, scope)
    if scope.kind == "slice":
        axis = AXES.index(scope.axis)
        cells.append(markdown(f"## Take one slice\n\nSlice {scope.index} along the array's axis {scope.axis} (axis {axis})."))
        cells.append(code("\n".join(f"{p} = {var}{index_text(scope)}" for p, var in zip(parts, v))))
    both = "both images" if len(v) == 2 else "every image" if len(v) > 2 else "the image"
    rule = " & ".join(f"({p} > 0) & np.isfinite({p})" for p in parts)
    cells += [
        markdown(f"## Keep the voxels that are non-zero in {both}\n\nThe lesson's mask: finite and > 0 in {both}."),
        code(f"mask = {rule}\nprint(mask.sum(), 'voxels in the mask')"),
        markdown(
            "## Intensity histograms\n\nOne histogram per image, of the voxels in the mask."
        ),
        code(
            f"names = {list(names)!r}\n"
            f"values = [{', '.join(f'{p}[mask]' for p in parts)}]\n"
            f"fig, axes = plt.subplots(1, {len(v)}, figsize=({4 * len(v) + 1}, 3.5), squeeze=False)\n"
            "for ax, channel, name in zip(axes[0], values, names):\n"
            "    ax.hist(channel, bins=100, color='grey')\n"
            "    ax.set(title=f'{name} intensities', xlabel=name, ylabel='voxels')\n"
            "plt.tight_layout()\nplt.show()"
        ),
    ]
    return cells


def joint_figures(first: int, second: int, names) -> list[Cell]:
    """Scatter, 2-D histogram and seaborn KDE of two columns of ``values``."""
    x, y = f"values[{first}]", f"values[{second}]"
    a, b = names[first], names[second]
    return [
        markdown(f"## The joint intensities\n\nEach voxel is a point ({a} across, {b} up): tissues form clouds."),
        code(
            f"plt.figure(figsize=(5, 5))\nplt.scatter({x}, {y}, s=1, alpha=0.3, color='black')\n"
            f"plt.xlabel({a!r})\nplt.ylabel({b!r})\nplt.show()"
        ),
        markdown("## A 2-D histogram\n\nWhere points overlap, counting them per bin shows the density."),
        code(
            f"plt.figure(figsize=(5.5, 5))\nplt.hist2d({x}, {y}, bins=128, cmap='viridis', cmin=1)\n"
            f"plt.colorbar(label='voxels')\nplt.xlabel({a!r})\nplt.ylabel({b!r})\nplt.show()"
        ),
        markdown(
            f"## A kernel density estimate\n\nseaborn's KDE, on {KDE_POINTS:,} voxels drawn at random (it evaluates "
            "its kernel at every point, which is slow on many)."
        ),
        code(
            f"few = np.random.default_rng(0).choice(len({x}), size=min(len({x}), {KDE_POINTS}), replace=False)\n"
            f"plt.figure(figsize=(5, 5))\nsns.kdeplot(x={x}[few], y={y}[few], fill=True, cmap='mako')\n"
            f"plt.xlabel({a!r})\nplt.ylabel({b!r})\nplt.show()"
        ),
    ]


def fit_cells(source, k: int, seed: int, options: FitOptions) -> list[Cell]:
    """Stack the features, fit, number the labels by the first channel's mean."""
    return [
        markdown(
            f"## Stack the intensities into an (n_voxels, {len(source.variables)}) array and fit k = {k} Gaussians"
        ),
        code(
            "X = np.column_stack(values)\nprint(X.shape)\n"
            f"gmm = GaussianMixture(n_components={k}, random_state={seed}{options.sklearn_arguments()})\nraw_labels = gmm.fit_predict(X)"
        ),
        markdown(
            "## Number the clusters by the first image's mean\n\nscikit-learn numbers its components in no "
            "particular order. neuroseg numbers them 1..k by ascending mean of the first image (ties: the next), "
            "so label 1 is the darkest on a T1 (CSF for k = 3); 0 is kept for outside the mask."
        ),
        code(
            "order = np.lexsort(gmm.means_.T[::-1])\nrank = np.empty(len(order), dtype=np.uint8)\n"
            "rank[order] = np.arange(1, len(order) + 1)\nlabels = rank[raw_labels]"
        ),
    ]


def segment(source, scope: Scope, k: int, seed: int, options: FitOptions, shown: Scope) -> list[Cell]:
    """The Segment view: table, labelled scatter, label map, ``labels.nii.gz``."""
    v = source.variables
    cells = load_and_mask(source, scope, f"Segment {', '.join(source.names)} with k = {k} ({scope.describe()})")
    if len(v) >= 2:
        cells += joint_figures(0, 1, source.names)
    cells += fit_cells(source, k, seed, options)
    cells += [
        markdown("## The cluster table\n\nSize, volume, intensity mean and standard deviation per image, and weight."),
        code(
            f"voxel_ml = abs(np.linalg.det({v[0]}_img.affine[:3, :3])) / 1000\nweights = gmm.weights_[order]\n"
            f"for label in range(1, {k} + 1):\n    inside = X[labels == label]\n"
            "    stats = '  '.join(f'{name} {inside[:, j].mean():9.2f} ± {inside[:, j].std():8.2f}' "
            "for j, name in enumerate(names))\n"
            "    print(f'label {label}: {len(inside):9,} voxels {len(inside) * voxel_ml:10.2f} mL  {stats}  "
            "weight {weights[label - 1]:.3f}')"
        ),
    ]
    cmap = f"ListedColormap({colours_text(k)})"
    if len(v) >= 2:
        cells += [
            markdown("## The clusters in intensity space\n\nThe scatter again, each voxel coloured by its label."),
            code(
                f"plt.figure(figsize=(5, 5))\nplt.scatter(X[:, 0], X[:, 1], c=labels, cmap={cmap}, vmin=0.5, "
                f"vmax={k}.5, s=2)\nplt.xlabel(names[0])\nplt.ylabel(names[1])\nplt.title('{k} clusters')\nplt.show()"
            ),
        ]
    volume_index = "[mask]" if scope.kind == "volume" else f"{index_text(scope)}[mask]"
    shown_text = f"label_volume{index_text(shown)}"
    cells += [
        markdown(
            "## Map the labels back into the image and save them\n\nEvery masked voxel gets its label, 0 elsewhere, "
            "on the first image's grid and affine: `labels.nii.gz`."
        ),
        code(
            f"label_volume = np.zeros({v[0]}.shape, dtype=np.uint8)\nlabel_volume{volume_index} = labels\n"
            f"plt.figure(figsize=(6, 6))\n"
            f"plt.imshow({shown_text}.T, origin='lower', cmap=ListedColormap(['black'] + {colours_text(k)}), "
            f"vmin=-0.5, vmax={k}.5, interpolation='nearest')\n"
            f"plt.title('labels, slice {shown.index} along {shown.axis}')\nplt.axis('off')\nplt.show()\n"
            f"nib.save(nib.Nifti1Image(label_volume, {v[0]}_img.affine), 'labels.nii.gz')"
        ),
    ]
    return cells


def compare(source, scope: Scope, ks: list[int], seeds: list[int], options: FitOptions) -> list[Cell]:
    """The Compare view: every (k, seed) fit's BIC and AIC, seed stability, ``compare.csv``."""
    cells = load_and_mask(source, scope, f"Compare cluster counts and seeds ({scope.describe()})")
    cells += [
        markdown(
            "## Fit every k with every seed\n\nBIC and AIC (lower is better) weigh the fit against the number of "
            "parameters; the adjusted Rand index between seeds shows whether a k gives the same map every time."
        ),
        code(
            "import csv\nimport itertools\nfrom sklearn.metrics import adjusted_rand_score\n\n"
            f"X = np.column_stack(values)\nks, seeds = {ks!r}, {seeds!r}\nrows, maps = [], {{}}\n"
            "for k in ks:\n    for seed in seeds:\n"
            f"        gmm = GaussianMixture(n_components=k, random_state=seed{options.sklearn_arguments()})\n"
            "        maps.setdefault(k, []).append(gmm.fit_predict(X))\n"
            "        rows.append({'k': k, 'seed': seed, 'bic': gmm.bic(X), 'aic': gmm.aic(X), "
            "'converged': gmm.converged_, 'n_iter': gmm.n_iter_})\n"
            "for row in rows:\n    runs = maps[row['k']]\n"
            "    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(runs, 2)]\n"
            "    row['mean_pairwise_ari'] = float(np.mean(pairs)) if pairs else 1.0\n"
            "    print(row)\n"
            "with open('compare.csv', 'w', newline='') as out:\n"
            "    writer = csv.DictWriter(out, fieldnames=list(rows[0]))\n    writer.writeheader()\n"
            "    writer.writerows(rows)"
        ),
        *criteria_cells("[r['k'] for r in rows]", "[r[criterion] for r in rows]"),
    ]
    return cells


def statistics_text(a: str, b: str) -> str:
    """Code that prints the joint statistics of ``x`` (channel ``a``) and ``y`` (channel ``b``)."""
    return (
        "print(f'{len(x):,} voxels')\n"
        f"print(f'{a}: mean {{x.mean():.2f}}, sd {{x.std():.2f}}')\n"
        f"print(f'{b}: mean {{y.mean():.2f}}, sd {{y.std():.2f}}')\n"
        "print(f'Pearson r = {np.corrcoef(x, y)[0, 1]:.4f}')"
    )


def criteria_cells(ks: str, values: str) -> list[Cell]:
    """BIC and AIC against k, one point per fit: ``ks`` and ``values`` are expressions (``criterion`` names the column)."""
    return [
        markdown("## BIC and AIC against k\n\nOne point per seed; lower is better."),
        code(
            "fig, ax = plt.subplots(figsize=(6, 4))\nfor criterion in ('bic', 'aic'):\n"
            f"    ax.plot({ks}, {values}, 'o', label=criterion.upper())\n"
            "ax.set(xlabel='k (clusters)', ylabel='criterion (lower is better)')\nax.legend()\nplt.show()"
        ),
    ]


def joint(source, scope: Scope, pair: tuple[int, int]) -> list[Cell]:
    """The Joint view: the two channels' statistics, scatter, 2-D histogram and KDE."""
    a, b = (source.names[i] for i in pair)
    cells = load_and_mask(source, scope, f"The joint intensities of {a} and {b} ({scope.describe()})")
    cells += [
        markdown("## Their statistics\n\nHow many voxels, each image's mean and spread, and how they correlate."),
        code(
            f"x, y = values[{pair[0]}], values[{pair[1]}]\n" + statistics_text(a, b)
        ),
    ]
    return cells + joint_figures(pair[0], pair[1], source.names)
