"""What each view's template is filled with: the lesson's code or neuroseg's, for a Segment, Compare or Joint view.

The code itself is in :mod:`neuroseg.export.templates`; these functions
compute the texts its placeholders stand for (file names, channel variables,
the slice, the fit's arguments) and the flags its tagged cells depend on, then
render the template (:func:`neuroseg.export.template.render`).
"""

from __future__ import annotations

import textwrap

from neuroseg.core.axes import AXES
from neuroseg.core.features import Scope
from neuroseg.export.notebook import Cell
from neuroseg.export.template import render
from neuroseg.models import FitOptions
from neuroseg.viz.palette import label_colour

KDE_POINTS = 3_000
"""seaborn evaluates its kernel at every point: the KDE is drawn on a random sample of this many voxels."""
MASK_WORDS = {
    None: "None: the lesson's rule, finite and > 0 in every image",
    "auto": "'auto': the foreground found from the first image",
    "brain": "'brain': the brain extracted from the first image (deepbet's networks), checked by registering MNI152",
}
"""The mask as a comment explains it; any other value is a mask file."""


def index_text(scope: Scope) -> str:
    """``:, :, 47`` for axial slice 47 along z (inside brackets, it takes the slice)."""
    parts = [":"] * 3
    parts[AXES.index(scope.axis)] = str(scope.index)
    return ", ".join(parts)


def options_text(options: FitOptions) -> str:
    """``FitOptions(...)`` naming the options the model uses, each after its help as a comment."""
    lines = [f"FitOptions(  # the {options.model} model"]
    for option in options.used():
        lines += [f"    # {line}" for line in textwrap.wrap(option.help, 100)]
        lines.append(f"    {option.name}={getattr(options, option.name)!r},")
    return "\n".join(lines) + "\n)"


def _common(source, scope: Scope, title: str, k: int = 0) -> dict:
    """What every template may use: the title, the files, the channels, the slice, the colours of k labels."""
    colours = [label_colour(label) for label in range(1, k + 1)]
    return {
        "title": f"{title} ({scope.describe()})", "inputs": ", ".join(f"`{f}`" for f in source.inputs),
        "names": repr(list(source.names)), "files": repr(list(source.files)), "n_channels": len(source.names),
        "two_channels": len(source.names) >= 2, "slice": scope.kind == "slice", "k": k, "k_top": f"{k}.5",
        "colours": repr(colours), "kde_points": f"{KDE_POINTS:,}", "kde_sample": KDE_POINTS,
    }  # fmt: skip


def _lesson(source, scope: Scope, title: str, k: int = 0) -> dict:
    """The lesson's loading: one variable per channel, its slice, the mask rule."""
    v = source.variables
    load = [f"{var}_img = nib.load({f!r})" for var, f in zip(v, source.files)] + [f"print({v[0]}_img.header)"]
    for var, four_d in zip(v, source.four_d):
        volume = f"np.asarray({var}_img.dataobj[..., {source.volume}], dtype=np.float64)  # volume {source.volume}"
        load.append(f"{var} = {volume if four_d else f'{var}_img.get_fdata()'}")
    load.append("print(" + ", ".join(f"{var}.shape" for var in v) + ")")
    parts = [f"{var}_slice" for var in v] if scope.kind == "slice" else list(v)
    every = "both images" if len(v) == 2 else "every image" if len(v) > 2 else "the image"
    return _common(source, scope, title, k) | {
        "load": "\n".join(load), "index": scope.index, "axis": scope.axis, "axis_number": AXES.index(scope.axis),
        "take_slice": "\n".join(f"{p} = {var}[{index_text(scope)}]" for p, var in zip(parts, v)),
        "every": every, "mask_rule": " & ".join(f"({p} > 0) & np.isfinite({p})" for p in parts),
        "values": "[" + ", ".join(f"{p}[mask]" for p in parts) + "]", "first_image": f"{v[0]}_img",
    }  # fmt: skip


def _library(source, scope: Scope, title: str, imports: str, k: int = 0) -> dict:
    """neuroseg's loading: the files, the mask and the scope as its API names them."""
    scope_text = "Scope('volume')" if scope.kind == "volume" else f"Scope('slice', {scope.axis!r}, {scope.index})"
    mask_words = MASK_WORDS.get(source.mask, "a mask image (nonzero = inside), resampled onto the first image's grid if needed")
    return _common(source, scope, title, k) | {
        "imports": imports, "mask": repr(source.mask), "mask_words": mask_words, "volume": source.volume,
        "resample": repr(source.resample), "scope": scope_text,
    }  # fmt: skip


