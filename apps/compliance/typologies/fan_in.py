"""Fan-in: many distinct counterparties paying into one account within a few days (a collection account for
mules or smurfs). The counting is shared with fan-out (counterparties.py)."""

from apps.compliance.typologies.base import register
from apps.compliance.typologies.counterparties import CounterpartySpread


@register
class FanIn(CounterpartySpread):
    code = "fan_in"
    version = 1
    name = "Fan-in"
    description = "Many distinct counterparties paying into one account within a few days."
    direction = "in"
