"""Run the real app in Streamlit's AppTest and read what a page shows: charts and tables by their title, texts, messages."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
from streamlit.testing.v1 import AppTest

from neuroseg.testing import ROOT


def open_page(page: str | None = None, **query) -> AppTest:
    """Run app.py (optionally with URL parameters), switch to ``page`` and run it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def frame(at: AppTest, column: str):
    """The first table on the page that has ``column`` (pages show several: clusters, Dice...)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def crosshair_reading(at: AppTest) -> dict:
    """The crosshair readout: field -> value."""
    table = next(t.value for t in at.table if t.value.index.name == "crosshair")
    return table["value"].to_dict()


def values(array) -> np.ndarray:
    """A Plotly array from figure JSON, plain or base64-encoded (``bdata``)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def shown(markdown: str) -> str:
    """Markdown source as a reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "warning", "error", "title", "subheader")
    return "\n".join(shown(e.value) for kind in kinds for e in at.get(kind))


def warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning]


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def chart_titles(at: AppTest) -> list[str]:
    """The title of every Plotly chart on the page, in page order."""
    return [(c["layout"].get("title") or {}).get("text", "") for c in charts(at)]


def chart(at: AppTest, title: str) -> dict:
    """The first Plotly chart whose title starts with ``title`` (figure JSON)."""
    found = [c for c, text in zip(charts(at), chart_titles(at)) if text.startswith(title)]
    assert found, f"no chart titled {title!r}; the page shows {chart_titles(at)}"
    return found[0]


def component_args(at: AppTest, name: str) -> dict | None:
    """The arguments the page gave its component ``name`` (e.g. the 3-D view), or None if it shows none."""
    found = [el for el in at.get("component_instance") if el.proto.component_name == name]
    return json.loads(found[0].proto.json_args) if found else None

