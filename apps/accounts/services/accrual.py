"""Daily interest accrual: one set-based statement per business date over every interest-bearing account.

For each account that is active, dormant or frozen, opened on or before the date and (term deposits) before
its maturity date — the deposits maturing on the date mature first, so a rolled-over one is in its new term
and a paid-out one is closed, its money in the linked account — the end-of-day ledger balance of that date is
taken (the current balance minus what was posted on later business dates, so a catch-up day sees its own
balance), the rate is the product's (or the tier the
balance falls in; an overdrawn balance takes the overdraft rate), and the day's fraction of a year comes from
the product's day-count convention. The amount is kept at full precision (12 decimals) in one
``InterestAccrual`` row per account and date; UNIQUE (account, date) and the ``AccrualRun`` row written in the
same transaction make a second run of the same date a no-op.

The ledger carries the accrual as one journal entry per date, product and kind (interest expense against
interest payable; overdraft interest receivable against interest income), rounded to the currency's minor
unit, the rounding residue carried to the next day's entry of the same product and kind (``AccrualJournal``).

A catch-up over several dates closes each missed date before accruing the next (``close_missed_date``): what
that date's end of day posts (interest capitalised at a period end, a monthly fee, a matured term deposit)
is dated that date and so is in the next date's balance, as if end of day had run every day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Context, Decimal

from django.db import connection, transaction

from apps.accounts.daycount import DayCount, daily_fraction
from apps.accounts.house_accounts import house_account
from apps.accounts.models import (
    Account,
    AccrualJournal,
    AccrualKind,
    AccrualRun,
    DepositProduct,
    InterestAccrual,
    InterestTier,
)
from apps.accounts.services.interest import charge_monthly_fees, post_due_interest
from apps.accounts.services.term import mature_term_deposits
from apps.ledger.chart import INTEREST_EXPENSE, INTEREST_INCOME, INTEREST_PAYABLE, INTEREST_RECEIVABLE
from apps.ledger.models import Posting
from apps.ledger.services import credit, debit, post_journal_entry
from apps.ledger.sums import exact_totals
from apps.money import Money, round_to_currency

ONE_DAY = datetime.timedelta(days=1)
ACCRUING = (Account.Status.ACTIVE, Account.Status.DORMANT, Account.Status.FROZEN)
PRECISION = Decimal("1e-12")
_WIDE = Context(prec=60)

_ACCRUAL_SQL = """
WITH factors AS (
    SELECT * FROM unnest(%(conventions)s::varchar[], %(fractions)s::numeric[]) AS f(day_count, fraction)
),
moved_after AS (
    SELECT p.account_id, SUM(CASE WHEN p.side = 'C' THEN p.amount ELSE -p.amount END) AS net
    FROM ledger_posting p JOIN ledger_journalentry e ON e.id = p.entry_id
    WHERE e.business_date > %(day)s
    GROUP BY p.account_id
),
tiers AS (
    SELECT product_id, minimum_balance, rate,
           LEAD(minimum_balance) OVER (PARTITION BY product_id ORDER BY minimum_balance) AS next_minimum
    FROM accounts_interesttier
),
balances AS (
    SELECT a.id AS account_id, a.product_id, pr.interest_rate, pr.overdraft_rate, f.fraction,
           la.balance - COALESCE(m.net, 0) AS balance
    FROM accounts_account a
    JOIN accounts_depositproduct pr ON pr.id = a.product_id
    JOIN factors f ON f.day_count = pr.day_count
    JOIN ledger_ledgeraccount la ON la.id = a.ledger_account_id
    LEFT JOIN moved_after m ON m.account_id = a.ledger_account_id
    WHERE a.status IN ('active', 'dormant', 'frozen') AND a.opened_on <= %(day)s
      AND (a.maturity_date IS NULL OR %(day)s < a.maturity_date)
),
rated AS (
    SELECT b.account_id, b.product_id, b.balance, b.fraction,
           CASE WHEN b.balance > 0 THEN COALESCE(t.rate, b.interest_rate) ELSE b.overdraft_rate END AS annual_rate
    FROM balances b
    LEFT JOIN tiers t ON b.balance > 0 AND t.product_id = b.product_id AND b.balance >= t.minimum_balance
                     AND (t.next_minimum IS NULL OR b.balance < t.next_minimum)
    WHERE b.balance <> 0
)
INSERT INTO accounts_interestaccrual
    (account_id, product_id, business_date, kind, balance, annual_rate, day_fraction, amount)
