"""Rapid movement: money that comes in and goes out again within a few hours (a pass-through, or mule,
account; also each hop of a cycle).

Within the last ``hours`` hours, the money in is ``inflow_at_least`` or more and the money out since the first
of those inflows is ``out_share`` of it or more. Raised at the outgoing movement that completes it; quiet while
it holds. One pass: a deque of inflows and one of the outflows since the oldest of them.
"""

from __future__ import annotations

import datetime
from collections import deque
from decimal import Decimal

from apps.compliance.typologies.base import REALTIME, Finding, Parameter, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_HOURS = 48


@register
class RapidMovement(Typology):
    code = "rapid_movement"
    version = 1
    name = "Rapid movement"
    description = "Funds received and sent on again within a few hours."
    schedule = REALTIME
    lookback = datetime.timedelta(hours=2 * MAX_HOURS)
    parameters = (
        Parameter("inflow_at_least", "amount", "Money in, at least", "5000"),
        Parameter("out_share", "ratio", "Share of it sent out again, at least", "0.8"),
        Parameter("hours", "hours", f"Within hours (at most {MAX_HOURS})", 24),
    )
    default_risk_score = 60

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "hours", MAX_HOURS, "Within hours")
        return clean

    def scan(self, movements, *, parameters, context=None):
        minimum = parameters["inflow_at_least"]
        share = parameters["out_share"]
        span = datetime.timedelta(hours=parameters["hours"])
        inflows, outflows = deque(), deque()
        money_in = money_out = Decimal(0)
        armed = True
        findings = []
        for m in movements:
            horizon = m.occurred_at - span
            while inflows and inflows[0].occurred_at <= horizon:
                money_in -= inflows.popleft().amount
            # only what left after the oldest inflow still in the window counts as sent on
            since = inflows[0].occurred_at if inflows else m.occurred_at
            while outflows and (outflows[0].occurred_at <= horizon or outflows[0].occurred_at < since):
                money_out -= outflows.popleft().amount
            if m.direction == "in":
                inflows.append(m)
                money_in += m.amount
            elif inflows:
                outflows.append(m)
                money_out += m.amount
            if money_in >= minimum and money_out >= share * money_in:
                if armed and m.direction == "out":
                    armed = False
                    findings.append(self._finding(m, list(inflows), list(outflows), money_in, money_out, parameters))
            else:
                armed = True
        return findings

    def _finding(self, trigger, inflows, outflows, money_in, money_out, parameters):
        elapsed = trigger.occurred_at - inflows[0].occurred_at
        hours = round(elapsed.total_seconds() / 3600, 1)
        # faster is worse: up to 20 points for money gone within the first part of the window
        speed = int(20 * (1 - min(1.0, elapsed / datetime.timedelta(hours=parameters["hours"]))))
        score = min(100, graded_score(self.default_risk_score, money_in, parameters["inflow_at_least"], step=5) + speed)
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in [*inflows, *outflows]), score=score,
            summary=(f"{format_amount(money_in, trigger.currency)} in and "
                     f"{format_amount(money_out, trigger.currency)} out again within "
                     f"{hours} hours ({int(100 * money_out / money_in)}%)"),
            facts={"money_in": str(money_in), "money_out": str(money_out), "hours": hours,
                   "out_share": str(parameters["out_share"]), "inflow_at_least": str(parameters["inflow_at_least"]),
                   "window_hours": parameters["hours"]},
        )
