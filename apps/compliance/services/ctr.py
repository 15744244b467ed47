"""The currency transaction report (CTR) register: each customer's cash per CTR business day per currency,
across the bank's branches and the customer's accounts, deposits and withdrawals aggregated separately.

A cash movement counts toward the CTR business day of its business date, or, when it was made after the cut-off
(``COMPLIANCE_CTR_CUTOFF`` in the bank's ``TIME_ZONE``), toward the next business day (weekends and the bank's
holidays skipped). Cash deposits or withdrawals above the currency's threshold (``CtrThreshold``; a currency
without one is not aggregated) make an entry in the register, ready to file. Aggregating a day again changes
nothing; a movement recorded late updates a ready entry (a filed one is left as filed, and counted).

A threshold decides what cash may do without a report: its changes go through maker-checker with a diff.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.advisory_locks import lock_for_transaction
from apps.compliance.errors import CtrFilingRefused, CtrThresholdChangeRefused
from apps.compliance.models import CtrThreshold, CurrencyTransactionReport, MonitoredTransaction
from apps.compliance.models.monitoring import Channel, Direction
from apps.compliance.models.reports import CtrStatus
from apps.domain_errors import PermissionRefused
from apps.money import round_to_currency
from apps.organization.business_days import ONE_DAY, next_business_day
from apps.organization.configuration import approval_change_reason, changed_instance, propose_configuration_change
from apps.organization.models import ApprovalRequest, User
from apps.organization.selectors import holidays_between

CHANGE_CTR_THRESHOLD = "compliance.change_ctr_threshold"
THRESHOLD_FIELDS = ("currency", "amount")
# The longest run of days that are not business days a cut-off movement can jump over (a weekend and a week of
# holidays): how far back a CTR day's movements are looked for.
LONGEST_CLOSURE = datetime.timedelta(days=14)
# Two runs aggregating one CTR day take turns (the first key of the advisory lock; the day's ordinal the second):
# the second finds the first's entries, rather than failing on the one-entry-per-customer-day constraint.
CTR_DAY_LOCK_CLASS = 0x43545244  # "CTRD"


def cutoff_time() -> datetime.time:
    return datetime.time.fromisoformat(settings.COMPLIANCE_CTR_CUTOFF)


def ctr_business_date(*, business_date: datetime.date, occurred_at: datetime.datetime,
                      holidays: Collection[datetime.date]) -> datetime.date:
    """The CTR business day a cash movement counts toward: its business date (or the next business day, if the
    bank booked it on a closed day), or the business day after it when made at or after the cut-off."""
    local_time = occurred_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).time()
    if local_time >= cutoff_time():
        return next_business_day(business_date + ONE_DAY, holidays)
    return next_business_day(business_date, holidays)


@dataclass
class CashDay:
    """One customer's cash of one CTR day in one currency."""

    cash_in: Decimal = Decimal("0")
    cash_out: Decimal = Decimal("0")
    rows: list[MonitoredTransaction] = field(default_factory=list)


def cash_of_ctr_day(business_date: datetime.date) -> dict[tuple[int, str], CashDay]:
    """(customer id, currency) -> the cash counting toward the CTR day ``business_date``: the movements booked
    on it before the cut-off, and those booked since the previous business day at or after it."""
    start = business_date - LONGEST_CLOSURE
    holidays = holidays_between(start, business_date + LONGEST_CLOSURE)
    days: dict[tuple[int, str], CashDay] = defaultdict(CashDay)
    rows = MonitoredTransaction.objects.filter(channel=Channel.CASH, business_date__gte=start,
                                               business_date__lte=business_date).order_by("occurred_at", "id")
    for row in rows:
        if ctr_business_date(business_date=row.business_date, occurred_at=row.occurred_at,
                             holidays=holidays) != business_date:
            continue
        day = days[(row.customer_id, row.currency)]
        if row.direction == Direction.IN:
            day.cash_in += row.amount
        else:
            day.cash_out += row.amount
        day.rows.append(row)
    return days


@transaction.atomic
def aggregate_ctrs(*, business_date: datetime.date) -> dict[str, int]:
    """Enter in the register every customer's cash of the CTR day ``business_date`` above its currency's
    threshold. Idempotent: a ready entry is brought up to date (a movement recorded late), a filed one is never
    touched (``filed_changed`` counts those whose cash changed since filing: an amendment for the FIU)."""
    lock_for_transaction(CTR_DAY_LOCK_CLASS, business_date.toordinal())
    thresholds = dict(CtrThreshold.objects.values_list("currency", "amount"))
    counts = {"created": 0, "updated": 0, "unchanged": 0, "filed_changed": 0}
    existing = {(ctr.customer_id, ctr.currency): ctr for ctr in CurrencyTransactionReport.objects
                .select_for_update().filter(business_date=business_date)}
    for (customer_id, currency), day in sorted(cash_of_ctr_day(business_date).items()):
        threshold = thresholds.get(currency)
        if threshold is None:
            continue
        cash_in, cash_out = round_to_currency(day.cash_in, currency), round_to_currency(day.cash_out, currency)
        ctr = existing.get((customer_id, currency))
        if ctr is None:
            if cash_in <= threshold and cash_out <= threshold:
                continue
            ctr = CurrencyTransactionReport.objects.create(
                customer_id=customer_id, business_date=business_date, currency=currency, cash_in=cash_in,
                cash_out=cash_out, threshold=threshold)
            ctr.transactions.set(day.rows)
            counts["created"] += 1
        elif (ctr.cash_in, ctr.cash_out) == (cash_in, cash_out):
            counts["unchanged"] += 1
        elif ctr.status == CtrStatus.FILED:
            counts["filed_changed"] += 1
        else:
            ctr.cash_in, ctr.cash_out = cash_in, cash_out
            ctr._change_reason = "Cash recorded after the entry was made"
            ctr.save(update_fields=["cash_in", "cash_out"])
            ctr.transactions.set(day.rows)
            counts["updated"] += 1
    return counts


