"""The ordered registry of end-of-day steps (and, below, of open items). Each domain appends its own from its
AppConfig.ready()::

    register_step("loans.accrue_interest", accrue_loan_interest, order=250)

A step is ``function(business_date) -> dict[str, int]`` (counts for the run record). It must be idempotent
(running it twice for the same date changes nothing the second time) and handle catch-up: everything due on or
before the date it is given. Steps run in ascending ``order``; sealing the ledger is always last.

Orders in use: 100 expire holds, 140 expire undecided payment reviews, 150 execute standing orders, 200 accrue
deposit interest, 250 accrue loan interest, 260 mark loan instalments due and overdue, 270 collect due loan
instalments, 300 mature term deposits, 400 post interest,
500 charge monthly fees, 600 mark dormant accounts, 700 AML monitoring of the date, 710 the CTR register;
1,000,000 the seal.

The registry is a neutral module at the bottom of the layers (like ``apps/domain_errors.py``): the domains
register here without importing ``apps.eod``, which sits above them all and reads the registry when it runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

StepFunction = Callable[[datetime.date], dict]


@dataclass(frozen=True)
class EodStep:
    name: str
    order: int
    function: StepFunction


_STEPS: dict[str, EodStep] = {}


def register_step(name: str, function: StepFunction, *, order: int) -> StepFunction:
    _STEPS[name] = EodStep(name=name, order=order, function=function)
    return function


def unregister_step(name: str) -> None:
    _STEPS.pop(name, None)


def registered_steps() -> list[EodStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


# --- Open items: what is still waiting when staff close the day (shown on the admin's end-of-day screen) -------
@dataclass(frozen=True)
class OpenItem:
    """One kind of unfinished work: ``count`` of them, a link to the admin list that shows them, and what end
    of day will do about them (``note``), if anything."""

    label: str
    count: int
    url: str = ""
    note: str = ""


OpenItemsReport = Callable[[datetime.date], list[OpenItem]]
_OPEN_ITEMS: dict[str, tuple[int, OpenItemsReport]] = {}


def register_open_items(name: str, report: OpenItemsReport, *, order: int) -> OpenItemsReport:
    """A domain reports its open items from its AppConfig.ready(): ``report(business_date) -> [OpenItem]``,
    a read only (it runs on every view of the screen)."""
    _OPEN_ITEMS[name] = (order, report)
    return report


def unregister_open_items(name: str) -> None:
    _OPEN_ITEMS.pop(name, None)


def open_items(business_date: datetime.date) -> list[OpenItem]:
    return [item for _, (_, report) in sorted(_OPEN_ITEMS.items(), key=lambda entry: (entry[1][0], entry[0]))
            for item in report(business_date)]
