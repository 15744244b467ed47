"""Writing a completed transfer's row and its history row in one statement on PostgreSQL
(``insert_transfer.pg.sql``).

The history row is the one django-simple-history would write on ``save()`` (every column of the transfer, plus
``history_date``, ``history_type`` "+" and ``history_user``), so the admin's history view and audits read it
like any other. Other databases save through the ORM (which writes the history row itself).
"""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.utils import timezone

from apps.organization.models import User
from apps.payments.models import Transfer

FIELDS = [f for f in Transfer._meta.concrete_fields if not f.primary_key]
_HISTORY_MODEL = Transfer.history.model
_HISTORY_EXTRA = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
_copied = [f for f in _HISTORY_MODEL._meta.concrete_fields if f.attname not in _HISTORY_EXTRA]
if {f.column for f in _copied} != {f.column for f in Transfer._meta.concrete_fields}:  # pragma: no cover
    raise RuntimeError("payments_historicaltransfer no longer mirrors payments_transfer: update this module.")

INSERT_SQL = (Path(__file__).resolve().parent / "insert_transfer.pg.sql").read_text().format(
    table=Transfer._meta.db_table,
    columns=", ".join(f'"{f.column}"' for f in FIELDS),
    placeholders=", ".join(["%s"] * len(FIELDS)),
    history_table=_HISTORY_MODEL._meta.db_table,
    history_columns=", ".join(f'"{f.column}"' for f in _copied),
)


def save_new_transfer(transfer: Transfer, *, actor: User) -> Transfer:
    """Insert ``transfer`` (not saved yet) and its history row, recorded as made by ``actor``."""
    if connection.vendor == "postgresql":
        return _insert_transfer_postgresql(transfer, actor=actor)
    return _save_transfer_orm(transfer, actor=actor)


def _insert_transfer_postgresql(transfer: Transfer, *, actor: User) -> Transfer:
    """``insert_transfer.pg.sql``, one statement (run by the PostgreSQL test run)."""
    now = timezone.now()
    transfer.created_at = now
    values = [field.get_db_prep_save(getattr(transfer, field.attname), connection) for field in FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [*values, now, actor.pk if actor is not None else None])
        transfer.pk = cursor.fetchone()[0]
    transfer._state.adding = False
    transfer._state.db = connection.alias
    return transfer


def _save_transfer_orm(transfer: Transfer, *, actor: User) -> Transfer:
    """The ORM's save, which writes the history row itself (run by the SQLite test run)."""
    transfer._history_user = actor
    transfer.save()
    return transfer
