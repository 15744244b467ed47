"""What an internal transfer's rules look at, read under the accounts' row locks in as few round trips as the
database allows.

On PostgreSQL (the bank's database) an ordinary transfer reads everything in three statements: lock the two
deposit accounts by number with their customers (``lock_payer_and_payee``, one ORM statement on every database),
lock their ledger accounts (``lock_ledger_accounts``), and one statement for the rest (``facts.pg.sql``: business
date, replayed key, holds, the day's total, fee schedule, limit, KYC documents, saved beneficiary, whether fraud
rules are active). The last runs *after* the locks are held, so it sees every transfer and hold committed by a
transaction that held them before. Other databases (the SQLite demo) read the same facts through the ORM, with
the rule functions of ``apps.payments.pricing`` and ``apps.kyc.selectors`` that the SQL mirrors. Both give the
same ``TransferFacts``, built by column name; the rules themselves are in ``apps.payments.services.transfers``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet

from apps.accounts.locks import lock_payer_and_payee
from apps.accounts.models import Account, Hold
from apps.accounts.selectors import active_holds_total
from apps.kyc.rules import required_document_types
from apps.kyc.selectors import COUNTED_DOCUMENT_STATUSES, documents_that_count
from apps.ledger.locks import lock_ledger_accounts
from apps.ledger.models import LedgerAccount
from apps.organization.selectors import BankNotConfigured, current_business_date
from apps.payments.models import Beneficiary, FeeSchedule, FraudRule, Transfer, TransferLimit
from apps.payments.pricing import (
    applicable_fee_schedule,
    applicable_transfer_limit,
    customer_tier,
    spent_on,
)

# Set to False to read through the ORM on PostgreSQL too (the tests run the rules over both readers).
USE_SQL = True

FACTS_SQL = (Path(__file__).resolve().parent / "facts.pg.sql").read_text()


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


def lock_transfer_accounts(*, payer_number: str, payee_number: str, payer_scope: QuerySet[Account] | None = None,
                           ) -> tuple[dict[str, Account], int | None]:
    """``apps.accounts.locks.lock_payer_and_payee``: the payer (within ``payer_scope``) and the payee that exist,
    by number, locked with their products and customers, and the fee income account's id."""
    return lock_payer_and_payee(payer_number=payer_number, payee_number=payee_number, payer_scope=payer_scope)


def lock_ledgers(payer: Account, payee: Account, fee_income_id: int) -> dict[int, LedgerAccount]:
    """Lock the two ledger accounts (after the deposit accounts: customer -> account -> ledger) and read the fee
    income account (derived balance: not locked). Attaches each deposit account's ledger account."""
    ledgers = lock_ledger_accounts([payer.ledger_account_id, payee.ledger_account_id, fee_income_id])
    payer.ledger_account, payee.ledger_account = ledgers[payer.ledger_account_id], ledgers[payee.ledger_account_id]
    return ledgers


def read_transfer_facts(*, payer: Account, channel: str, currency: str, initiated_by_id: int,
                        idempotency_key: str, beneficiary_destination: str | None) -> TransferFacts:
    """Everything the rules need besides the locked rows. Call it with the payer's row lock held.
    ``beneficiary_destination``: look for the payer's saved beneficiary for this account number (None: don't)."""
    read = _read_transfer_facts_sql if _use_sql() else _read_transfer_facts_orm
    return read(payer=payer, channel=channel, currency=currency, initiated_by_id=initiated_by_id,
                idempotency_key=idempotency_key, beneficiary_destination=beneficiary_destination)


def _read_transfer_facts_sql(*, payer: Account, channel: str, currency: str, initiated_by_id: int,
                             idempotency_key: str, beneficiary_destination: str | None) -> TransferFacts:
    """``facts.pg.sql``, one statement (run by the PostgreSQL test run)."""
    customer, tier = payer.customer, customer_tier(payer.customer)
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, {
            "payer": payer.pk, "hold_active": Hold.Status.ACTIVE, "rejected": Transfer.Status.REJECTED,
            "initiator": initiated_by_id, "key": idempotency_key, "product": payer.product_id,
            "channel": channel, "currency": currency, "tier": tier, "customer": customer.pk,
            "required": list(required_document_types(customer)), "statuses": list(COUNTED_DOCUMENT_STATUSES),
            "look_for_beneficiary": beneficiary_destination is not None, "destination": beneficiary_destination,
        })
        row = cursor.fetchone()
        names = [column.name for column in cursor.description]
    if row is None:
        raise BankNotConfigured("No bank is configured yet: run `manage.py seed_demo` or create one in the admin.")
    columns = dict(zip(names, row, strict=True))
    fee = _prefixed(columns, "fee_schedule__")
    limit = _prefixed(columns, "limit__")
    documents = [columns.pop(name) or [] for name in
                 ("kyc_document_types", "kyc_document_expiries", "kyc_document_statuses")]
    return TransferFacts(
        **columns,
        fee_schedule=None if fee["id"] is None else FeeSchedule(**fee, channel=channel, currency=currency),
        limit=None if limit["id"] is None else TransferLimit(**limit, customer_tier=tier, currency=currency),
        kyc_documents=list(zip(*documents, strict=True)),
    )


def _prefixed(columns: dict, prefix: str) -> dict:
    """Take the columns named ``<prefix><field>`` out of ``columns``, by field name."""
    names = [name for name in columns if name.startswith(prefix)]
    return {name.removeprefix(prefix): columns.pop(name) for name in names}


def _read_transfer_facts_orm(*, payer: Account, channel: str, currency: str, initiated_by_id: int,
                             idempotency_key: str, beneficiary_destination: str | None) -> TransferFacts:
    """The same facts through the ORM, one query each (run by the SQLite test run, and on PostgreSQL with
    ``USE_SQL`` off)."""
    business_date = current_business_date()
    beneficiary_id = None
    if beneficiary_destination is not None:
        beneficiary_id = Beneficiary.objects.filter(
            owner_id=payer.customer_id, removed_at__isnull=True, account_identifier=beneficiary_destination,
        ).order_by("name", "id").values_list("pk", flat=True).first()
    return TransferFacts(
        business_date=business_date,
        existing_transfer_id=Transfer.objects.filter(
            initiated_by_id=initiated_by_id, idempotency_key=idempotency_key).values_list("pk", flat=True).first(),
        holds_total=active_holds_total(payer),
        spent_today=spent_on(account_id=payer.pk, business_date=business_date),
        fee_schedule=applicable_fee_schedule(product_id=payer.product_id, channel=channel, currency=currency),
        limit=applicable_transfer_limit(product_id=payer.product_id, tier=customer_tier(payer.customer),
                                        currency=currency),
        kyc_documents=list(documents_that_count(payer.customer).values_list("document_type", "expiry_date",
                                                                            "status")),
        saved_beneficiary_id=beneficiary_id,
        fraud_rules_active=FraudRule.objects.filter(is_active=True).exists(),
    )
