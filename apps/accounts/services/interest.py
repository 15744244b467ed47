"""Interest posting and fees: at each period end the accrued interest is credited to the account (capitalised)
or, for an overdraft, charged to it, and the accrual is cleared from interest payable / receivable. Monthly
maintenance fees are charged the same way. Each account carries its own rounding residue to the next posting.

Set-based where it counts: one journal entry per chunk of accounts (their postings plus one house-account
leg), accounts locked a chunk at a time in id order (account rows first, then the ledger's).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from apps.accounts.house_accounts import house_account
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account, AccrualKind, DepositProduct, Hold, InterestAccrual, PostingFrequency
from apps.accounts.periods import latest_month_end, latest_period_end
from apps.ledger.chart import FEE_INCOME, INTEREST_PAYABLE, INTEREST_RECEIVABLE
from apps.ledger.services import credit, debit, post_journal_entry
from apps.ledger.sums import AmountSum, exact_totals
from apps.money import Money, round_to_currency

CHUNK = 500


def _chunks(ids: list[int], size: int = CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _held_by_account(account_ids: list[int], *, on: datetime.date) -> dict[int, Decimal]:
    """What is held at the end of ``on``, after that date's hold expiry: a catch-up's end of day has already
    expired holds ending after a missed date it closes (``close_missed_date``), which still held on it."""
    held_on = Q(status=Hold.Status.ACTIVE) | Q(status=Hold.Status.EXPIRED, expires_on__gt=on)
    rows = (Hold.objects.filter(held_on, account_id__in=account_ids).values("account_id")
            .annotate(total=AmountSum("amount")))
    return {row["account_id"]: row["total"] for row in rows}


def _headroom(account: Account, held: Decimal) -> Decimal:
    """How much may still leave the account: its available balance (read under the account's row lock)."""
    ledger = account.ledger_account
    limit = (ledger.overdraft_limit or Decimal(0)) if ledger.allow_overdraft else Decimal(0)
    return ledger.balance - held + limit


def capitalize_interest(*, accounts: list[Account], through: datetime.date, business_date: datetime.date,
                        actor=None, purpose: str = "period") -> dict[str, int]:
    """Post the unposted accruals up to ``through`` of ``accounts`` (locked by the caller, one currency):
    credit interest onto the account against interest payable, overdraft interest onto the account against
    interest receivable. Amounts are rounded with each account's carried residue. Overdraft interest that
    would take the account below its floor, or that would leave a frozen account, stays accrued (deferred)."""
    if not accounts:
        return {"credited": 0, "charged": 0, "deferred": 0}
    by_id = {account.pk: account for account in accounts}
    unposted = InterestAccrual.objects.filter(account_id__in=by_id, posted_on__isnull=True, business_date__lte=through)
    totals = {key: total.amount for key, total in
              exact_totals(unposted, field="amount", by=("account_id", "kind")).items()}
    held = _held_by_account(list(by_id), on=business_date)
    currency = accounts[0].ledger_account.currency
    postings, credited, charged, deferred = [], [], [], []
    paid_total = charged_total = Decimal(0)
    for account in accounts:
        owed = totals.get((account.pk, AccrualKind.CREDIT))
        if owed is not None:
            carried = owed + account.interest_residue
            amount = max(round_to_currency(carried, currency), Decimal(0))
            account.interest_residue = carried - amount
            if amount > 0:
                postings.append(credit(account.ledger_account, Money(amount, currency)))
                paid_total += amount
            credited.append(account.pk)
        due = totals.get((account.pk, AccrualKind.OVERDRAFT))
        if due is not None:
            carried = due + account.overdraft_interest_residue
            amount = max(round_to_currency(carried, currency), Decimal(0))
            if amount > 0 and (account.status == Account.Status.FROZEN
                               or amount > _headroom(account, held.get(account.pk, Decimal(0)))):
                deferred.append(account.pk)
            else:
                account.overdraft_interest_residue = carried - amount
                if amount > 0:
                    postings.append(debit(account.ledger_account, Money(amount, currency)))
                    charged_total += amount
                charged.append(account.pk)
        account.interest_posted_through = through

    entry = None
    if paid_total:
        postings.append(debit(house_account(INTEREST_PAYABLE), Money(paid_total, currency)))
    if charged_total:
        postings.append(credit(house_account(INTEREST_RECEIVABLE), Money(charged_total, currency)))
    if postings:
        ids = sorted(by_id)
        entry = post_journal_entry(
            postings=postings, description=f"Interest posting through {through} ({len(ids)} accounts)",
            source="interest",
            idempotency_key=f"interest:{purpose}:{through}:{business_date}:{ids[0]}-{ids[-1]}:{len(ids)}",
            business_date=business_date, posted_by=actor,
        )
    unposted = InterestAccrual.objects.filter(posted_on__isnull=True, business_date__lte=through)
    unposted.filter(account_id__in=credited, kind=AccrualKind.CREDIT).update(posted_on=through, posted_entry=entry)
    unposted.filter(account_id__in=charged, kind=AccrualKind.OVERDRAFT).update(posted_on=through, posted_entry=entry)
    Account.objects.bulk_update(accounts, ["interest_residue", "overdraft_interest_residue",
                                           "interest_posted_through"])
    return {"credited": len(credited), "charged": len(charged), "deferred": len(deferred)}


@transaction.atomic
def post_due_interest(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: for each product posting monthly or quarterly, capitalise what accrued up to its
    latest period end on or before ``business_date``. Idempotent: posted accruals are never posted again."""
    counts = {"credited": 0, "charged": 0, "deferred": 0}
    products = DepositProduct.objects.exclude(posting_frequency=PostingFrequency.AT_MATURITY)
    for product in products:
        period_end = latest_period_end(product.posting_frequency, business_date)
        due_ids = sorted(set(
            InterestAccrual.objects.filter(product=product, posted_on__isnull=True, business_date__lte=period_end)
            .values_list("account_id", flat=True)))
        for chunk in _chunks(due_ids):
            result = capitalize_interest(accounts=lock_accounts(chunk), through=period_end,
                                         business_date=business_date)
            for key, value in result.items():
                counts[key] += value
    return counts


@transaction.atomic
def charge_monthly_fees(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: at each month end, charge every active or dormant account its product's monthly fee
    once (fee income). An account whose available balance does not cover the fee is waived for the month."""
    month_end = latest_month_end(business_date)
    charged = waived = 0
    for product in DepositProduct.objects.filter(monthly_fee__gt=0):
        due_ids = list(
            Account.objects.filter(product=product, status__in=(Account.Status.ACTIVE, Account.Status.DORMANT),
                                   opened_on__lte=month_end)
            .filter(Q(fee_charged_through__isnull=True) | Q(fee_charged_through__lt=month_end))
            .order_by("pk").values_list("pk", flat=True))
        fee = Money(product.monthly_fee, product.currency)
        for chunk in _chunks(due_ids):
            accounts = lock_accounts(chunk)
            held = _held_by_account(chunk, on=business_date)
            postings = []
            for account in accounts:
                account.fee_charged_through = month_end
                if fee.amount > _headroom(account, held.get(account.pk, Decimal(0))):
                    waived += 1
                    continue
                postings.append(debit(account.ledger_account, fee))
                charged += 1
            if postings:
                total = Money(fee.amount * len(postings), fee.currency)
                post_journal_entry(
                    postings=[*postings, credit(house_account(FEE_INCOME), total)],
                    description=f"Monthly fee {product.code} {month_end:%Y-%m} ({len(postings)} accounts)",
                    source="fees", idempotency_key=f"monthly-fee:{product.code}:{month_end}:{chunk[0]}-{chunk[-1]}",
                    business_date=business_date,
                )
            Account.objects.bulk_update(accounts, ["fee_charged_through"])
    return {"charged": charged, "waived": waived}
