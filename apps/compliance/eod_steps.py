"""Compliance's end-of-day step, and what it reports open on the end-of-day screen."""

import datetime

from apps.compliance.services.end_of_day import (
    monitor_business_date,
    open_end_of_day_failures,
    undelivered_movement_events,
)
from apps.compliance.services.monitoring import unevaluated_transactions
from apps.eod_registry import OpenItem, register_open_items, register_step

# After the day's movements are all posted (standing orders 150, loan collection 270, fees 500) and before the
# seal: the window typologies see the whole day.
register_step("compliance.monitor", monitor_business_date, order=700)


def _not_evaluated(business_date: datetime.date) -> list[OpenItem]:
    movements = unevaluated_transactions().count()
    windows = open_end_of_day_failures()
    undelivered = undelivered_movement_events()
    return [
        OpenItem(label="Money movements not yet evaluated by monitoring (a typology failed)", count=movements,
                 note="Retried every few minutes and by this end of day; see Evaluation failures." if movements
                 else ""),
        OpenItem(label="Customer windows an end-of-day typology failed on", count=windows,
                 note="Retried every few minutes and by the next end of day." if windows else ""),
        OpenItem(label="Money movements not yet recorded by monitoring (outbox)", count=undelivered,
                 note="The outbox worker delivers them; evaluated once delivered." if undelivered else ""),
    ]


register_open_items("compliance.not_evaluated", _not_evaluated, order=390)
