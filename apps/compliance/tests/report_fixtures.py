"""Cash and transfers as monitoring records them, at a chosen moment, for the reports' tests: the real counter
operation (journal entry, outbox event), then the event recorded as if it had been made at ``at`` on
``business_date`` (the outbox delivers the payload; only its time is the test's)."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from django.conf import settings

from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import deposit
from apps.compliance.models import MonitoredTransaction
from apps.compliance.services.monitoring import record_movement
from apps.money import Money
from apps.outbox.models import OutboxEvent

_keys = itertools.count(1)


def local(day: datetime.date, hhmm: str) -> datetime.datetime:
    """``hhmm`` on ``day`` in the bank's time zone, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm),
                                     tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _record_last_movement(*, at: datetime.datetime, business_date: datetime.date,
                          branch=None) -> MonitoredTransaction:
    event = OutboxEvent.objects.filter(event_type="money.moved").latest("pk")
    payload = {**event.payload, "occurred_at": at.isoformat(), "business_date": business_date.isoformat()}
    if branch is not None:
        payload["branch_id"] = branch.pk
    return record_movement(payload=payload)[0]


def cash_in(account, amount: str, *, teller, at: datetime.datetime, business_date: datetime.date):
    deposit(account, amount, teller=teller)
    return _record_last_movement(at=at, business_date=business_date, branch=teller.home_branch)


def cash_out(account, amount: str, *, teller, at: datetime.datetime, business_date: datetime.date):
    cash_withdrawal(account=account, amount=Money(amount, account.product.currency), teller=teller,
                    idempotency_key=f"test-withdrawal-{next(_keys)}", approved_by=teller)
    return _record_last_movement(at=at, business_date=business_date, branch=teller.home_branch)
