"""A DBA's way around the ledger's triggers, on either database: what ``ledger_check`` must still catch."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def triggers_off(table: str):
    """Yield a cursor with ``table``'s triggers out of the way, and put them back after."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with _postgresql_triggers_disabled(cursor, table):
                yield cursor
        else:
            with _sqlite_triggers_dropped(cursor, table):
                yield cursor


@contextlib.contextmanager
def _postgresql_triggers_disabled(cursor, table: str):
    # The test transaction's deferred checks fire now, and later ones at once: ALTER TABLE is refused while any is
    # pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@contextlib.contextmanager
def _sqlite_triggers_dropped(cursor, table: str):
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
    triggers = cursor.fetchall()
    for name, _ in triggers:
        cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        cursor.execute(sql)
