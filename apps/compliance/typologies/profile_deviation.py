"""Profile deviation: a movement far out of line with the customer's own history, or money beyond what the
customer declared.

Two measures, either of which raises the finding at the movement that crosses it:

- **history**: a movement of ``amount_at_least`` or more that is more than ``multiple`` times the largest
  movement in the same direction over the previous ``history_days`` days, when that history holds at least
  ``history_at_least`` movements either way (a new customer has no history to deviate from) and one at least in
  that direction. The largest is kept with a monotonic deque, so the pass is O(n).
- **declared**: over the last 30 days, money in above ``declared_multiple`` times the declared monthly income,
  or money in and out above ``declared_multiple`` times the expected monthly turnover (``CustomerContext``).
  Raised when the 30-day sum crosses the limit, quiet while it stays above.

When both cross at one movement, one finding names both. Run at the end of the day.
"""

from __future__ import annotations

import datetime
from collections import deque
from decimal import Decimal

from apps.compliance.typologies.base import END_OF_DAY, Finding, Parameter, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_HISTORY_DAYS = 90
DECLARED_PERIOD = datetime.timedelta(days=30)


class _History:
    """One direction's movements over the history window: how many, and the largest (a deque of amounts
    that only decrease, each with its time)."""

    __slots__ = ("largest", "times")

    def __init__(self):
        self.times = deque()
        self.largest = deque()

    def forget_before(self, horizon):
        while self.times and self.times[0] <= horizon:
            self.times.popleft()
        while self.largest and self.largest[0][0] <= horizon:
            self.largest.popleft()

    def add(self, m):
        self.times.append(m.occurred_at)
        while self.largest and self.largest[-1][1] <= m.amount:
            self.largest.pop()
        self.largest.append((m.occurred_at, m.amount))


class _RollingSum:
    __slots__ = ("armed", "movements", "total")

    def __init__(self):
        self.movements = deque()
        self.total = Decimal(0)
        self.armed = True

    def add(self, m, horizon):
        while self.movements and self.movements[0].occurred_at <= horizon:
            self.total -= self.movements.popleft().amount
        self.movements.append(m)
        self.total += m.amount


@register
class ProfileDeviation(Typology):
    code = "profile_deviation"
    version = 1
    name = "Profile deviation"
    description = "A movement far beyond the customer's own history, or money beyond what the customer declared."
    schedule = END_OF_DAY
    lookback = datetime.timedelta(days=MAX_HISTORY_DAYS + 1)
    parameters = (
        Parameter("multiple", "ratio", "More than this many times the largest movement of the history", "5"),
        Parameter("amount_at_least", "amount", "And at least", "2000"),
        Parameter("history_days", "days", f"History of days (at most {MAX_HISTORY_DAYS})", 90),
        Parameter("history_at_least", "integer", "History of movements, at least", 10),
        Parameter("declared_multiple", "ratio", "More than this many times the declared monthly income or turnover",
                  "2"),
    )
    default_risk_score = 55

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "history_days", MAX_HISTORY_DAYS, "History of days")
        return clean

    def scan(self, movements, *, parameters, context=None):
        multiple = parameters["multiple"]
        minimum = parameters["amount_at_least"]
        span = datetime.timedelta(days=parameters["history_days"])
        history_needed = parameters["history_at_least"]
        declared = parameters["declared_multiple"]
        income_limit = turnover_limit = None
        if context is not None and context.declared_monthly_income:
            income_limit = declared * context.declared_monthly_income
        if context is not None and context.expected_monthly_turnover:
            turnover_limit = declared * context.expected_monthly_turnover
        histories = {"in": _History(), "out": _History()}
        money_in, turnover = _RollingSum(), _RollingSum()
        findings = []
        for m in movements:
            reasons = {}
            horizon = m.occurred_at - span
            history, other = histories[m.direction], histories["out" if m.direction == "in" else "in"]
            history.forget_before(horizon)
            other.forget_before(horizon)
            known = len(history.times) + len(other.times)
            if (m.amount >= minimum and known >= history_needed and history.largest
                    and m.amount > multiple * history.largest[0][1]):
                reasons["history"] = {"largest_before": str(history.largest[0][1]),
                                      "history_movements": known,
                                      "times_largest": str((m.amount / history.largest[0][1]).quantize(Decimal("0.1")))}
            history.add(m)
            horizon = m.occurred_at - DECLARED_PERIOD
            if income_limit is not None and m.direction == "in":
                money_in.add(m, horizon)
                if self._crossed(money_in, income_limit):
                    reasons["declared_income"] = {"money_in_30_days": str(money_in.total),
                                                  "declared_monthly_income": str(context.declared_monthly_income)}
            if turnover_limit is not None:
                turnover.add(m, horizon)
                if self._crossed(turnover, turnover_limit):
                    reasons["expected_turnover"] = {"turnover_30_days": str(turnover.total),
                                                    "expected_monthly_turnover": str(context.expected_monthly_turnover)}
            if reasons:
                findings.append(self._finding(m, reasons, parameters, money_in, turnover))
        return findings

    @staticmethod
    def _crossed(rolling, limit):
        if rolling.total > limit:
            if rolling.armed:
                rolling.armed = False
                return True
            return False
        rolling.armed = True
        return False

    def _finding(self, trigger, reasons, parameters, money_in, turnover):
        ids = {trigger.id}
        parts, score = [], self.default_risk_score
        if "history" in reasons:
            largest = Decimal(reasons["history"]["largest_before"])
            parts.append(f"{format_amount(trigger.amount, trigger.currency)} is "
                         f"{reasons['history']['times_largest']} times the "
                         f"largest {trigger.direction} movement of the last {parameters['history_days']} days")
            score = max(score, graded_score(self.default_risk_score, trigger.amount, parameters["multiple"] * largest,
                                            step=5))
        if "declared_income" in reasons:
            ids.update(m.id for m in money_in.movements)
            parts.append(f"money in over 30 days {format_amount(money_in.total, trigger.currency)} against a "
                         f"declared monthly "
                         f"income of {reasons['declared_income']['declared_monthly_income']}")
            score = max(score, graded_score(self.default_risk_score, money_in.total,
                                            Decimal(reasons["declared_income"]["declared_monthly_income"])
                                            * parameters["declared_multiple"], step=10))
        if "expected_turnover" in reasons:
            ids.update(m.id for m in turnover.movements)
            parts.append(f"turnover over 30 days {format_amount(turnover.total, trigger.currency)} against an expected "
                         f"{reasons['expected_turnover']['expected_monthly_turnover']} a month")
            score = max(score, graded_score(self.default_risk_score, turnover.total,
                                            Decimal(reasons["expected_turnover"]["expected_monthly_turnover"])
                                            * parameters["declared_multiple"], step=10))
        if len(reasons) > 1:
            score = min(100, score + 10)
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(sorted(ids)), score=score, summary="; ".join(parts)[:300],
            facts={"amount": str(trigger.amount), "multiple": str(parameters["multiple"]),
                   "declared_multiple": str(parameters["declared_multiple"]), **reasons},
        )
