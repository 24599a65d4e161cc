"""A view's code through neuroseg's public API: for fast mode, masks beyond the lesson's and the tissue model.

Those steps are neuroseg's own (the intensity histogram, brain extraction,
the tissue model's EM), so the code calls the library with every option
named and says in a comment what each call does.
"""

from __future__ import annotations

import textwrap

from neuroseg.core.features import Scope
from neuroseg.export.lesson_code import KDE_POINTS, colours_text, criteria_cells, index_text, statistics_text
from neuroseg.export.notebook import Cell, code, markdown
from neuroseg.models import FitOptions

def options_text(options: FitOptions) -> str:
    """``FitOptions(...)`` naming the options the model uses, each after its help as a comment."""
    lines = [f"FitOptions(  # the {options.model} model"]
    for option in options.used():
        lines += [f"    # {line}" for line in textwrap.wrap(option.help, 100)]
        lines.append(f"    {option.name}={getattr(options, option.name)!r},")
    return "\n".join(lines) + "\n)"


def _mask_words(mask: str | None) -> str:
    if mask is None:
        return "None: the lesson's rule, finite and > 0 in every image"
    if mask == "auto":
        return "'auto': the foreground found from the first image"
    if mask == "brain":
        return "'brain': the brain extracted from the first image (deepbet's networks), checked by registering MNI152"
    return "a mask image (nonzero = inside), resampled onto the first image's grid if needed"


def _loading(source, what: str, modules: str) -> list[Cell]:
    return [
        markdown(
            f"# {what}\n\nThis notebook rebuilds a view of neuroseg through its public API (the fit uses neuroseg's "
            "own steps: fast mode, its masks or its tissue model). Run it in a folder that holds "
            + ", ".join(f"`{f}`" for f in source.inputs) + ", with neuroseg installed."
        ),
        code("import matplotlib.pyplot as plt\nimport nibabel as nib\nimport numpy as np\n" + modules),
    ]


def _scope_text(scope: Scope) -> str:
    return "Scope('volume')" if scope.kind == "volume" else f"Scope('slice', {scope.axis!r}, {scope.index})"


def _load_stack(source, scope: Scope) -> Cell:
    return code(
        f"files, names = {list(source.files)!r}, {list(source.names)!r}\n"
        f"# load the images as channels on the first one's grid, inside the analysis mask:\n# mask = {_mask_words(source.mask)}\n"
        f"stack, notices = load_stack(files, names, volume={source.volume}, resample={source.resample!r}, "
        f"mask={source.mask!r})\nfor notice in notices:\n    print(notice)\n"
        f"scope = {_scope_text(scope)}  # the voxels analysed\n"
        "features = make_features(stack.channels, scope, stack.mask)  # (n_voxels, n_channels) intensities in the mask\n"
        "X = features.X\nprint(X.shape)"
    )


def _histograms() -> Cell:
    return code(
        "fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names) + 1, 3.5), squeeze=False)\n"
        "for ax, j, name in zip(axes[0], range(len(names)), names):\n"
        "    ax.hist(X[:, j], bins=100, color='grey')\n"
        "    ax.set(title=f'{name} intensities', xlabel=name, ylabel='voxels')\nplt.tight_layout()\nplt.show()"
    )