SELECT account_id, product_id, %(day)s, CASE WHEN balance > 0 THEN 'credit' ELSE 'overdraft' END,
       balance, annual_rate, ROUND(fraction, 12), ROUND(ABS(balance) * annual_rate * fraction / 100, 12)
FROM rated
WHERE annual_rate > 0
ON CONFLICT (account_id, business_date) DO NOTHING
"""


def day_fractions(day: datetime.date) -> dict[str, Decimal]:
    return {convention: daily_fraction(convention, day) for convention in DayCount.values}


def accrual_amount(balance: Decimal, annual_rate: Decimal, fraction: Decimal) -> Decimal:
    """One day's interest at full precision, rounded to 12 decimals half away from zero (as PostgreSQL's
    ROUND does), so the SQL path and the Python fallback agree to the last digit."""
    return _WIDE.divide(_WIDE.multiply(_WIDE.multiply(abs(balance), annual_rate), fraction), Decimal(100)).quantize(
        PRECISION, rounding=ROUND_HALF_UP)


def _insert_accruals_sql(day: datetime.date) -> int:
    fractions = day_fractions(day)
    with connection.cursor() as cursor:
        cursor.execute(_ACCRUAL_SQL, {"day": day, "conventions": list(fractions),
                                      "fractions": list(fractions.values())})
        return cursor.rowcount


def _tier_rate(tiers: list[InterestTier], balance: Decimal, base_rate: Decimal) -> Decimal:
    rate = base_rate
    for tier in tiers:  # ascending minimum balance
        if balance >= tier.minimum_balance:
            rate = tier.rate
    return rate


def insert_accruals_python_fallback(day: datetime.date) -> int:
    """The same rule as ``_ACCRUAL_SQL``, in Python with Decimal: for SQLite (the embedded demo mode), whose
    arithmetic is floating point. A loop over accounts, fine for a demo bank, never used on PostgreSQL."""
    fractions = day_fractions(day)
    moved_after: dict[int, Decimal] = defaultdict(Decimal)
    later = Posting.objects.filter(entry__business_date__gt=day).values_list("account_id", "side", "amount")
    for account_id, side, amount in later.iterator():
        moved_after[account_id] += amount if side == "C" else -amount
    tiers: dict[int, list[InterestTier]] = defaultdict(list)
    for tier in InterestTier.objects.order_by("product_id", "minimum_balance"):
        tiers[tier.product_id].append(tier)
    accounts = (Account.objects.filter(status__in=ACCRUING, opened_on__lte=day)
                .exclude(maturity_date__lte=day).select_related("product", "ledger_account"))
    rows = []
    for account in accounts.iterator(chunk_size=2000):
        balance = account.ledger_account.balance - moved_after.get(account.ledger_account_id, Decimal(0))
        if balance == 0:
            continue
        product = account.product
        rate = (_tier_rate(tiers[product.pk], balance, product.interest_rate) if balance > 0
                else product.overdraft_rate)
        if rate <= 0:
            continue
        fraction = fractions[product.day_count]
        rows.append(InterestAccrual(
            account=account, product=product, business_date=day,
            kind=AccrualKind.CREDIT if balance > 0 else AccrualKind.OVERDRAFT, balance=balance, annual_rate=rate,
            day_fraction=fraction.quantize(PRECISION, rounding=ROUND_HALF_UP),
            amount=accrual_amount(balance, rate, fraction),
        ))
    existing = set(InterestAccrual.objects.filter(business_date=day).values_list("account_id", flat=True))
    rows = [row for row in rows if row.account_id not in existing]
    InterestAccrual.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _journal_accounts(kind: str):
    if kind == AccrualKind.CREDIT:  # the bank's expense, owed to the customer
        return house_account(INTEREST_EXPENSE), house_account(INTEREST_PAYABLE)
    return house_account(INTEREST_RECEIVABLE), house_account(INTEREST_INCOME)


def _post_accrual_journals(run: AccrualRun) -> int:
    """One rounded journal entry per product and kind for the run's date, carrying the rounding residue."""
    day = run.business_date
    # Exact on SQLite too (``exact_totals``): a float sum there would shift the residue carried to the next day.
    totals = exact_totals(InterestAccrual.objects.filter(business_date=day), field="amount",
                          by=("product_id", "kind"))
    products = DepositProduct.objects.in_bulk({product_id for product_id, _ in totals})
    posted = 0
    for (product_id, kind), total in totals.items():
        product = products[product_id]
        previous = (AccrualJournal.objects.filter(product=product, kind=kind, business_date__lt=day)
                    .order_by("-business_date").first())
        residue_in = previous.residue_out if previous else Decimal("0")
        carried = total.amount + residue_in
        rounded = max(round_to_currency(carried, product.currency), Decimal("0"))
        entry = None
        if rounded > 0:
            debit_account, credit_account = _journal_accounts(kind)
            money = Money(rounded, product.currency)
            label = "Interest accrual" if kind == AccrualKind.CREDIT else "Overdraft interest accrual"
            entry = post_journal_entry(
                postings=[debit(debit_account, money), credit(credit_account, money)],
                description=f"{label} {product.code} {day} ({total.rows} accounts)",
                source="interest", idempotency_key=f"accrual:{day}:{product.code}:{kind}", business_date=day,
            )
            posted += 1
        AccrualJournal.objects.create(run=run, business_date=day, product=product, kind=kind,
                                      accrued=total.amount, residue_in=residue_in, posted=rounded,
                                      residue_out=carried - rounded, entry=entry)
    return posted


