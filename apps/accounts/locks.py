"""Row locks on deposit accounts, in ascending id order. Cross-domain order: customer -> account -> payment ->
loan -> ledger, so a service locks its Account rows here before post_journal_entry locks the ledger rows.

Every helper evaluates its queryset (an unevaluated queryset takes no lock) and locks the account rows only
(``of=("self",)``): the product and customer read with them are not locked.
"""

from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet, Subquery

from apps.accounts.errors import AccountNotFound
from apps.accounts.house_accounts import house_account
from apps.accounts.models import Account, DepositProduct
from apps.customers.models import Customer
from apps.ledger.chart import FEE_INCOME
from apps.ledger.models import LedgerAccount

SQL_DIR = Path(__file__).resolve().parent / "sql"


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
    scope = payer_scope if payer_scope is not None else Account.objects.all()
    fee_income = LedgerAccount.objects.filter(code=FEE_INCOME).values("pk")[:1]
    accounts = list(_locking(
        Account.objects.filter(Q(number=payee_number) | Q(number=payer_number, pk__in=scope.order_by().values("pk")))
        .select_related("product", "customer").annotate(fee_income_account_id=Subquery(fee_income))))
    return _by_number(accounts, [account.fee_income_account_id for account in accounts])


# The same statement in SQL, as PostgreSQL's transfer path sends it (apps/payments/tests/test_transfer_statements.py
# reads its text): the payer's scope is put in its place, {payer_scope}; the columns come from the models.
_CUSTOMER_FIELDS = [f.attname for f in Customer._meta.concrete_fields if f.attname in {
    "id", "legal_name", "customer_type", "status", "is_premium", "kyc_status", "kyc_review_due"}]
_ACCOUNT_FIELDS = [f.attname for f in Account._meta.concrete_fields]
_PRODUCT_FIELDS = [f.attname for f in DepositProduct._meta.concrete_fields]  # in the model's order (from_db)
LOCK_PAYER_AND_PAYEE_SQL = (SQL_DIR / "lock_payer_and_payee.pg.sql").read_text().format(
    account_columns=", ".join(f'account."{f.column}"' for f in Account._meta.concrete_fields),
    product_columns=", ".join(f'product."{f.column}"' for f in DepositProduct._meta.concrete_fields),
    customer_columns=", ".join(f'customer."{name}"' for name in _CUSTOMER_FIELDS),
    payer_scope="{payer_scope}",
)


def lock_payer_and_payee_postgresql(*, payer_number: str, payee_number: str,
                                    payer_scope: QuerySet[Account] | None = None,
                                    ) -> tuple[dict[str, Account], int | None]:
    """``lock_payer_and_payee`` in the SQL of ``sql/lock_payer_and_payee.pg.sql`` (run by the PostgreSQL test
    run): it reads only the customer columns the transfer's rules use."""
    scope_sql, scope_params = "TRUE", ()
    if payer_scope is not None:
        try:
            subquery, scope_params = (payer_scope.order_by().values("pk").query
                                      .get_compiler(connection=connection).as_sql())
            scope_sql = f"account.id IN ({subquery})"
        except EmptyResultSet:  # a role that may debit no account at all (an auditor): no payer, as for a stranger
            scope_sql = "FALSE"
    with connection.cursor() as cursor:
        cursor.execute(LOCK_PAYER_AND_PAYEE_SQL.format(payer_scope=scope_sql),
                       [FEE_INCOME, payee_number, payer_number, *scope_params])
        rows = cursor.fetchall()
    accounts = []
    width, product_end = len(_ACCOUNT_FIELDS), len(_ACCOUNT_FIELDS) + len(_PRODUCT_FIELDS)
    for row in rows:
        account = Account.from_db(connection.alias, _ACCOUNT_FIELDS, row[:width])
        account.product = DepositProduct.from_db(connection.alias, _PRODUCT_FIELDS, row[width:product_end])
        account.customer = Customer.from_db(connection.alias, _CUSTOMER_FIELDS, row[product_end:-1])
        accounts.append(account)
    return _by_number(accounts, [row[-1] for row in rows])


def _by_number(accounts: list[Account], fee_income_ids: list[int | None]) -> tuple[dict[str, Account], int | None]:
    fee_income_id = fee_income_ids[0] if fee_income_ids else None
    if accounts and fee_income_id is None:
        house_account(FEE_INCOME)  # raises: the chart of accounts is not installed
    return {account.number: account for account in accounts}, fee_income_id
