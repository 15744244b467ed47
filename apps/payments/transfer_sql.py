"""Writing a completed transfer's row and its history row in one statement on PostgreSQL.

The history row is the one django-simple-history would write on ``save()`` (every column of the transfer, plus
``history_date``, ``history_type`` "+" and ``history_user``), so the admin's history view and audits read it
like any other. Other databases save through the ORM (which writes the history row itself).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from apps.organization.models import User
from apps.payments.models import Transfer

_FIELDS = [f for f in Transfer._meta.concrete_fields if not f.primary_key]
_HISTORY_MODEL = Transfer.history.model
_HISTORY_EXTRA = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
_copied = [f for f in _HISTORY_MODEL._meta.concrete_fields if f.attname not in _HISTORY_EXTRA]
if {f.column for f in _copied} != {f.column for f in Transfer._meta.concrete_fields}:  # pragma: no cover
    raise RuntimeError("payments_historicaltransfer no longer mirrors payments_transfer: update transfer_sql.")

# Table and column names come from the models, never from input.
_INSERT_SQL = """
WITH transfer AS (
    INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING *
)
INSERT INTO {history_table} ({history_columns}, history_date, history_change_reason, history_type, history_user_id)
SELECT {history_columns}, %s, NULL, '+', %s FROM transfer
RETURNING id
""".format(  # noqa: S608
    table=Transfer._meta.db_table,
    columns=", ".join(f'"{f.column}"' for f in _FIELDS),
    placeholders=", ".join(["%s"] * len(_FIELDS)),
    history_table=_HISTORY_MODEL._meta.db_table,
    history_columns=", ".join(f'"{f.column}"' for f in _copied),
)


def save_new_transfer(transfer: Transfer, *, actor: User) -> Transfer:
    """Insert ``transfer`` (not saved yet) and its history row, recorded as made by ``actor``."""
    if connection.vendor != "postgresql":
        transfer._history_user = actor
        transfer.save()
        return transfer
    now = timezone.now()
    transfer.created_at = now
    values = [field.get_db_prep_save(getattr(transfer, field.attname), connection) for field in _FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, [*values, now, actor.pk if actor is not None else None])
        transfer.pk = cursor.fetchone()[0]
    transfer._state.adding = False
    transfer._state.db = connection.alias
    return transfer
