"""Fan-out: one account paying many distinct counterparties within a few days (dispersal to mules). The
counting is shared with fan-in (counterparties.py)."""

from apps.compliance.typologies.base import register
from apps.compliance.typologies.counterparties import CounterpartySpread


@register
class FanOut(CounterpartySpread):
    code = "fan_out"
    version = 1
    name = "Fan-out"
    description = "One account paying many distinct counterparties within a few days."
    direction = "out"
