"""One server, many visitors: heavy work admitted against a memory budget, the rest queued in turn (DESIGN 3.16).

Streamlit runs every session as a thread of one process, so one
:class:`MemoryGate` per process is enough: a request states its estimated
peak (:mod:`neuroseg.models.cost`), runs at once while the admitted work fits
in the budget, and otherwise waits, first come first served, reporting how
many are ahead. Work larger than the whole budget is refused before it starts,
with what would work instead. Light work (below :data:`LIGHT_BYTES`) is never
queued, so a visitor who only browses stays served while others fit.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from neuroseg.errors import InputError

DEFAULT_BUDGET_MB = 2000
"""Of Streamlit Community Cloud's 2.7 GB per app: the rest is the interpreter, the libraries and the caches."""
LIGHT_BYTES = 64 * 2**20
"""Work estimated below this runs without queueing (a slice, a fast fit of a 2 mm volume)."""
BUDGET_VARIABLE = "NEUROSEG_SERVER_MEMORY_MB"


def budget_bytes() -> int:
    """The server's budget for heavy work: ``NEUROSEG_SERVER_MEMORY_MB`` megabytes (default 2,000)."""
    text = os.environ.get(BUDGET_VARIABLE, "")
    try:
        megabytes = float(text) if text else DEFAULT_BUDGET_MB
    except ValueError:
        megabytes = DEFAULT_BUDGET_MB
    return int(max(megabytes, 1) * 2**20)


class TooLarge(InputError):
    """Work whose estimated peak is over the whole budget: refused before it starts."""


def megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MB"


class MemoryGate:
    """Admits work while the estimated peaks of the admitted work fit in ``budget`` bytes; the rest waits its turn.

    Parameters
    ----------
    budget : int
        Bytes that admitted work may take at once.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._condition = threading.Condition()
        self._in_use = 0
        self._running = 0
        self._queue: list[int] = []
        self._tickets = itertools.count()

    @property
    def in_use(self) -> int:
        """Bytes admitted and not yet released."""
        return self._in_use

    def check(self, cost: int, what: str, hint: str) -> None:
        """Refuse work that could never be admitted (its estimate is over the whole budget)."""
        if cost > self.budget:
            raise TooLarge(
                what, f"needs about {megabytes(cost)} of memory, more than this server gives all its visitors' "
                f"heavy work together ({megabytes(self.budget)}).", hint,
            )  # fmt: skip

    @contextmanager
    def admit(self, cost: int, on_wait: Callable[[int], None] | None = None, poll: float = 0.5) -> Iterator[None]:
        """Hold ``cost`` bytes of the budget while the block runs, waiting first if they are not free.

        ``on_wait(ahead)`` is called while waiting, at first and whenever the number
        of pieces of work ahead (running, or queued earlier) changes; light work runs at once.
        """
        if cost < LIGHT_BYTES:
            yield
            return
        cost = min(cost, self.budget)
        with self._condition:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            shown = None
            try:
                while self._queue[0] != ticket or self._in_use + cost > self.budget:
                    ahead = self._running + self._queue.index(ticket)
                    if on_wait is not None and ahead != shown:
                        shown = ahead
                        on_wait(ahead)
                    self._condition.wait(poll)
            finally:
                self._queue.remove(ticket)
                self._condition.notify_all()
            self._in_use += cost
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._in_use -= cost
                self._running -= 1
                self._condition.notify_all()


GATE = MemoryGate(budget_bytes())
"""The process's gate (the budget is read once, when the process starts)."""


def available_bytes() -> int | None:
    """Memory the machine has free now (Linux: MemAvailable), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


LIGHTER = (
    "Choose the mask 'brain' (only the brain is segmented), one slice instead of the whole volume, or the lesson's "
    "mixture in fast mode (without the tissue model)."
)
"""What would work instead of a fit too large for the budget."""
