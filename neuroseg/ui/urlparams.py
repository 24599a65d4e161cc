"""The settings a shared URL carries (DESIGN 3.2), and checks of their values.

Streamlit's widget binding silently drops a value that does not fit its
widget; these checks name the parameter and the rule, so the app can show a
visible notice that the default was used instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from neuroseg.core.masks import MASK_CHOICES
from neuroseg.models.options import OPTIONS
from neuroseg.viz.palette import LABEL_COLOURS

APP_MAX_K = len(LABEL_COLOURS)
"""The app offers as many clusters as its palette has distinct colours (the library takes up to 255)."""
MAX_SEEDS = 10
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Rule:
    """What values a URL parameter accepts."""

    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return f"a whole number from {self.low} to {self.high}"

    def accepts(self, text: str) -> bool:
        if self.choices:
            return text in self.choices
        try:
            value = int(text)
        except ValueError:
            return False
        return self.low <= value <= self.high


def rules(datasets: tuple[str, ...], slice_count: int | None = None) -> dict[str, Rule]:
    """The rule of every URL parameter; ``slice`` only when the slice count is known."""
    table = {
        "dataset": Rule(choices=datasets),
        "axis": Rule(choices=("x", "y", "z")),
        "k": Rule(low=1, high=APP_MAX_K),
        "seed": Rule(low=0, high=MAX_SEED),
        "scope": Rule(choices=("slice", "volume")),
        "kmin": Rule(low=1, high=APP_MAX_K),
        "kmax": Rule(low=1, high=APP_MAX_K),
        "seeds": Rule(low=1, high=MAX_SEEDS),
        "mask": Rule(choices=MASK_CHOICES),
        "view": Rule(choices=("planes", "3d")),
    } | {option.url: Rule(choices=option.offered) for option in OPTIONS if option.url}
    if slice_count is not None:
        table["slice"] = Rule(low=0, high=slice_count - 1)
    return table


def invalid(query: Mapping[str, str], table: Mapping[str, Rule]) -> list[str]:
    """Notices for the parameters in ``query`` that break their rule.

    Parameters
    ----------
    query : mapping
        Query parameters as text (``st.query_params``).
    table : mapping
        Rules, from :func:`rules`.

    Returns
    -------
    list of str
        One sentence per bad parameter, e.g. ``URL parameter k=abc is not
        valid (a whole number from 1 to 12), so the default is used.``
    """
    notices = []
    for name, rule in table.items():
        if name in query and not rule.accepts(str(query[name])):
            shown = str(query[name])[:40]
            notices.append(f"URL parameter {name}={shown!s} is not valid ({rule.describe()}), so the default is used.")
    return notices
