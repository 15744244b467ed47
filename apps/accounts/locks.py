"""Row locks on deposit accounts, in ascending id order. Cross-domain order: customer -> account -> payment ->
loan -> ledger, so a service locks its Account rows here before post_journal_entry locks the ledger rows.

Every helper evaluates its queryset (an unevaluated queryset takes no lock) and locks the account rows only
(``of=("self",)``): the product and customer read with them are not locked.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet, Subquery

from apps.accounts.errors import AccountNotFound
from apps.accounts.house_accounts import house_account
from apps.accounts.models import Account
from apps.customers.models import Customer
from apps.ledger.chart import FEE_INCOME
from apps.ledger.models import LedgerAccount


def _locking(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """The one way accounts are locked: in id order, the account rows only."""
    return accounts.order_by("pk").select_for_update(of=("self",))


def lock_accounts(account_ids: Iterable[int]) -> list[Account]:
    """Lock the accounts and return them in id order, each with its product and its ledger account.

    Their ledger accounts are read by a second statement, *after* the locks are held. Joined into the locking
    statement, they would come from that statement's snapshot: a transaction that waited for the lock would see
    the balance from before the debit it waited for (PostgreSQL re-reads only the locked rows), and an available
    balance computed from it could let a debit break a hold.
    """
    accounts = list(_locking(Account.objects.filter(pk__in=sorted(set(account_ids))).select_related("product")))
    ledgers = LedgerAccount.objects.in_bulk([account.ledger_account_id for account in accounts])
    for account in accounts:
        account.ledger_account = ledgers[account.ledger_account_id]
    return accounts


def lock_account(account: Account | int) -> Account:
    pk = account if isinstance(account, int) else account.pk
    locked = lock_accounts([pk])
    if not locked:
        raise AccountNotFound(f"Account {pk} does not exist.")
    return locked[0]


# The customer columns the transfer's rules read; the others are not fetched with the lock (the customer row is
# read, not locked: a KYC, tier or status change does not wait for a payment).
CUSTOMER_FIELDS_READ_WITH_THE_LOCK = ("id", "legal_name", "customer_type", "status", "is_premium", "kyc_status",
                                      "kyc_review_due")
_CUSTOMER_FIELDS_LEFT_OUT = tuple(f"customer__{field.name}" for field in Customer._meta.concrete_fields
                                  if field.attname not in CUSTOMER_FIELDS_READ_WITH_THE_LOCK)


def payer_and_payee_locking(*, payer_number: str, payee_number: str,
                            payer_scope: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """The one statement of ``lock_payer_and_payee``, unevaluated (the benchmark reads its SQL)."""
    payer = Q(number=payer_number)
    if payer_scope is not None:
        payer &= Q(pk__in=payer_scope.order_by().values("pk"))
    fee_income = LedgerAccount.objects.filter(code=FEE_INCOME).values("pk")[:1]
    return _locking(
        Account.objects.filter(Q(number=payee_number) | payer)
        .select_related("product", "customer").defer(*_CUSTOMER_FIELDS_LEFT_OUT)
        .annotate(fee_income_account_id=Subquery(fee_income)))


def lock_payer_and_payee(*, payer_number: str, payee_number: str, payer_scope: QuerySet[Account] | None = None,
                         ) -> tuple[dict[str, Account], int | None]:
    """Lock, in one statement, the payee's account and the payer's (only if it is within ``payer_scope``, what
    the initiator may debit; None: any account), those that exist, by number, each with its product and customer
    (read with the lock, not locked: a KYC, tier or status change does not wait for a payment); and read the id
    of the fee income ledger account in the same statement. The numbers must differ. Their ledger accounts are
    not read (lock them next, ``apps.ledger.locks``).

    A payer outside the scope is missing from the result exactly like one that does not exist, and it is not
    locked, so nobody learns anything about, or holds up, another customer's account. Raises if accounts were
    found but the chart of accounts (the fee income account) is not installed."""
    accounts = list(payer_and_payee_locking(payer_number=payer_number, payee_number=payee_number,
                                            payer_scope=payer_scope))
    return _by_number(accounts, [account.fee_income_account_id for account in accounts])


def _by_number(accounts: list[Account], fee_income_ids: list[int | None]) -> tuple[dict[str, Account], int | None]:
    fee_income_id = fee_income_ids[0] if fee_income_ids else None
    if accounts and fee_income_id is None:
        house_account(FEE_INCOME)  # raises: the chart of accounts is not installed
    return {account.number: account for account in accounts}, fee_income_id
