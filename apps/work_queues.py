"""The registry of work queues: what is waiting for a staff member, shown on the admin home ("Waiting for you").

Each domain registers its queues from its AppConfig.ready()::

    register_work_queue("payments.held_payments", held_payments_waiting_for, order=200)

A queue is ``report(user) -> WaitingWork | None``: None when the user's role may not act on that queue (it is
then not shown at all), else the count, the admin list that shows those rows, and a few of them in words (what
each is waiting for). A report is a read through the owning app's selectors, a few queries whatever the count;
it runs on every view of the home page.

The registry is a neutral module at the bottom of the layers (like ``apps/eod_registry.py``): the domains
register here without importing the home, which sits above them and only reads the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WaitingCase:
    """One row of a queue, in words, with a link to its page."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class WaitingWork:
    label: str
    count: int
    url: str
    cases: tuple[WaitingCase, ...] = ()


WorkQueueReport = Callable[[Any], "WaitingWork | None"]
_QUEUES: dict[str, tuple[int, WorkQueueReport]] = {}


def register_work_queue(name: str, report: WorkQueueReport, *, order: int) -> WorkQueueReport:
    _QUEUES[name] = (order, report)
    return report


def unregister_work_queue(name: str) -> None:
    _QUEUES.pop(name, None)


def work_waiting_for(user: Any) -> list[WaitingWork]:
    """The queues ``user`` may act on, in the registry's order (empty ones included: "nothing waiting" is news)."""
    ordered = sorted(_QUEUES.items(), key=lambda entry: (entry[1][0], entry[0]))
    return [work for _, (_, report) in ordered if (work := report(user)) is not None]
