"""What fan-in and fan-out share: for each account, the distinct counterparties (``Movement.counterparty_key``)
of its movements in one direction, of ``each_at_least`` or more (card-sized payments to shops are not a
spread of money), within a window of business days.

One pass: per account a deque of the movements in the window, a count per counterparty and the window's total,
so adding and dropping a movement are O(1). The pattern is ``counterparties_at_least`` distinct counterparties
whose money adds up to ``total_at_least``; raised at the movement that completes it, quiet while it holds.
Cash (no counterparty) is left out.
"""

from __future__ import annotations

import datetime
from collections import deque

from apps.compliance.typologies.base import END_OF_DAY, Finding, Parameter, Typology
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_DAYS = 31


class _AccountWindow:
    __slots__ = ("armed", "movements", "per_counterparty", "total")

    def __init__(self):
        self.movements = deque()
        self.per_counterparty = {}
        self.total = 0
        self.armed = True


class CounterpartySpread(Typology):
    direction: str  # "in" (fan-in) or "out" (fan-out)
    schedule = END_OF_DAY
    lookback = datetime.timedelta(days=2 * MAX_DAYS)
    parameters = (
        Parameter("counterparties_at_least", "integer", "Distinct counterparties, at least", 10),
        Parameter("each_at_least", "amount", "A movement counts from", "500"),
        Parameter("total_at_least", "amount", "Together at least", "5000"),
        Parameter("days", "days", f"Within business days (at most {MAX_DAYS})", 7),
    )
    default_risk_score = 60

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "days", MAX_DAYS, "Within business days")
        return clean

    def scan(self, movements, *, parameters, context=None):
        needed = parameters["counterparties_at_least"]
        minimum = parameters["total_at_least"]
        smallest = parameters["each_at_least"]
        span = datetime.timedelta(days=parameters["days"])
        direction = self.direction
        accounts = {}
        findings = []
        for m in movements:
            if m.direction != direction or not m.counterparty_key or m.amount < smallest:
                continue
            state = accounts.get(m.account_id)
            if state is None:
                state = accounts[m.account_id] = _AccountWindow()
            window, counts = state.movements, state.per_counterparty
            horizon = m.business_date - span
            while window and window[0].business_date <= horizon:
                old = window.popleft()
                state.total -= old.amount
                left = counts[old.counterparty_key] - 1
                if left:
                    counts[old.counterparty_key] = left
                else:
                    del counts[old.counterparty_key]
            window.append(m)
            state.total += m.amount
            counts[m.counterparty_key] = counts.get(m.counterparty_key, 0) + 1
            if len(counts) >= needed and state.total >= minimum:
                if state.armed:
                    state.armed = False
                    findings.append(self._finding(m, list(window), len(counts), state.total, parameters))
            else:
                state.armed = True
        return findings

    def _finding(self, trigger, window, distinct, total, parameters):
        towards = "from" if self.direction == "in" else "to"
        days = sorted({m.business_date for m in window})
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in window),
            score=graded_score(self.default_risk_score, distinct, parameters["counterparties_at_least"], step=25),
            summary=(f"{format_amount(total, trigger.currency)} {towards} {distinct} distinct "
                     f"counterparties on account "
                     f"{trigger.account_id} within {len(days)} business day(s)"),
            facts={"counterparties": distinct, "total": str(total), "account_id": trigger.account_id,
                   "movements": len(window), "counterparties_at_least": parameters["counterparties_at_least"],
                   "total_at_least": str(parameters["total_at_least"]), "days": parameters["days"]},
        )
