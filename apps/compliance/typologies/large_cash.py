"""Large cash: a single cash deposit or withdrawal at or above the threshold.

The simplest typology, and the model of the others: its scan is one pass, its findings name the movement that
fired, and its vectors (vectors/large_cash.json) show what must alert and the near misses that must not.
"""

from __future__ import annotations

import datetime

from apps.compliance.typologies.base import REALTIME, Finding, Parameter, Typology, register
from apps.money import format_amount


@register
class LargeCash(Typology):
    code = "large_cash"
    version = 1
    name = "Large cash"
    description = "One cash deposit or withdrawal at or above the threshold."
    schedule = REALTIME
    lookback = datetime.timedelta(0)
    parameters = (Parameter("amount_at_least", "amount", "Cash amount at least", "10000"),)
    default_risk_score = 40

    def scan(self, movements, *, parameters, context=None):
        threshold = parameters["amount_at_least"]
        return [
            Finding(typology=self.code, customer_id=m.customer_id, trigger_id=m.id, movement_ids=(m.id,),
                    score=self.default_risk_score,
                    summary=f"Cash {(m.direction == 'in' and 'deposit') or 'withdrawal'} of "
                            f"{format_amount(m.amount, m.currency)} "
                            f"(threshold {format_amount(threshold, m.currency)})",
                    facts={"amount": str(m.amount), "threshold": str(threshold)})
            for m in movements if m.channel == "cash" and m.amount >= threshold
        ]
