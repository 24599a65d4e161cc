"""The server's memory gate: heavy work admitted within the budget, the rest queued in turn, too much refused."""

from __future__ import annotations

import threading
import time

import pytest

from neuroseg.analysis.admission import LIGHT_BYTES, LIGHTER, MemoryGate, TooLarge, budget_bytes
from neuroseg.models import FitOptions
from neuroseg.models.cost import fit_bytes

MB = 2**20


def test_work_waits_its_turn_and_the_budget_is_never_exceeded():
    gate = MemoryGate(300 * MB)
    order, peaks, seen_ahead = [], [], {}
    release = threading.Event()

    def work(name: str, cost: int, hold: bool) -> None:
        with gate.admit(cost, on_wait=lambda ahead: seen_ahead.setdefault(name, []).append(ahead), poll=0.01):
            order.append(name)
            peaks.append(gate.in_use)
            if hold:
                release.wait(5)

    first = threading.Thread(target=work, args=("first", 160 * MB, True))
    first.start()
    while gate.in_use == 0:
        time.sleep(0.01)
    waiting = [threading.Thread(target=work, args=(name, 160 * MB, False)) for name in ("second", "third")]
    for thread in waiting:
        thread.start()
        time.sleep(0.1)  # so that they queue in this order
    assert order == ["first"]  # 160 + 160 MB would be over the budget: the others wait
    assert seen_ahead == {"second": [1], "third": [2]}  # "1 ahead", "2 ahead"
    release.set()
    for thread in [first, *waiting]:
        thread.join(5)
    assert order == ["first", "second", "third"] and max(peaks) <= 300 * MB and gate.in_use == 0


def test_light_work_is_never_queued():
    gate = MemoryGate(100 * MB)
    with gate.admit(100 * MB):
        with gate.admit(LIGHT_BYTES - 1):  # a visitor browsing while the budget is taken
            assert gate.in_use == 100 * MB


def test_work_over_the_whole_budget_is_refused_before_it_starts_with_what_would_work():
    gate = MemoryGate(2000 * MB)
    head = fit_bytes(8_800_000, 1, 3, FitOptions(bias_correct=True), 8_800_000)  # a 1 mm whole head, lesson's rule
    brain = fit_bytes(1_900_000, 1, 3, FitOptions(bias_correct=True), 8_800_000)  # the same head's brain
    with pytest.raises(TooLarge, match=r"This fit: needs about 2,\d{3} MB of memory, more than .* \(2,000 MB\)\. Choose the mask 'brain'"):
        gate.check(head, "This fit", LIGHTER)
    gate.check(brain, "This fit", LIGHTER)
    assert 3 * brain <= gate.budget  # three visitors' brains fit at once


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEUROSEG_SERVER_MEMORY_MB", "1500")
    assert budget_bytes() == 1500 * MB
    monkeypatch.setenv("NEUROSEG_SERVER_MEMORY_MB", "lots")
    assert budget_bytes() == 2000 * MB
