"""Velocity: many movements in a short window, the burst of a mule account or of a layering run.

The pattern is ``count_at_least`` movements of the customer (any account, either direction, any channel)
within ``hours`` hours; raised at the movement that completes it, quiet while the window stays that full. One
pass, one deque.
"""

from __future__ import annotations

import datetime
from collections import deque

from apps.compliance.typologies.base import REALTIME, Finding, Parameter, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_HOURS = 24


@register
class Velocity(Typology):
    code = "velocity"
    version = 1
    name = "Velocity"
    description = "Many movements within a short window."
    schedule = REALTIME
    lookback = datetime.timedelta(hours=2 * MAX_HOURS)
    parameters = (
        Parameter("count_at_least", "integer", "Movements, at least", 10),
        Parameter("hours", "hours", f"Within hours (at most {MAX_HOURS})", 1),
    )
    default_risk_score = 45

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "hours", MAX_HOURS, "Within hours")
        return clean

    def scan(self, movements, *, parameters, context=None):
        needed = parameters["count_at_least"]
        span = datetime.timedelta(hours=parameters["hours"])
        window = deque()
        armed = True
        findings = []
        for m in movements:
            horizon = m.occurred_at - span
            while window and window[0].occurred_at <= horizon:
                window.popleft()
            window.append(m)
            if len(window) >= needed:
                if armed:
                    armed = False
                    findings.append(self._finding(m, list(window), parameters))
            else:
                armed = True
        return findings

    def _finding(self, trigger, window, parameters):
        total = sum(m.amount for m in window)
        minutes = int((trigger.occurred_at - window[0].occurred_at).total_seconds() // 60)
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in window),
            score=graded_score(self.default_risk_score, len(window), parameters["count_at_least"], step=20),
            summary=f"{len(window)} movements within {minutes} minutes ({format_amount(total, trigger.currency)})",
            facts={"count": len(window), "minutes": minutes, "total": str(total),
                   "count_at_least": parameters["count_at_least"], "hours": parameters["hours"]},
        )
