"""The loans' daily interest accrual: one set-based statement per business date over every accruing instalment,
then one journal entry per product (Dr interest receivable, Cr interest income).

Each instalment's interest is earned evenly over its period's days (``apps.loans.loan_interest``); the date's
accrual brings every instalment to what it has earned by the end of that date. Because each instalment's
running total is rounded, not each day's share, the days of a period sum exactly to its interest and no
rounding residue is left to carry (the deposits' accrual carries one because it rounds a sum of 12-decimal
shares). The day's rows are ``LoanAccrual``; the date's ``LoanEodRun`` makes a second run of it a no-op.

PostgreSQL runs ``sql/accrue_loans.pg.sql``; SQLite (the embedded demo mode, floating-point arithmetic) the same
rule in Python with Decimal (``accrue_python_fallback``). Both paths are run by the same tests.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import connection, transaction

from apps.ledger.services import credit, debit, post_journal_entry
from apps.ledger.sums import exact_totals
from apps.loans.loan_interest import interest_earned
from apps.loans.models import InstalmentStatus, Loan, LoanAccrual, LoanEodRun, LoanInstalment, LoanProduct, LoanStatus
from apps.money import MINOR_UNITS, Money

ACCRUE = "loans.accrue_interest"
SOURCE = "loans"
ACCRUAL_SQL = (Path(__file__).resolve().parent.parent / "sql" / "accrue_loans.pg.sql").read_text()


def accrue_sql(day: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(ACCRUAL_SQL, {"day": day, "currencies": list(MINOR_UNITS),
                                     "decimals": list(MINOR_UNITS.values())})
        return cursor.rowcount


def accrue_python_fallback(day: datetime.date) -> int:
    """``accrue_loans.pg.sql`` in Python: for SQLite only (a loop, fine for a demo bank)."""
    accruing = (LoanInstalment.objects.filter(loan__status=LoanStatus.ACTIVE, period_start__lt=day)
                .exclude(status=InstalmentStatus.RESCHEDULED).select_related("loan"))
    rows, changed = [], []
    done = set(LoanAccrual.objects.filter(business_date=day).values_list("instalment_id", flat=True))
    for instalment in accruing.iterator(chunk_size=2000):
        if instalment.interest_accrued >= instalment.interest_due or instalment.pk in done:
            continue
        earned = interest_earned(interest_due=instalment.interest_due, start=instalment.period_start,
                                 end=instalment.period_end, day=day, currency=instalment.loan.currency)
        if earned > instalment.interest_accrued:
            rows.append(LoanAccrual(loan_id=instalment.loan_id, instalment=instalment,
                                    product_id=instalment.loan.product_id, business_date=day,
                                    amount=earned - instalment.interest_accrued))
            instalment.interest_accrued = earned
            changed.append(instalment)
    LoanAccrual.objects.bulk_create(rows, batch_size=1000)
    LoanInstalment.objects.bulk_update(changed, ["interest_accrued"], batch_size=1000)
    return len(rows)


def _post_accrual_entries(day: datetime.date) -> int:
    totals = exact_totals(LoanAccrual.objects.filter(business_date=day), field="amount", by=("product_id",))
    products = LoanProduct.objects.in_bulk([product_id for (product_id,) in totals])
    for (product_id,), total in totals.items():
        product = products[product_id]
        money = Money(total.amount, product.currency)
        post_journal_entry(postings=[debit(product.interest_receivable_account_id, money),
                                     credit(product.interest_income_account_id, money)],
                           description=f"Loan interest accrual {product.code} {day} ({total.rows} instalments)",
                           source=SOURCE, idempotency_key=f"loan-accrual:{day}:{product.code}", business_date=day)
    return len(totals)


@transaction.atomic
def accrue_loans_for_date(*, day: datetime.date) -> dict[str, int]:
    """Accrue one business date once (a second run finds its ``LoanEodRun`` and does nothing)."""
    run, created = LoanEodRun.objects.get_or_create(step=ACCRUE, business_date=day)
    if not created:
        return {"accruals": 0, "entries": 0}
    accruals = accrue_sql(day) if connection.vendor == "postgresql" else accrue_python_fallback(day)
    counts = {"accruals": accruals, "entries": _post_accrual_entries(day)}
    run.counts = counts
    run.save(update_fields=["counts"])
    return counts


def first_date_to_run(step: str, business_date: datetime.date, *, start: datetime.date | None) -> datetime.date:
    last = (LoanEodRun.objects.filter(step=step).order_by("-business_date")
            .values_list("business_date", flat=True).first())
    if last is not None:
        return last + datetime.timedelta(days=1)
    return min(start or business_date, business_date)


def accrue_loan_interest(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: accrue every date after the last accrued one up to ``business_date``, each once (the dates
    a skipped end of day missed are caught up, each with its own entry). Before any run, from the earliest
    active loan's disbursement."""
    earliest = (Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("disbursement_date")
                .values_list("disbursement_date", flat=True).first())
    day = first_date_to_run(ACCRUE, business_date, start=earliest)
    totals = {"days": 0, "accruals": 0, "entries": 0}
    while day <= business_date:
        for name, value in accrue_loans_for_date(day=day).items():
            totals[name] += value
        totals["days"] += 1
        day += datetime.timedelta(days=1)
    return totals

