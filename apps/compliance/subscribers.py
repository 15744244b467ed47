"""Compliance hears of every money movement after it commits (apps/ledger/money_movements.py)."""

from apps.compliance.services.monitoring import record_and_evaluate
from apps.ledger.money_movements import MONEY_MOVED
from apps.outbox.subscribers import subscriber


@subscriber("compliance.monitor_movement", events=[MONEY_MOVED])
def monitor_movement(event) -> None:
    record_and_evaluate(payload=event.payload)
