"""Dormant reactivation: an account idle for a long time that wakes up with a large movement (or a small
"test" movement followed by large ones).

An account wakes at a movement whose ``account_idle_days`` (days since the account's previous movement, as
recorded) is ``idle_days`` or more. If the money moved on it, either way, within ``days_after_waking`` days of
waking adds up to ``amount_at_least``, the movement that takes it there is the trigger. One finding per
wake-up: quiet until the account has slept again. Real time; state per account.
"""

from __future__ import annotations

import datetime

from apps.compliance.typologies.base import REALTIME, Finding, Parameter, Typology, register
from apps.compliance.typologies.windows import at_most, graded_score
from apps.money import format_amount

MAX_DAYS_AFTER_WAKING = 14


@register
class DormantReactivation(Typology):
    code = "dormant_reactivation"
    version = 1
    name = "Dormant reactivation"
    description = "A long-idle account woken by a large movement."
    schedule = REALTIME
    lookback = datetime.timedelta(days=MAX_DAYS_AFTER_WAKING)
    parameters = (
        Parameter("idle_days", "days", "Dormant: idle for days, at least", 180),
        Parameter("amount_at_least", "amount", "Moved after waking, at least", "5000"),
        Parameter("days_after_waking", "days", f"Within days of waking (at most {MAX_DAYS_AFTER_WAKING})", 7),
    )
    default_risk_score = 55

    def validated_parameters(self, raw):
        clean = super().validated_parameters(raw)
        at_most(clean, "days_after_waking", MAX_DAYS_AFTER_WAKING, "Within days of waking")
        return clean

    def scan(self, movements, *, parameters, context=None):
        idle = parameters["idle_days"]
        minimum = parameters["amount_at_least"]
        span = datetime.timedelta(days=parameters["days_after_waking"])
        woken = {}  # account -> [the waking movement, the movements since, total, still to raise]
        findings = []
        for m in movements:
            if m.account_idle_days is not None and m.account_idle_days >= idle:
                woken[m.account_id] = [m, [], 0, True]
            state = woken.get(m.account_id)
            if state is None or not state[3]:
                continue
            if m.occurred_at - state[0].occurred_at > span:
                del woken[m.account_id]
                continue
            state[1].append(m)
            state[2] += m.amount
            if state[2] >= minimum:
                state[3] = False
                findings.append(self._finding(m, state[0], state[1], state[2], parameters))
        return findings

    def _finding(self, trigger, waking, since, total, parameters):
        idle_days = waking.account_idle_days
        score = min(100, graded_score(self.default_risk_score, total, parameters["amount_at_least"], step=5)
                    + graded_score(0, idle_days, parameters["idle_days"], step=10, ceiling=20))
        return Finding(
            typology=self.code, customer_id=trigger.customer_id, trigger_id=trigger.id,
            movement_ids=tuple(m.id for m in since), score=score,
            summary=(f"Account idle for {idle_days} days moved {format_amount(total, trigger.currency)} within "
                     f"{(trigger.occurred_at - waking.occurred_at).days} day(s) of waking"),
            facts={"idle_days": idle_days, "total": str(total), "account_id": trigger.account_id,
                   "woke_at": waking.occurred_at.isoformat(), "amount_at_least": str(parameters["amount_at_least"]),
                   "idle_days_at_least": parameters["idle_days"]},
        )
