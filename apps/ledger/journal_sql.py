"""The statements that write a journal entry, in as few round trips as PostgreSQL allows.

``post_journal_entry`` is the bank's hottest path, so on PostgreSQL it writes with three statements (insert
the entry or find its idempotency key, insert the postings and move the stored balances in one statement)
instead of the ORM's six or more. Other databases (SQLite in the embedded demo mode) use the ORM.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from apps.ledger.models import AMOUNT_FIELD, JournalEntry, LedgerAccount, Posting

_INSERT_ENTRY_SQL = """
INSERT INTO ledger_journalentry
    (business_date, description, reference, source, idempotency_key, fingerprint, reverses_id, posted_by_id,
     posted_at)
VALUES (COALESCE(%s::date, (SELECT current_business_date FROM organization_bank ORDER BY id LIMIT 1)),
        %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (source, idempotency_key) DO NOTHING
RETURNING id, business_date
"""

_INSERT_POSTINGS_AND_MOVE_BALANCES_SQL = """
WITH new_postings AS (
    INSERT INTO ledger_posting (entry_id, account_id, side, amount, currency)
    SELECT %s, account_id, side, amount, currency
    FROM unnest(%s::bigint[], %s::varchar[], %s::numeric[], %s::varchar[]) AS p(account_id, side, amount, currency)
)
UPDATE ledger_ledgeraccount AS account SET balance = account.balance + moved.delta
FROM unnest(%s::bigint[], %s::numeric[]) AS moved(id, delta)
WHERE account.id = moved.id
"""


def insert_entry(*, business_date: datetime.date | None, description: str, reference: str, source: str,
                 idempotency_key: str, fingerprint: str, reverses_id: int | None,
                 posted_by_id: int | None) -> JournalEntry | None:
    """Insert the entry; None when (source, idempotency_key) already exists (committed, or committed by a
    concurrent transaction we waited for)."""
    posted_at = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_ENTRY_SQL, [business_date, description, reference, source, idempotency_key,
                                               fingerprint, reverses_id, posted_by_id, posted_at])
            row = cursor.fetchone()
        if row is None:
            return None
        entry = JournalEntry(id=row[0], business_date=row[1], description=description, reference=reference,
                             source=source, idempotency_key=idempotency_key, fingerprint=fingerprint,
                             reverses_id=reverses_id, posted_by_id=posted_by_id, posted_at=posted_at)
        entry._state.adding = False
        entry._state.db = connection.alias
        return entry
    if business_date is None:
        from apps.organization.selectors import current_business_date

        business_date = current_business_date()
    try:
        with transaction.atomic():
            return JournalEntry.objects.create(
                business_date=business_date, description=description, reference=reference, source=source,
                idempotency_key=idempotency_key, fingerprint=fingerprint, reverses_id=reverses_id,
                posted_by_id=posted_by_id,
            )
    except IntegrityError:
        if JournalEntry.objects.filter(source=source, idempotency_key=idempotency_key).exists():
            return None
        raise


def insert_postings_and_move_balances(*, entry: JournalEntry, postings: list[tuple[int, str, Decimal, str]],
                                      stored_deltas: dict[int, Decimal]) -> None:
    if connection.vendor == "postgresql":
        account_ids, sides, amounts, currencies = (list(column) for column in zip(*postings, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_POSTINGS_AND_MOVE_BALANCES_SQL, [
                entry.pk, account_ids, sides, amounts, currencies,
                list(stored_deltas), list(stored_deltas.values()),
            ])
        return
    Posting.objects.bulk_create(
        Posting(entry=entry, account_id=account_id, side=side, amount=amount, currency=currency)
        for account_id, side, amount, currency in postings
    )
    if stored_deltas:
        amount_field = models.DecimalField(**AMOUNT_FIELD)
        LedgerAccount.objects.filter(pk__in=stored_deltas).update(
            balance=F("balance") + Case(*(When(pk=pk, then=Value(delta, output_field=amount_field))
                                          for pk, delta in stored_deltas.items()), output_field=amount_field)
        )


def find_entry(*, source: str, idempotency_key: str) -> Any:
    return JournalEntry.objects.get(source=source, idempotency_key=idempotency_key)