def _label_map(shown: Scope) -> dict:
    return {"shown": index_text(shown), "shown_words": shown.describe()}


def lesson_segment(source, scope: Scope, k: int, seed: int, options: FitOptions, shown: Scope) -> list[Cell]:
    """The Segment view in the lesson's code: the table, the labelled scatter, the label map, ``labels.nii.gz``."""
    v = source.variables
    place = "[mask]" if scope.kind == "volume" else f"[{index_text(scope)}][mask]"
    context = _lesson(source, scope, f"Segment {', '.join(source.names)} with k = {k}", k) | _label_map(shown)
    context |= _pair(source, (0, 1), statistics=False) | {
        "seed": seed, "more": options.sklearn_arguments(), "space": "",
        "label_volume": f"label_volume = np.zeros({v[0]}.shape, dtype=np.uint8)\nlabel_volume{place} = labels",
        "save_labels": f"nib.save(nib.Nifti1Image(label_volume, {v[0]}_img.affine), 'labels.nii.gz')",
    }  # fmt: skip
    return render("lesson_segment", context)


def lesson_compare(source, scope: Scope, ks: list[int], seeds: list[int], options: FitOptions) -> list[Cell]:
    """The Compare view in the lesson's code: every fit's BIC, AIC and seed stability, ``compare.csv``."""
    context = _lesson(source, scope, "Compare cluster counts and seeds") | {
        "ks": repr(ks), "seeds": repr(seeds), "more": options.sklearn_arguments()
    }
    return render("lesson_compare", context)


def lesson_joint(source, scope: Scope, pair: tuple[int, int]) -> list[Cell]:
    """The Joint view in the lesson's code: the two channels' statistics, scatter, 2-D histogram and KDE."""
    return render("lesson_joint", _lesson(source, scope, _joint_title(source, pair)) | _pair(source, pair))


def library_segment(source, scope: Scope, k: int, seed: int, options: FitOptions, shown: Scope) -> list[Cell]:
    """The Segment view through ``segment_paths``: the settings, table, labelled scatter, label map, ``labels.nii.gz``."""
    imports = (
        "from matplotlib.colors import ListedColormap\n\nfrom neuroseg.analysis.pipeline import RunOptions, segment_paths\n"
        "from neuroseg.export.nifti import label_nifti\nfrom neuroseg.models import FitOptions"
    )
    axis, index = (repr(scope.axis), scope.index) if scope.kind == "slice" else (None, None)
    context = _library(source, scope, f"Segment {', '.join(source.names)} with k = {k}", imports, k) | _label_map(shown)
    context |= {
        "seed": seed, "axis": axis, "slice": index, "fit_options": options_text(options),
        "space": " (bias-corrected where the tissue model estimated a field)",
        "label_volume": "label_volume = segmentation.label_volume()",
        "save_labels": "nib.save(label_nifti(segmentation), 'labels.nii.gz')",
    }  # fmt: skip
    return render("library_segment", context)


def library_compare(source, scope: Scope, ks: list[int], seeds: list[int], options: FitOptions) -> list[Cell]:
    """The Compare view through ``compare``: the grid's table (``compare.csv``) and its criteria."""
    imports = (
        "\nfrom neuroseg.analysis.compare import compare, grid_table\nfrom neuroseg.analysis.pipeline import load_stack\n"
        "from neuroseg.core.features import Scope, make_features\nfrom neuroseg.models import FitOptions"
    )
    context = _library(source, scope, "Compare cluster counts and seeds", imports)
    return render("library_compare", context | {"ks": repr(ks), "seeds": repr(seeds), "fit_options": options_text(options)})


def library_joint(source, scope: Scope, pair: tuple[int, int]) -> list[Cell]:
    """The Joint view through ``load_stack`` and ``make_features``: statistics, scatter, 2-D histogram, KDE."""
    imports = (
        "import seaborn as sns\n\nfrom neuroseg.analysis.pipeline import load_stack\n"
        "from neuroseg.core.features import Scope, make_features"
    )
    return render("library_joint", _library(source, scope, _joint_title(source, pair), imports) | _pair(source, pair))


def _joint_title(source, pair: tuple[int, int]) -> str:
    return f"The joint intensities of {source.names[pair[0]]} and {source.names[pair[1]]}"


def _pair(source, pair: tuple[int, int], statistics: bool = True) -> dict:
    """The two channels of a joint view (the first two of a Segment view, with no statistics)."""
    if len(source.names) < 2:
        return {}
    a, b = (source.names[i] for i in pair)
    return {"first": pair[0], "second": pair[1], "a": a, "b": b, "statistics": statistics}
