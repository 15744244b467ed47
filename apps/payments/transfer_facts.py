"""What an internal transfer's rules look at, read under the accounts' row locks in as few round trips as the
database allows.

On PostgreSQL (the bank's database) an ordinary transfer reads everything in three statements: lock the two
deposit accounts by number (with their customers), lock their ledger accounts (``lock_ledger_accounts``), and
one statement for the rest (business date, replayed key, holds, the day's total, fee schedule, limit, KYC
documents, saved beneficiary, whether fraud rules are active). The last runs *after* the locks are held, so
it sees every transfer and hold committed by a transaction that held them before. Other databases (the SQLite
demo) read the same facts through the ORM, one query each. Both give the same ``TransferFacts``; the rules
themselves are in ``services/transfers.py``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from apps.accounts.house_accounts import FEE_INCOME, house_account
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account, DepositProduct, Hold
from apps.accounts.selectors import active_holds_total
from apps.customers.models import Customer
from apps.kyc.models import KycDocument
from apps.kyc.rules import required_document_types
from apps.kyc.selectors import USABLE_DOCUMENT_STATUSES
from apps.ledger.locks import lock_ledger_accounts
from apps.ledger.models import LedgerAccount
from apps.ledger.sums import AmountSum
from apps.organization.selectors import BankNotConfigured, current_business_date
from apps.payments.models import CustomerTier, FeeSchedule, FraudRule, Transfer, TransferLimit

# Set to False to read through the ORM on PostgreSQL too (the tests run the rules over both readers).
USE_SQL = True


@dataclass
class TransferFacts:
    business_date: datetime.date
    existing_transfer_id: int | None
    holds_total: Decimal
    spent_today: Decimal
    fee_schedule: FeeSchedule | None
    limit: TransferLimit | None
    kyc_documents: list[tuple[str, datetime.date | None, str]] = field(default_factory=list)
    saved_beneficiary_id: int | None = None
    fraud_rules_active: bool = False


def _use_sql() -> bool:
    return USE_SQL and connection.vendor == "postgresql"


_ACCOUNT_FIELDS = [f.attname for f in Account._meta.concrete_fields]
# In the model's field order (``Model.from_db`` takes a subset of fields in that order).
_PRODUCT_FIELDS = [f.attname for f in DepositProduct._meta.concrete_fields]
_CUSTOMER_FIELDS = [f.attname for f in Customer._meta.concrete_fields if f.attname in {
    "id", "legal_name", "customer_type", "status", "is_premium", "kyc_status", "kyc_review_due"}]

# Lock the payer's and the payee's deposit accounts in id order (the order every service locks accounts in); their
# customers come along (read, not locked: a KYC, tier or status change does not need to wait for a transfer;
# the status is read so a blocked payer is refused without another statement). The payer
# is only found (and locked) within what the initiator may debit: {payer_scope} restricts it to that queryset.
_LOCK_ACCOUNTS_SQL = """
SELECT {account_columns}, {product_columns}, {customer_columns},
       (SELECT id FROM ledger_ledgeraccount WHERE code = %s) AS fee_income_account_id
FROM accounts_account AS account
JOIN accounts_depositproduct AS product ON product.id = account.product_id
JOIN customers_customer AS customer ON customer.id = account.customer_id
WHERE account.number = %s OR (account.number = %s AND {{payer_scope}})
ORDER BY account.id
FOR UPDATE OF account
""".format(  # noqa: S608 (column names come from the models, never from input)
    account_columns=", ".join(f'account."{f.column}"' for f in Account._meta.concrete_fields),
    product_columns=", ".join(f'product."{f.column}"' for f in DepositProduct._meta.concrete_fields),
    customer_columns=", ".join(f'customer."{name}"' for name in _CUSTOMER_FIELDS),
)


def lock_transfer_accounts(*, payer_number: str, payee_number: str, payer_scope: QuerySet[Account] | None = None,
                           ) -> tuple[dict[str, Account], int]:
    """Lock the payee's account and the payer's (only if it is within ``payer_scope``, what the initiator may
    debit; None: any account), those that exist, by number, each with its product and customer (read with the
    lock, not locked themselves); and the id of the fee income ledger account. The numbers must differ.

    A payer outside the scope is missing from the result exactly like one that does not exist, and it is not
    locked, so nobody learns anything about, or holds up, another customer's account."""
    if not _use_sql():
        wanted = list(Account.objects.filter(number=payee_number).values_list("pk", flat=True))
        scope = payer_scope if payer_scope is not None else Account.objects.all()
        wanted += scope.filter(number=payer_number).values_list("pk", flat=True)
        locked = {account.number: account for account in lock_accounts(wanted)}
        return locked, house_account(FEE_INCOME).pk
    scope_sql, scope_params = "TRUE", ()
    if payer_scope is not None:
        try:
            subquery, scope_params = (payer_scope.order_by().values("pk").query
                                      .get_compiler(connection=connection).as_sql())
            scope_sql = f"account.id IN ({subquery})"
        except EmptyResultSet:  # a role that may debit no account at all (an auditor): no payer, as for a stranger
            scope_sql = "FALSE"
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_ACCOUNTS_SQL.format(payer_scope=scope_sql),
                       [FEE_INCOME, payee_number, payer_number, *scope_params])
        rows = cursor.fetchall()
    locked, fee_income_id = {}, None
    width, product_end = len(_ACCOUNT_FIELDS), len(_ACCOUNT_FIELDS) + len(_PRODUCT_FIELDS)
    for row in rows:
        account = Account.from_db(connection.alias, _ACCOUNT_FIELDS, row[:width])
        account.product = DepositProduct.from_db(connection.alias, _PRODUCT_FIELDS, row[width:product_end])
        account.customer = Customer.from_db(connection.alias, _CUSTOMER_FIELDS, row[product_end:-1])
        locked[account.number], fee_income_id = account, row[-1]
    if rows and fee_income_id is None:
        house_account(FEE_INCOME)  # raises: the chart of accounts is not installed
    return locked, fee_income_id


