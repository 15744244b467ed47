"""Structuring: cash kept just below the reporting threshold, split across days, branches or accounts so that
no single deposit (or withdrawal) is reported, while together they are over the threshold.

A cash movement counts when it is at or above ``near_threshold_from`` and below ``reporting_threshold``. The
pattern is ``count_at_least`` such movements in one direction within ``days`` business days (any branch, any
of the customer's accounts) adding up to the threshold or more; it is raised at the movement that completes it,
then the typology keeps quiet until the window has fallen below the pattern again. One pass, a deque per
direction.
"""

from __future__ import annotations

import datetime
from collections import deque
from decimal import Decimal

from apps.compliance.typologies.base import END_OF_DAY, Finding, Parameter, ParameterError, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_DAYS = 14


@register
class Structuring(Typology):
    code = "structuring"
    version = 1
    name = "Structuring"
    description = ("Several cash deposits (or withdrawals) just below the reporting threshold within a few business "
                   "days, together over it.")
    schedule = END_OF_DAY
    lookback = datetime.timedelta(days=2 * MAX_DAYS)
    parameters = (
        Parameter("reporting_threshold", "amount", "Reporting threshold for cash", "10000"),
        Parameter("near_threshold_from", "amount", "A cash movement is just below the threshold from", "8000"),
        Parameter("count_at_least", "integer", "Such movements, at least", 2),
        Parameter("days", "days", f"Within business days (at most {MAX_DAYS})", 7),
    )
    default_risk_score = 65

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "days", MAX_DAYS, "Within business days")
        if Decimal(clean["near_threshold_from"]) >= Decimal(clean["reporting_threshold"]):
            raise ParameterError("Just below the threshold from: must be below the reporting threshold.")
        return clean

    def scan(self, movements, *, parameters, context=None):
        threshold = parameters["reporting_threshold"]
        floor = parameters["near_threshold_from"]
        needed = parameters["count_at_least"]
        span = datetime.timedelta(days=parameters["days"])
        windows = {"in": deque(), "out": deque()}
        totals = {"in": 0, "out": 0}
        armed = {"in": True, "out": True}
        findings = []
        for m in movements:
            if m.channel != "cash":
                continue
            direction = m.direction
            window = windows[direction]
            horizon = m.business_date - span
            while window and window[0].business_date <= horizon:
                totals[direction] -= window.popleft().amount
            qualifies = floor <= m.amount < threshold
            if qualifies:
                window.append(m)
                totals[direction] += m.amount
            if len(window) >= needed and totals[direction] >= threshold:
                if armed[direction] and qualifies:
                    armed[direction] = False
                    findings.append(self._finding(m, list(window), totals[direction], parameters))
            else:
                armed[direction] = True
        return findings

    def _finding(self, trigger, window, total, parameters):
        threshold = parameters["reporting_threshold"]
        days = sorted({m.business_date for m in window})
        branches = sorted({m.branch_id for m in window if m.branch_id is not None})
        accounts = sorted({m.account_id for m in window})
        spread = (len(branches) > 1) + (len(accounts) > 1) + (len(days) > 1)
        score = min(100, graded_score(self.default_risk_score, len(window), parameters["count_at_least"]) + 5 * spread)
        what = "deposits" if trigger.direction == "in" else "withdrawals"
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in window), score=score,
            summary=(f"{len(window)} cash {what} just below {format_amount(threshold, trigger.currency)} "
                     f"within {len(days)} "
                     f"business day(s), {len(branches) or 1} branch(es), {len(accounts)} account(s): "
                     f"{format_amount(total, trigger.currency)} in all"),
            facts={"count": len(window), "total": str(total), "threshold": str(threshold),
                   "near_threshold_from": str(parameters["near_threshold_from"]), "days": parameters["days"],
                   "business_dates": [d.isoformat() for d in days], "branch_ids": branches, "account_ids": accounts},
        )
