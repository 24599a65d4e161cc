"""One server, many visitors: a fit over the budget is refused with what would work; one that must wait, waits."""

from __future__ import annotations

import threading
import time

from neuroseg.analysis.admission import GATE
from neuroseg.testing.apptest import chart, errors, open_page

MB = 2**20


def test_a_fit_over_the_servers_budget_is_refused_with_what_would_work(monkeypatch):
    monkeypatch.setattr(GATE, "budget", 80 * MB)
    at = open_page("segment", dataset="phantom", scope="volume", bias="on")
    assert any(
        e.startswith("This fit: needs about") and "(80 MB)" in e and "Choose the mask 'brain'" in e for e in errors(at)
    ), errors(at)
    at = open_page("segment", dataset="phantom", scope="slice", bias="on")  # one slice is light: it runs
    assert not errors(at) and chart(at, "3 clusters in bias-corrected intensities")


def test_a_fit_waits_while_another_sessions_work_holds_the_budget():
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:
        with GATE.admit(GATE.budget):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=other_session)
    holder.start()
    held.wait(5)
    threading.Timer(2.0, release.set).start()
    start = time.perf_counter()
    at = open_page("segment", dataset="phantom", scope="volume", bias="on")
    waited = time.perf_counter() - start
    holder.join(5)
    assert waited >= 2.0 and GATE.in_use == 0  # it ran only once the other session's work had finished
    assert not errors(at) and chart(at, "3 clusters in bias-corrected intensities")
