"""Reads about deposit accounts: balances, available balances, a customer's own accounts, transactions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Round

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.errors import AccountNotFound
from apps.accounts.models import Account, AccrualKind, Hold, InterestAccrual, TellerTransaction
from apps.ledger.models import AMOUNT_FIELD, Posting
from apps.ledger.sums import AmountSum, Total, exact_totals
from apps.money import Money
from apps.organization.branch_scope import visible_to
from apps.organization.models import User

_AMOUNT = DecimalField(max_digits=30, decimal_places=4)
_ZERO = Value(Decimal("0"), output_field=_AMOUNT)


def with_balances(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Annotate ``ledger_balance``, ``held`` (active holds) and ``available_balance`` in the same query.

    Available balance = ledger balance - active holds + overdraft limit: what may still leave the account
    before it reaches the floor its product allows (zero, or minus the overdraft limit).
    """
    held = (Hold.objects.filter(account=OuterRef("pk"), status=Hold.Status.ACTIVE).order_by()
            .values("account").annotate(total=AmountSum("amount")).values("total"))
    overdraft = Case(When(ledger_account__allow_overdraft=True,
                          then=Coalesce(F("ledger_account__overdraft_limit"), _ZERO)),
                     default=_ZERO, output_field=_AMOUNT)
    return (
        accounts.select_related("product", "ledger_account", "branch", "customer")
        .annotate(ledger_balance=F("ledger_account__balance"),
                  held=Coalesce(Subquery(held, output_field=_AMOUNT), _ZERO))
        # Rounded to the storage precision: SQLite does this arithmetic in binary floats (100.00 - 0.30 is
        # 99.69999999999999 there).
        .annotate(available_balance=Round(F("ledger_balance") - F("held") + overdraft, AMOUNT_FIELD["decimal_places"],
                                          output_field=_AMOUNT))
    )


def active_holds_total(account: Account) -> Decimal:
    return Hold.objects.filter(account=account, status=Hold.Status.ACTIVE).aggregate(
        total=Coalesce(AmountSum("amount"), _ZERO))["total"]


def available_balance(account: Account, *, holds_total: Decimal | None = None) -> Money:
    """The available balance from the rows as they are now (call under the account's lock to act on it).
    ``holds_total``: the active holds' total, when the caller already read it."""
    ledger = account.ledger_account
    overdraft = (ledger.overdraft_limit or Decimal("0")) if ledger.allow_overdraft else Decimal("0")
    if holds_total is None:
        holds_total = active_holds_total(account)
    return Money(ledger.balance - holds_total + overdraft, ledger.currency)


def accounts_of_customer_user(user) -> QuerySet[Account]:
    """The accounts a channel user holds (as primary or joint holder): nobody else's, ever."""
    if not user.is_authenticated:
        return Account.objects.none()
    return with_balances(Account.objects.filter(holder_links__customer__user=user).distinct().order_by("number"))


def accounts_visible_to_staff(user: User) -> QuerySet[Account]:
    """The accounts of the staff member's branch (bank-wide roles every branch), by number, with balances."""
    return with_balances(visible_to(user, Account.objects.all()).order_by("number"))


def teller_transactions_visible_to(user: User) -> QuerySet[TellerTransaction]:
    """The cash receipts of the accounts ``user`` may see."""
    return TellerTransaction.objects.filter(account__in=visible_to(user, Account.objects.all()))


def interest_accruals_visible_to(user: User) -> QuerySet[InterestAccrual]:
    """The interest accruals of the accounts ``user`` may see."""
    return InterestAccrual.objects.filter(account__in=visible_to(user, Account.objects.all()))


def get_account_by_number(number: str, *, within: QuerySet[Account]) -> Account:
    """The account with this number among ``within`` (a customer's or a branch's accounts), else not found."""
    normalized = validate_account_number(number)
    account = with_balances(within.filter(number=normalized)).first()
    if account is None:
        raise AccountNotFound(f"No account {normalized} that you may see.")
    return account


def account_postings(account: Account, *, date_from: datetime.date | None = None,
                     date_to: datetime.date | None = None) -> QuerySet[Posting]:
    """The account's ledger postings in order (business date, then entry), with their entries."""
    postings = Posting.objects.filter(account_id=account.ledger_account_id).select_related("entry")
    if date_from:
        postings = postings.filter(entry__business_date__gte=date_from)
    if date_to:
        postings = postings.filter(entry__business_date__lte=date_to)
    return postings.order_by("entry__business_date", "entry_id", "id")