def aggregate_recent_ctrs(business_date: datetime.date) -> dict[str, int]:
    """The end-of-day step: the CTR days of the last ``COMPLIANCE_CTR_LOOKBACK_DAYS`` up to ``business_date``
    (a movement recorded late, a missed run); each one is aggregated in its own transaction."""
    totals: dict[str, int] = defaultdict(int)
    first = business_date - datetime.timedelta(days=settings.COMPLIANCE_CTR_LOOKBACK_DAYS)
    holidays = holidays_between(first, business_date)
    day = first
    while day <= business_date:
        if next_business_day(day, holidays) == day:
            for name, count in aggregate_ctrs(business_date=day).items():
                totals[name] += count
        day += ONE_DAY
    return dict(totals)


@transaction.atomic
def file_ctr(*, ctr: CurrencyTransactionReport, fiu_reference: str, actor: User,
             now: datetime.datetime | None = None) -> CurrencyTransactionReport:
    """Mark a ready CTR filed with the FIU, with the acknowledgement number the FIU gave it."""
    if not actor.has_perm("compliance.file_ctr"):
        raise PermissionRefused("Your role may not file currency transaction reports.")
    reference = fiu_reference.strip()
    if not reference:
        raise CtrFilingRefused("Give the FIU's acknowledgement number of the filing.")
    ctr = CurrencyTransactionReport.objects.select_for_update().get(pk=ctr.pk)
    if ctr.status == CtrStatus.FILED:
        raise CtrFilingRefused(f"{ctr} was filed on {ctr.filed_at:%Y-%m-%d} as {ctr.fiu_reference}.")
    ctr.status, ctr.filed_at, ctr.filed_by, ctr.fiu_reference = CtrStatus.FILED, now or timezone.now(), actor, reference
    ctr._history_user = actor
    ctr.save(update_fields=["status", "filed_at", "filed_by", "fiu_reference"])
    return ctr


def file_ctrs(*, ctrs: Iterable[CurrencyTransactionReport], fiu_reference: str, actor: User) -> int:
    """File several CTRs in one submission to the FIU (one acknowledgement number); all or none."""
    with transaction.atomic():
        return len([file_ctr(ctr=ctr, fiu_reference=fiu_reference, actor=actor) for ctr in ctrs])


def _check_threshold(threshold: CtrThreshold) -> None:
    try:
        threshold.full_clean(validate_unique=False)
    except ValidationError as error:
        raise CtrThresholdChangeRefused(" ".join(error.messages)) from None
    if round_to_currency(threshold.amount, threshold.currency) != threshold.amount:
        raise CtrThresholdChangeRefused(f"{threshold.amount} has more decimals than {threshold.currency} has.")


@transaction.atomic
def propose_ctr_threshold_change(*, proposed: CtrThreshold, maker: User) -> ApprovalRequest:
    """Ask a checker to approve a new CTR threshold or a change of one (``proposed`` is unsaved). Refused when
    nothing changes or a rule fails; nothing is saved."""
    needed = "compliance.change_ctrthreshold" if proposed.pk else "compliance.add_ctrthreshold"
    if not maker.has_perm(needed):
        raise PermissionRefused("Your role may not change the CTR thresholds.")
    _check_threshold(proposed)
    if proposed.pk is None and CtrThreshold.objects.filter(currency=proposed.currency).exists():
        raise CtrThresholdChangeRefused(f"{proposed.currency} has a threshold: change it instead.")
    return propose_configuration_change(operation=CHANGE_CTR_THRESHOLD, proposed=proposed, fields=THRESHOLD_FIELDS,
                                        maker=maker, summary=f"CTR threshold {proposed.currency} {proposed.amount}")


@transaction.atomic
def apply_ctr_threshold_change(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved threshold change under the row's lock; refused when stale. History: the checker, and
    both names in the reason."""
    locked = CtrThreshold.objects.select_for_update().get(pk=parameters["pk"]) if parameters["pk"] else None
    threshold = changed_instance(locked=locked, model=CtrThreshold, parameters=parameters)
    _check_threshold(threshold)
    threshold._history_user = actor
    threshold._change_reason = approval_change_reason(maker=maker, checker=actor)
    threshold.save()
    return {"currency": threshold.currency, "amount": str(threshold.amount)}
