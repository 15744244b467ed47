"""The statements that write a journal entry, in as few round trips as PostgreSQL allows.

``post_journal_entry`` is the bank's hottest path, so on PostgreSQL it writes the entry, its postings and the
stored balance moves in one statement instead of the ORM's six or more (``_write_entry_postgresql``, run by the
PostgreSQL test run). Other databases (SQLite in the embedded mode) use the ORM (``_write_entry_orm``, run by the
SQLite test run, .ci/test_sqlite.sh).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Round
from django.utils import timezone

from apps.ledger.models import AMOUNT_FIELD, JournalEntry, LedgerAccount, Posting

# One statement writes the whole entry: the entry row (or nothing, when its idempotency key exists: committed, or
# committed by a concurrent transaction this one waited for), its postings, and the stored balances it moves. The
# postings and balance moves hang off the entry's CTE, so a replay writes nothing at all.
_WRITE_ENTRY_SQL = """
WITH entry AS (
    INSERT INTO ledger_journalentry
        (business_date, description, reference, source, idempotency_key, fingerprint, reverses_id, posted_by_id,
         posted_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (source, idempotency_key) DO NOTHING
    RETURNING id
), new_postings AS (
    INSERT INTO ledger_posting (entry_id, account_id, side, amount, currency)
    SELECT entry.id, p.account_id, p.side, p.amount, p.currency
    FROM entry,
         unnest(%s::bigint[], %s::varchar[], %s::numeric[], %s::varchar[]) AS p(account_id, side, amount, currency)
), moved_balances AS (
    UPDATE ledger_ledgeraccount AS account SET balance = account.balance + moved.delta
    FROM unnest(%s::bigint[], %s::numeric[]) AS moved(id, delta)
    WHERE account.id = moved.id AND EXISTS (SELECT 1 FROM entry)
)
SELECT id FROM entry
"""


def write_entry(*, business_date: datetime.date, description: str, reference: str, source: str,
                idempotency_key: str, fingerprint: str, reverses_id: int | None, posted_by_id: int | None,
                postings: list[tuple[int, str, Decimal, str]],
                stored_deltas: dict[int, Decimal]) -> JournalEntry | None:
    """Write the entry, its postings and the stored balance moves; None (and nothing written) when
    (source, idempotency_key) already exists."""
    posted_at = timezone.now()
    entry = JournalEntry(business_date=business_date, description=description, reference=reference, source=source,
                         idempotency_key=idempotency_key, fingerprint=fingerprint, reverses_id=reverses_id,
                         posted_by_id=posted_by_id, posted_at=posted_at)
    if connection.vendor == "postgresql":
        return _write_entry_postgresql(entry, postings, stored_deltas)
    return _write_entry_orm(entry, postings, stored_deltas)


def _write_entry_postgresql(entry: JournalEntry, postings: list[tuple[int, str, Decimal, str]],
                            stored_deltas: dict[int, Decimal]) -> JournalEntry | None:
    account_ids, sides, amounts, currencies = (list(column) for column in zip(*postings, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_ENTRY_SQL, [
            entry.business_date, entry.description, entry.reference, entry.source, entry.idempotency_key,
            entry.fingerprint, entry.reverses_id, entry.posted_by_id, entry.posted_at,
            account_ids, sides, amounts, currencies, list(stored_deltas), list(stored_deltas.values()),
        ])
        row = cursor.fetchone()
    if row is None:
        return None
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _write_entry_orm(entry: JournalEntry, postings: list[tuple[int, str, Decimal, str]],
                     stored_deltas: dict[int, Decimal]) -> JournalEntry | None:
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        if JournalEntry.objects.filter(source=entry.source, idempotency_key=entry.idempotency_key).exists():
            return None
        raise
    Posting.objects.bulk_create(
        Posting(entry=entry, account_id=account_id, side=side, amount=amount, currency=currency)
        for account_id, side, amount, currency in postings
    )
    if stored_deltas:
        amount_field = models.DecimalField(**AMOUNT_FIELD)
        moved = Case(*(When(pk=pk, then=Value(delta, output_field=amount_field))
                       for pk, delta in stored_deltas.items()), output_field=amount_field)
        # Rounded to the storage precision: SQLite adds decimals as binary floats, and 0.30 - 0.10 - 0.20 stored as
        # -2.8e-17 would break the balance's CHECK (never below zero) and show as -0.000000000000000028.
        LedgerAccount.objects.filter(pk__in=stored_deltas).update(
            balance=Round(F("balance") + moved, AMOUNT_FIELD["decimal_places"], output_field=amount_field))
    return entry


def find_entry(*, source: str, idempotency_key: str) -> Any:
    return JournalEntry.objects.get(source=source, idempotency_key=idempotency_key)