def lock_ledgers(payer: Account, payee: Account, fee_income_id: int) -> dict[int, LedgerAccount]:
    """Lock the two ledger accounts (after the deposit accounts: customer -> account -> ledger) and read the fee
    income account (derived balance: not locked). Attaches each deposit account's ledger account."""
    ledgers = lock_ledger_accounts([payer.ledger_account_id, payee.ledger_account_id, fee_income_id])
    payer.ledger_account, payee.ledger_account = ledgers[payer.ledger_account_id], ledgers[payee.ledger_account_id]
    return ledgers


_FACTS_SQL = """
SELECT bank.current_business_date,
       existing.id,
       (SELECT COALESCE(SUM(amount), 0) FROM accounts_hold
        WHERE account_id = %(payer)s AND status = %(hold_active)s),
       (SELECT COALESCE(SUM(amount), 0) FROM payments_transfer
        WHERE from_account_id = %(payer)s AND business_date = bank.current_business_date
          AND status <> %(rejected)s),
       fee.id, fee.product_id, fee.fixed_fee, fee.percentage, fee.minimum_fee, fee.maximum_fee,
       transfer_limit.id, transfer_limit.product_id, transfer_limit.per_transaction, transfer_limit.per_day,
       documents.types, documents.expiries, documents.statuses,
       (SELECT id FROM payments_beneficiary
        WHERE %(look_for_beneficiary)s AND owner_id = %(customer)s AND removed_at IS NULL
          AND account_identifier = %(destination)s
        ORDER BY name, id LIMIT 1),
       EXISTS (SELECT 1 FROM payments_fraudrule WHERE is_active)
FROM (SELECT current_business_date FROM organization_bank ORDER BY id LIMIT 1) AS bank
LEFT JOIN payments_transfer AS existing
    ON existing.initiated_by_id = %(initiator)s AND existing.idempotency_key = %(key)s
LEFT JOIN LATERAL (
    SELECT * FROM payments_feeschedule
    WHERE (product_id = %(product)s OR product_id IS NULL) AND channel = %(channel)s AND currency = %(currency)s
      AND is_active
    ORDER BY product_id NULLS LAST, id LIMIT 1
) AS fee ON true
LEFT JOIN LATERAL (
    SELECT * FROM payments_transferlimit
    WHERE (product_id = %(product)s OR product_id IS NULL) AND customer_tier = %(tier)s
      AND currency = %(currency)s
    ORDER BY product_id NULLS LAST, id LIMIT 1
) AS transfer_limit ON true
LEFT JOIN LATERAL (
    SELECT array_agg(document_type ORDER BY id) AS types, array_agg(expiry_date ORDER BY id) AS expiries,
           array_agg(status ORDER BY id) AS statuses
    FROM kyc_kycdocument
    WHERE customer_id = %(customer)s AND document_type = ANY(%(required)s) AND status = ANY(%(statuses)s)
) AS documents ON true
"""

KYC_DOCUMENT_STATUSES = [*USABLE_DOCUMENT_STATUSES, KycDocument.Status.EXPIRED]