@transaction.atomic
def accrue_interest_for_date(*, day: datetime.date) -> int:
    """Accrue one business date (idempotent: a date already accrued is left alone). Returns the accruals made.

    The term deposits maturing on ``day`` mature first (``mature_term_deposits``), so the date accrues on the
    end-of-day balances they leave: a rolled-over deposit earns the first day of its new term (on principal and
    the interest just credited), and a paid-out deposit's money earns — or stops the overdraft interest of — its
    linked account from the payout day. The end-of-day maturity step that follows finds them done.
    """
    run, created = AccrualRun.objects.get_or_create(business_date=day)
    if not created:
        return 0
    mature_term_deposits(day)
    postgres = connection.vendor == "postgresql"
    inserted = _insert_accruals_sql(day) if postgres else insert_accruals_python_fallback(day)
    run.accounts = inserted
    run.save(update_fields=["accounts"])
    _post_accrual_journals(run)
    return inserted


def accrue_interest(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: accrue every date after the last accrued one, up to ``business_date``, each once.

    Days the bank skipped (no end of day ran for them) are caught up here, each with its own end-of-day
    balance, and each missed date before ``business_date`` is then closed as its own end of day would have
    closed it (``close_missed_date``): interest capitalised at a period end, a monthly fee, a matured term
    deposit are posted on that date, so the next missed date accrues on the balance they leave, exactly as if
    end of day had run every day. ``business_date`` itself is left to the steps that follow this one. Before
    any accrual ran, it starts at the earliest account opening.
    """
    last = AccrualRun.objects.order_by("-business_date").values_list("business_date", flat=True).first()
    if last is not None:
        start = last + ONE_DAY
    else:
        start = (Account.objects.filter(status__in=ACCRUING).order_by("opened_on")
                 .values_list("opened_on", flat=True).first() or business_date)
    days = accruals = 0
    closed: dict[str, int] = defaultdict(int)  # what closing the missed dates posted, for the step's record
    day = start
    while day <= business_date:
        accruals += accrue_interest_for_date(day=day)
        days += 1
        if day < business_date:
            for name, value in close_missed_date(day=day).items():
                closed[name] += value
        day += ONE_DAY
    return {"days": days, "accruals": accruals, **{name: value for name, value in closed.items() if value}}


@transaction.atomic
def close_missed_date(*, day: datetime.date) -> dict[str, int]:
    """What the deposit steps after the accrual (apps/accounts/eod_steps.py: 300 mature term deposits, 400
    post interest, 500 monthly fees) would have done on ``day``, in that order, dated ``day``. Each is
    idempotent and catches up on what is due up to the date it is given, so their own run for the closing
    date afterwards finds these done. Counts are prefixed with the step they come from."""
    counts = {}
    for prefix, step in (("maturity", mature_term_deposits), ("posting", post_due_interest),
                         ("fees", charge_monthly_fees)):
        counts.update({f"{prefix}.{name}": value for name, value in step(day).items()})
    return counts
