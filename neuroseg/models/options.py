"""How a mixture is fitted: every option declared once, and one frozen, hashable options object.

Each fit option is an :class:`Option` in :data:`OPTIONS`: its name, default,
allowed values, one help sentence, the models that use it, and how each front
end spells it (the command line's flag, the URL parameter, the app's control).
The command line's flags and help, the URL rules, the widgets' help, the
settings text and records and the generated code's comments are all made from
these declarations, as scikit-learn's ``_parameter_constraints`` and nilearn's
``fill_doc`` templates keep one description per parameter.

:class:`FitOptions` holds one value per declaration; its checks run when it is
made, so a bad setting is refused with the same :class:`OptionError` wherever
it came from. k and the seed are not options, because a grid of fits varies
them (:func:`check_k` checks k).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from neuroseg.errors import InputError

LESSON_SEED = 12345
MAX_K = 255
"""Labels are stored as uint8, so at most 255 clusters."""
DEFAULT_BETA = 15.0
"""The spatial prior's default strength (neighbours 1 mm apart), chosen from the Dice-versus-beta curves in BENCHMARKS.md."""
MIXTURE_MODELS = ("exact", "fast")
"""The lesson's mixture, fitted on every voxel or through the voxels' intensity histogram."""


class OptionError(InputError):
    """A fit option's value that is refused, naming the option so that each front end can word it.

    The command line says ``--priors template: ...``, the app says
    ``Tissue priors 'template' (priors=template): ...``; the library's own
    text names the option as :class:`FitOptions` spells it.
    """

    def __init__(self, option: str, value: object, problem: str, hint: str = "") -> None:
        self.option, self.value = option, value
        super().__init__(f"{option}={value!r}", problem, hint)

    def worded(self, name: str) -> str:
        """The message with the option named as a front end names it."""
        return f"{name}: {self.problem}" + (f" {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class Option:
    """One fit option, declared once.

    Attributes
    ----------
    name : str
        The :class:`FitOptions` field and the key in every record.
    default : bool, int, float or str
    help : str
        One sentence: what it does (the command line's help, the widget's help, the code's comment).
    models : tuple of str
        The models (keys of :data:`neuroseg.models.MODELS`) that use it; the others leave it out of every record.
    flag : str
        The command line's flag.
    label : str
        The app's control.
    choices : tuple, optional
        Allowed values; empty for a number.
    low : float, optional
        The smallest allowed number.
    url : str, optional
        The URL parameter bound to the control, if any.
    offered : tuple of str, optional
        The values the app's control (and so its URL parameter) offers, as the URL spells them.
    sklearn : str, optional
        ``GaussianMixture``'s argument of the same meaning, for the lesson's code.
    switches : bool
        Set away from its default, it chooses its models (the tissue model's parts).
    phrase : str or mapping
        How :meth:`FitOptions.describe` words it: a template (``{value}`` and the
        other options' names) or one per value; empty to leave it out.
    always : bool
        Worded at its default too (otherwise only when set away from it).
    metavar : str
        The command line's name for a number.
    const : optional
        The value its flag sets when given alone (``--exact``, ``--mrf``).
    renamed : mapping
        Old spellings of values, accepted with a notice for a release.
    """

    name: str
    default: bool | int | float | str
    help: str
    models: tuple[str, ...]
    flag: str
    label: str
    choices: tuple = ()
    low: float | None = None
    url: str | None = None
    offered: tuple[str, ...] = ()
    sklearn: str | None = None
    switches: bool = False
    phrase: str | Mapping = ""
    always: bool = False
    metavar: str = "N"
    const: bool | int | float | str | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> type:
        return type(self.default)

    def check(self, value):
        """``value`` as this option's type, or an :class:`OptionError` saying what is allowed."""
        if self.kind is bool:
            return bool(value)
        if self.choices:
            if value not in self.choices:
                allowed = ", ".join(repr(c) for c in self.choices)
                raise OptionError(self.name, value, f"must be one of {allowed}.")
            return value
        whole = self.kind is int
        if (
            isinstance(value, bool) or not isinstance(value, int | float) or not self.low <= value < math.inf
            or (whole and int(value) != value)
        ):  # fmt: skip
            raise OptionError(self.name, value, f"must be a {'whole ' * whole}number of at least {self.low:g}.")
        return self.kind(value)

    def used_by(self, model: str) -> bool:
        return model in self.models

    def words(self, options: FitOptions) -> str:
        """This option's part of the settings text, or ``""``."""
        value = getattr(options, self.name)
        if value == self.default and not self.always:
            return ""
        template = self.phrase.get(value, "") if isinstance(self.phrase, Mapping) else self.phrase
        return template.format(value=value, **options.as_dict())

    def cli_text(self, value) -> str:
        """How the command line states ``value``: ``--covariance diag``, ``--bias-correct``, ``--exact``."""
        if self.kind is bool:
            return self.flag
        if self.const is not None and self.kind is str:
            return self.flag if value == self.const else f"(no {self.flag})"
        return f"{self.flag} {value:g}" if isinstance(value, float) else f"{self.flag} {value}"

    def app_text(self, value) -> str:
        """How the app states ``value``: its control, and the URL's spelling where the control is bound to one."""
        shown = ("on" if value else "off") if self.kind is bool else (f"{value:g}" if isinstance(value, float) else value)
        where = f" ({self.url}={shown})" if self.url else ""
        return f"{self.label} '{shown}'{where}"


OPTIONS: tuple[Option, ...] = (
    Option(
        "mode", "fast", "'exact' fits scikit-learn's GaussianMixture on every voxel, as the lesson does; 'fast' is "
        "the same fit, run on the voxels' intensity histogram when there are more than max_fit_voxels of them.",
        MIXTURE_MODELS, "--exact", "Fit mode", choices=MIXTURE_MODELS, url="mode", offered=("fast", "exact"), const="exact",
        phrase={"exact": "exact fit on every voxel",
                "fast": "fast mode (exact up to {max_fit_voxels:,} voxels, above that on their intensity histogram)"},
        always=True,
    ),  # fmt: skip
    Option(
        "max_fit_voxels", 20_000, "Fast mode fits exactly up to this many voxels, and above it on their intensity "
        "histogram (k-means with the exact fit's random draws, then EM, the bins weighted by their counts).",
        ("fast",), "--max-fit-voxels", "Fast mode: fit exactly up to this many voxels", low=1,
    ),  # fmt: skip
    Option(
        "covariance", "full", "The shape of each cluster's covariance, as scikit-learn's covariance_type.",
        MIXTURE_MODELS, "--covariance", "Covariance type", choices=("full", "tied", "diag", "spherical"),
        sklearn="covariance_type", phrase="{value} covariance", always=True,
    ),  # fmt: skip
    Option(
        "standardise", False, "Fit on per-channel z-scores; means and covariances are reported in raw units.",
        MIXTURE_MODELS, "--standardise", "Standardise channels (z-scores)", phrase={True: "standardised channels"},
    ),  # fmt: skip
    Option(
        "max_iter", 100, "EM iterations at most (scikit-learn's default is 100); a fit that stops there is flagged.",
        MIXTURE_MODELS, "--max-iter", "Max EM iterations", low=1, sklearn="max_iter",
        phrase="at most {value} EM iterations",
    ),  # fmt: skip
    Option(
        "bias_correct", False, "Tissue model: estimate a smooth multiplicative bias field per channel inside the "
        "EM loop, as FSL FAST and SPM do, and segment the corrected intensities. On real T1 scans it lifts WM where "
        "the scan has a field (IBSR_16: WM Dice 0.837 to 0.884) and stays nearly flat where it has none; use it "
        "with the spatial prior.",
        ("tissue",), "--bias-correct", "Bias field correction", url="bias", offered=("off", "on"), switches=True,
        phrase={True: "bias field"},
    ),  # fmt: skip
    Option(
        "mrf", 0.0, "Tissue model: strength β of the spatial prior at 1 mm (a contrast-sensitive Potts prior over "
        f"face neighbours: neighbouring voxels tend to share a tissue); 0 is off, {DEFAULT_BETA:g} the default "
        "strength. On real T1 scans use it with the bias field (IBSR18: GM / WM Dice 0.874 / 0.876 against the "
        "lesson's 0.812 / 0.867); without it, it costs WM on scans that have a field.",
        ("tissue",), "--mrf", "Spatial prior (MRF β)", low=0, url="mrf",
        offered=("0", "2", "5", "8", "10", "15", "20"), switches=True, phrase="spatial prior β = {value:g}",
        const=DEFAULT_BETA, metavar="BETA",
    ),  # fmt: skip
    Option(
        "priors", "off", "Tissue model, k = 3 with a T1 first: 'template' takes each voxel's prior CSF, GM and WM "
        "probabilities from the MNI152 template registered onto the brain (the mask 'brain' or a brain mask "
        "file), as SPM's tissue probability maps do. Not yet measured on real scans with manual labels, so off by "
        "default.", ("tissue",), "--priors", "Tissue priors",
        choices=("off", "template"), url="priors", offered=("off", "template"), switches=True,
        phrase={"template": "the template's tissue priors"}, renamed={"none": "off"},
    ),  # fmt: skip
)
"""Every fit option, in the order records and generated code list them."""
OPTION = {option.name: option for option in OPTIONS}


@dataclass(frozen=True)
class FitOptions:
    """Every setting of a fit except k and the seed: one field per declaration in :data:`OPTIONS`.

    Attributes
    ----------
    mode : {"fast", "exact"}, default "fast"
    max_fit_voxels : int, default 20_000
    covariance : {"full", "tied", "diag", "spherical"}, default "full"
    standardise : bool, default False
    max_iter : int, default 100
    bias_correct : bool, default False
    mrf : float, default 0
    priors : {"off", "template"}, default "off"

    Each option's help is :data:`OPTION`\\ ``[name].help``. The model that runs
    (:attr:`model`) uses some of them; :meth:`effective` resets the others, so
    that a record never states an option that did not act.
    """

    mode: str = OPTION["mode"].default
    max_fit_voxels: int = OPTION["max_fit_voxels"].default
    covariance: str = OPTION["covariance"].default
    standardise: bool = OPTION["standardise"].default
    max_iter: int = OPTION["max_iter"].default
    bias_correct: bool = OPTION["bias_correct"].default
    mrf: float = OPTION["mrf"].default
    priors: str = OPTION["priors"].default

    def __post_init__(self) -> None:
        for option in OPTIONS:
            object.__setattr__(self, option.name, option.check(getattr(self, option.name)))

    @property
    def model(self) -> str:
        """The model these options fit: ``"tissue"`` when one of its parts is switched on, else the mode."""
        switched = [o for o in OPTIONS if o.switches and getattr(self, o.name) != o.default]
        return switched[0].models[0] if switched else self.mode

    def used(self) -> tuple[Option, ...]:
        """The options the model uses."""
        return tuple(o for o in OPTIONS if o.used_by(self.model))

    def ignored(self) -> tuple[Option, ...]:
        """The options set away from their default that the model does not use."""
        return tuple(o for o in OPTIONS if not o.used_by(self.model) and getattr(self, o.name) != o.default)

    def effective(self) -> FitOptions:
        """These options with every one the model ignores at its default: what actually runs."""
        return dataclasses.replace(self, **{o.name: o.default for o in self.ignored()})

    def real_scan_advice(self) -> str | None:
        """What these options are known to cost on real scans (IBSR18, BENCHMARKS.md), or None."""
        if self.mrf > 0 and not self.bias_correct:
            return (
                "On real T1 scans the spatial prior without the bias field costs white matter where the scan has a "
                "field (IBSR18: 4 of 10 scans lost more than 0.01 WM Dice against the lesson's mixture); switch on "
                "the bias field too."
            )
        return None

    def uses_histogram(self, n_rows: int) -> bool:
        """Whether a fit of ``n_rows`` rows goes through their intensity histogram (plain fast mode above the limit)."""
        return self.model == "fast" and n_rows > self.max_fit_voxels

    def is_lesson_fit(self, n_rows: int) -> bool:
        """Whether a fit of ``n_rows`` rows is scikit-learn's ``GaussianMixture`` on the raw rows, as the lesson's."""
        return self.model in MIXTURE_MODELS and not self.uses_histogram(n_rows) and not self.standardise

    def sklearn_arguments(self) -> str:
        """``GaussianMixture``'s arguments beyond k and the seed that differ from its defaults: ``", max_iter=50"``."""
        return "".join(
            f", {o.sklearn}={getattr(self, o.name)!r}" for o in self.used()
            if o.sklearn and getattr(self, o.name) != o.default
        )  # fmt: skip

    def describe(self, titled: bool = True) -> str:
        """The options the model uses, in words (after the model's name where needed), for captions and exports."""
        from neuroseg.models.registry import MODELS

        return MODELS[self.model].describe([text for o in self.used() if (text := o.words(self))], titled)

    def record(self) -> dict:
        """The model and the options it used, as plain values (JSON-ready): what every record states."""
        return {"model": self.model} | {o.name: getattr(self, o.name) for o in self.used()}

    def as_dict(self) -> dict:
        """Every field as a plain value, used or not."""
        return dataclasses.asdict(self)


def check_k(k: int) -> int:
    """A valid number of clusters, or an :class:`InputError` naming ``k``."""
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise InputError("k", f"must be a whole number of at least 1, not {k!r}.")
    if k > MAX_K:
        raise InputError("k", f"is {k}; labels are stored as uint8, so at most {MAX_K} clusters.")
    return int(k)