def read_transfer_facts(*, payer: Account, channel: str, currency: str, initiated_by_id: int,
                        idempotency_key: str, beneficiary_destination: str | None) -> TransferFacts:
    """Everything the rules need besides the locked rows. Call it with the payer's row lock held.
    ``beneficiary_destination``: look for the payer's saved beneficiary for this account number (None: don't)."""
    customer = payer.customer
    tier = CustomerTier.PREMIUM if customer.is_premium else CustomerTier.STANDARD
    required = list(required_document_types(customer))
    if not _use_sql():
        return _read_transfer_facts_orm(payer=payer, channel=channel, currency=currency, tier=tier,
                                        required=required, initiated_by_id=initiated_by_id,
                                        idempotency_key=idempotency_key,
                                        beneficiary_destination=beneficiary_destination)
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, {
            "payer": payer.pk, "hold_active": Hold.Status.ACTIVE, "rejected": Transfer.Status.REJECTED,
            "initiator": initiated_by_id, "key": idempotency_key, "product": payer.product_id,
            "channel": channel, "currency": currency, "tier": tier, "customer": customer.pk,
            "required": required, "statuses": KYC_DOCUMENT_STATUSES,
            "look_for_beneficiary": beneficiary_destination is not None, "destination": beneficiary_destination,
        })
        row = cursor.fetchone()
    if row is None:
        raise BankNotConfigured("No bank is configured yet: run `manage.py seed_demo` or create one in the admin.")
    (business_date, existing_id, holds_total, spent_today, fee_id, fee_product_id, fixed_fee, percentage,
     minimum_fee, maximum_fee, limit_id, limit_product_id, per_transaction, per_day, types, expiries, statuses,
     beneficiary_id, fraud_rules_active) = row
    fee_schedule = None if fee_id is None else FeeSchedule(
        id=fee_id, product_id=fee_product_id, channel=channel, currency=currency, fixed_fee=fixed_fee,
        percentage=percentage, minimum_fee=minimum_fee, maximum_fee=maximum_fee)
    limit = None if limit_id is None else TransferLimit(
        id=limit_id, product_id=limit_product_id, customer_tier=tier, currency=currency,
        per_transaction=per_transaction, per_day=per_day)
    return TransferFacts(
        business_date=business_date, existing_transfer_id=existing_id, holds_total=holds_total,
        spent_today=spent_today, fee_schedule=fee_schedule, limit=limit,
        kyc_documents=list(zip(types or [], expiries or [], statuses or [], strict=True)),
        saved_beneficiary_id=beneficiary_id, fraud_rules_active=fraud_rules_active)


def _most_specific(rows, product_id):
    """The product's own line if there is one, else the default line (no product)."""
    rows = list(rows)
    return next((r for r in rows if r.product_id == product_id), None) or next(
        (r for r in rows if r.product_id is None), None)


def _read_transfer_facts_orm(*, payer, channel, currency, tier, required, initiated_by_id, idempotency_key,
                             beneficiary_destination) -> TransferFacts:
    from django.db.models import Q

    from apps.payments.models import Beneficiary

    business_date = current_business_date()
    for_product = Q(product_id=payer.product_id) | Q(product__isnull=True)
    beneficiary_id = None
    if beneficiary_destination is not None:
        beneficiary_id = Beneficiary.objects.filter(
            owner_id=payer.customer_id, removed_at__isnull=True, account_identifier=beneficiary_destination,
        ).values_list("pk", flat=True).first()
    return TransferFacts(
        business_date=business_date,
        existing_transfer_id=Transfer.objects.filter(
            initiated_by_id=initiated_by_id, idempotency_key=idempotency_key).values_list("pk", flat=True).first(),
        holds_total=active_holds_total(payer),
        spent_today=Transfer.objects.filter(from_account=payer, business_date=business_date).exclude(
            status=Transfer.Status.REJECTED).aggregate(total=AmountSum("amount"))["total"] or Decimal("0"),
        fee_schedule=_most_specific(FeeSchedule.objects.filter(
            for_product, channel=channel, currency=currency, is_active=True).order_by("id"), payer.product_id),
        limit=_most_specific(TransferLimit.objects.filter(
            for_product, customer_tier=tier, currency=currency).order_by("id"), payer.product_id),
        kyc_documents=list(KycDocument.objects.filter(
            customer_id=payer.customer_id, document_type__in=required, status__in=KYC_DOCUMENT_STATUSES,
        ).order_by("id").values_list("document_type", "expiry_date", "status")),
        saved_beneficiary_id=beneficiary_id,
        fraud_rules_active=FraudRule.objects.filter(is_active=True).exists(),
    )