def segment(source, scope: Scope, k: int, seed: int, options: FitOptions, shown: Scope) -> list[Cell]:
    """The Segment view through ``segment_paths``: table, labelled scatter, label map, ``labels.nii.gz``."""
    axis, index = (scope.axis, scope.index) if scope.kind == "slice" else (None, None)
    cells = _loading(
        source, f"Segment {', '.join(source.names)} with k = {k}",
        "from matplotlib.colors import ListedColormap\n\nfrom neuroseg.analysis.pipeline import RunOptions, segment_paths\n"
        "from neuroseg.export.nifti import label_nifti\nfrom neuroseg.models import FitOptions",
    )
    cells += [
        markdown("## The settings\n\nEvery option of the fit, as the view used it."),
        code(
            f"fit = {options_text(options)}\n"
            f"options = RunOptions(k={k}, seed={seed}, axis={axis!r}, slice={index!r}, resample={source.resample!r}, "
            f"volume={source.volume}, mask={source.mask!r}, fit=fit)\n"
            f"# mask = {_mask_words(source.mask)}"
        ),
        markdown(
            "## Load, mask and fit\n\n`segment_paths` loads the files as channels, applies the mask, builds the "
            "(n_voxels, n_channels) intensities and fits the model the options name."
        ),
        code(
            f"files, names = {list(source.files)!r}, {list(source.names)!r}\n"
            "segmentation, notices = segment_paths(files, options, names)\n"
            "for notice in notices + list(segmentation.warnings):\n    print(notice)\n"
            "print(segmentation.settings['description'])\nresult = segmentation.result\n"
            "print(f'{len(result.labels):,} voxels labelled; BIC {result.bic:,.1f}')"
        ),
        markdown("## The cluster table\n\nLabels are numbered by ascending mean of the first image (1 = darkest)."),
        code("print(segmentation.table().to_string(index=False))"),
        markdown("## Intensity histograms"),
        code("X = segmentation.features.X\n" + _histograms().source),
    ]
    if len(source.names) >= 2:
        cells += [
            markdown("## The clusters in intensity space (bias-corrected when the tissue model estimated a field)"),
            code(
                "points = X if result.corrected is None else result.corrected\n"
                f"plt.figure(figsize=(5, 5))\nplt.scatter(points[:, 0], points[:, 1], c=result.labels, "
                f"cmap=ListedColormap({colours_text(k)}), vmin=0.5, vmax={k}.5, s=2)\n"
                f"plt.xlabel(names[0])\nplt.ylabel(names[1])\nplt.title('{k} clusters')\nplt.show()"
            ),
        ]
    cells += [
        markdown("## The label map, and `labels.nii.gz`\n\nOn the first image's grid and affine; 0 outside the mask."),
        code(
            "label_volume = segmentation.label_volume()\n"
            f"plt.figure(figsize=(6, 6))\nplt.imshow(label_volume{index_text(shown)}.T, origin='lower', "
            f"cmap=ListedColormap(['black'] + {colours_text(k)}), vmin=-0.5, vmax={k}.5, interpolation='nearest')\n"
            f"plt.title('labels, slice {shown.index} along {shown.axis}')\nplt.axis('off')\nplt.show()\n"
            "nib.save(label_nifti(segmentation), 'labels.nii.gz')"
        ),
    ]
    return cells


def compare(source, scope: Scope, ks: list[int], seeds: list[int], options: FitOptions) -> list[Cell]:
    """The Compare view through ``compare``: the grid's table (``compare.csv``) and its criteria."""
    cells = _loading(
        source, "Compare cluster counts and seeds",
        "\nfrom neuroseg.analysis.compare import compare, grid_table\nfrom neuroseg.analysis.pipeline import load_stack\n"
        "from neuroseg.core.features import Scope, make_features\nfrom neuroseg.models import FitOptions",
    )
    cells += [
        markdown("## Load the images inside the mask"),
        _load_stack(source, scope),
        markdown(
            "## Fit every k with every seed\n\n`compare` fits the grid with the same options for every fit; "
            "`grid_table` gives one row per fit (BIC, AIC, convergence, and the seeds' mean adjusted Rand index)."
        ),
        code(
            f"fit = {options_text(options)}\n"
            f"pairs = [(k, seed) for k in {ks!r} for seed in {seeds!r}]\n"
            "results = compare(stack, scope, pairs, fit, features=features)\n"
            "table = grid_table(results)\ntable.to_csv('compare.csv', index=False)\nprint(table.to_string(index=False))"
        ),
        *criteria_cells("table['k']", "table[criterion]"),
    ]
    return cells


def joint(source, scope: Scope, pair: tuple[int, int]) -> list[Cell]:
    """The Joint view through ``load_stack`` and ``make_features``: statistics, scatter, 2-D histogram, KDE."""
    a, b = (source.names[i] for i in pair)
    cells = _loading(
        source, f"The joint intensities of {a} and {b}",
        "import seaborn as sns\n\nfrom neuroseg.analysis.pipeline import load_stack\n"
        "from neuroseg.core.features import Scope, make_features",
    )
    return cells + [
        markdown("## Load the images inside the mask"),
        _load_stack(source, scope),
        markdown("## Their statistics, scatter, 2-D histogram and kernel density"),
        code(
            f"x, y = X[:, {pair[0]}], X[:, {pair[1]}]\n" + statistics_text(a, b) + "\n"
            f"fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))\n"
            "axes[0].scatter(x, y, s=1, alpha=0.3, color='black')\n"
            "axes[1].hist2d(x, y, bins=128, cmap='viridis', cmin=1)\n"
            f"few = np.random.default_rng(0).choice(len(x), size=min(len(x), {KDE_POINTS}), replace=False)\n"
            "sns.kdeplot(x=x[few], y=y[few], fill=True, cmap='mako', ax=axes[2])\n"
            f"for ax, title in zip(axes, ('scatter', '2-D histogram', 'KDE')):\n"
            f"    ax.set(title=title, xlabel={a!r}, ylabel={b!r})\nplt.show()"
        ),
    ]