def balance_before(account: Account, day: datetime.date) -> Decimal:
    """The ledger balance at the start of ``day`` (credits minus debits of earlier business dates)."""
    totals = Posting.objects.filter(account_id=account.ledger_account_id, entry__business_date__lt=day).aggregate(
        net=Coalesce(AmountSum(Case(When(side="C", then=F("amount")), default=-F("amount"))), _ZERO))
    return totals["net"]


def unposted_interest(account: Account) -> Decimal:
    """Interest accrued and not yet posted: what the bank owes the account minus the overdraft interest it is
    owed, exact to the accruals' 12 decimals on both databases (``exact_totals``)."""
    totals = exact_totals(InterestAccrual.objects.filter(account=account, posted_on__isnull=True), field="amount",
                          by=("kind",))
    none = Total(Decimal(0), 0)
    return totals.get((AccrualKind.CREDIT,), none).amount - totals.get((AccrualKind.OVERDRAFT,), none).amount



@dataclass(frozen=True)
class AccountPosition:
    """What an account may still do, in the words of its page: ``own_funds`` is the ledger balance less the
    holds; ``available`` adds the overdraft limit; ``overdraft_used`` is how far own funds are below zero and
    ``overdraft_headroom`` what is left of the limit (the part of ``available`` that is the bank's money)."""

    currency: str
    ledger_balance: Decimal
    held: Decimal
    available: Decimal
    overdraft_limit: Decimal
    overdraft_used: Decimal
    overdraft_headroom: Decimal


def account_position(account: Account) -> AccountPosition:
    """The position of an account read through ``with_balances`` (its annotations; no query)."""
    ledger = account.ledger_account
    limit = (ledger.overdraft_limit or Decimal(0)) if ledger.allow_overdraft else Decimal(0)
    own_funds = account.ledger_balance - account.held
    used = min(max(-own_funds, Decimal(0)), limit)
    return AccountPosition(currency=ledger.currency, ledger_balance=account.ledger_balance, held=account.held,
                           available=account.available_balance, overdraft_limit=limit, overdraft_used=used,
                           overdraft_headroom=max(min(limit - used, account.available_balance), Decimal(0)))


@dataclass(frozen=True)
class RecentTransaction:
    business_date: datetime.date
    entry_id: int
    description: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance_after: Decimal


def recent_transactions(account: Account, *, limit: int = 10) -> list[RecentTransaction]:
    """The account's last ``limit`` postings, newest first, each with the balance after it (a mini-statement),
    in one query: the newest posting leaves the ledger balance, and each earlier one that balance less what the
    later ones moved."""
    rows = (Posting.objects.filter(account_id=account.ledger_account_id)
            .order_by("-entry__business_date", "-entry_id", "-id")
            .values_list("entry__business_date", "entry_id", "entry__description", "entry__reference", "side",
                         "amount")[:limit])
    balance = account.ledger_account.balance
    transactions = []
    for business_date, entry_id, description, reference, side, amount in rows:
        debit_amount, credit_amount = (amount, Decimal(0)) if side == "D" else (Decimal(0), amount)
        transactions.append(RecentTransaction(business_date, entry_id, description, reference, debit_amount,
                                              credit_amount, balance))
        balance = balance - credit_amount + debit_amount
    return transactions


def holds_of(account: Account, *, ended: int = 5) -> list[Hold]:
    """The account's active holds (oldest first) and its last ``ended`` released or expired ones, with who placed
    and released them, in two queries."""
    holds = Hold.objects.filter(account=account).select_related("placed_by", "released_by")
    active = list(holds.filter(status=Hold.Status.ACTIVE).order_by("placed_on", "pk"))
    return active + list(holds.exclude(status=Hold.Status.ACTIVE).order_by("-released_on", "-pk")[:ended])


@dataclass(frozen=True)
class FreezeRecord:
    frozen_at: datetime.datetime
    frozen_by: User | None
    reason: str


def freeze_record(account: Account) -> FreezeRecord | None:
    """Who froze a frozen account, when and why (its history row of the freeze; ``freeze_account`` writes the
    reason there); None for an account that is not frozen."""
    if account.status != Account.Status.FROZEN:
        return None
    row = (Account.history.filter(id=account.pk, status=Account.Status.FROZEN)
           .exclude(history_change_reason__isnull=True).select_related("history_user").order_by("-history_date").first())
    if row is None:
        return None
    return FreezeRecord(frozen_at=row.history_date, frozen_by=row.history_user, reason=row.history_change_reason or "")
