"""Round amounts: repeated transfers of round sums (5,000.00, 20,000.00), which people rarely owe and
launderers often move.

A transfer or payment (within the bank or to and from another) counts when its amount is a whole multiple of
``round_to``. The pattern is ``count_at_least`` of them, either direction, within ``days`` business days; raised
at the one that completes it, quiet while it holds. Cash is left to structuring and large cash. Run at the end
of the day: the window is days long.
"""

from __future__ import annotations

import datetime
from collections import deque

from apps.compliance.typologies.base import END_OF_DAY, Finding, Parameter, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_DAYS = 31
TRANSFER_CHANNELS = frozenset({"internal", "external"})


@register
class RoundAmounts(Typology):
    code = "round_amounts"
    version = 1
    name = "Round amounts"
    description = "Several transfers of round sums within a few days."
    schedule = END_OF_DAY
    lookback = datetime.timedelta(days=2 * MAX_DAYS)
    parameters = (
        Parameter("round_to", "amount", "Round: a whole multiple of", "1000"),
        Parameter("count_at_least", "integer", "Round transfers, at least", 3),
        Parameter("days", "days", f"Within business days (at most {MAX_DAYS})", 7),
    )
    default_risk_score = 45

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "days", MAX_DAYS, "Within business days")
        return clean

    def scan(self, movements, *, parameters, context=None):
        unit = parameters["round_to"]
        needed = parameters["count_at_least"]
        span = datetime.timedelta(days=parameters["days"])
        window = deque()
        armed = True
        findings = []
        for m in movements:
            if m.channel not in TRANSFER_CHANNELS:
                continue
            horizon = m.business_date - span
            while window and window[0].business_date <= horizon:
                window.popleft()
            is_round = m.amount % unit == 0
            if is_round:
                window.append(m)
            if len(window) >= needed:
                if armed and is_round:
                    armed = False
                    findings.append(self._finding(m, list(window), parameters))
            else:
                armed = True
        return findings

    def _finding(self, trigger, window, parameters):
        total = sum(m.amount for m in window)
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in window),
            score=graded_score(self.default_risk_score, len(window), parameters["count_at_least"], step=15),
            summary=(f"{len(window)} transfers of round sums (multiples of {parameters['round_to']}) within "
                     f"{parameters['days']} days: {format_amount(total, trigger.currency)}"),
            facts={"count": len(window), "total": str(total), "amounts": [str(m.amount) for m in window],
                   "round_to": str(parameters["round_to"]), "days": parameters["days"]},
        )
