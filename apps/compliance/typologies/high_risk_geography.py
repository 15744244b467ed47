"""High-risk geography: money to or from another bank in a country on the configured high-risk list.

Each payment in or out at or above ``amount_at_least`` whose counterparty bank is in one of ``countries`` is its
own finding (a pattern of one). The default list is the FATF's "call for action" jurisdictions (Iran, North
Korea, Myanmar); compliance keeps its own list (the FATF grey list, the EU's high-risk third countries) in the
setting. Real time, no look-back.
"""

from __future__ import annotations

import datetime

from apps.compliance.typologies.base import REALTIME, Finding, Parameter, Typology, register
from apps.money import format_amount

FATF_CALL_FOR_ACTION = ["IR", "KP", "MM"]


@register
class HighRiskGeography(Typology):
    code = "high_risk_geography"
    version = 1
    name = "High-risk geography"
    description = "A payment in or out with a bank in a high-risk country."
    schedule = REALTIME
    lookback = datetime.timedelta(0)
    parameters = (
        Parameter("countries", "countries", "High-risk countries", FATF_CALL_FOR_ACTION),
        Parameter("amount_at_least", "amount", "Amount at least", "1000"),
    )
    default_risk_score = 70

    def scan(self, movements, *, parameters, context=None):
        countries = parameters["countries"]
        minimum = parameters["amount_at_least"]
        findings = []
        for m in movements:
            if m.counterparty_country in countries and m.amount >= minimum:
                towards = "from" if m.direction == "in" else "to"
                findings.append(Finding(
                    typology=self.code, customer_id=m.customer_id, trigger_id=m.id, movement_ids=(m.id,),
                    score=self.default_risk_score + (10 if m.direction == "out" else 0),
                    summary=(f"Payment of {format_amount(m.amount, m.currency)} {towards} a bank in "
                             f"{m.counterparty_country}"),
                    facts={"amount": str(m.amount), "country": m.counterparty_country, "direction": m.direction,
                           "amount_at_least": str(minimum), "counterparty_key": m.counterparty_key},
                ))
        return findings
