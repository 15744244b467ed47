"""Django's SQLite backend, keeping the database's triggers through the two operations that would lose them.

The ledger's integrity rules are triggers (apps/ledger/migrations), on SQLite as on PostgreSQL. Stock Django loses
or trips over them on SQLite in two places:

- a migration that SQLite cannot do with ALTER TABLE (altering a field or a constraint, most removals) rebuilds
  the table: create ``new__<table>``, copy, drop the table, rename. Dropping the table drops its triggers, and the
  rename fails while another table's trigger refers to the dropped one ("error in trigger ...: no such table").
  Here every trigger is dropped before the rebuild and created again, from its own SQL, after it;
- ``flush`` (and so every ``transaction=True`` test) empties tables with DELETE, which the immutability triggers
  refuse. PostgreSQL's flush is TRUNCATE, which fires no row trigger; here the triggers are dropped, the tables
  emptied and the triggers created again, in the flush's one transaction.

It also names the journal entry when SQLite refuses a COMMIT for the ledger's deferred balance check (migration
ledger 0005: a row left in ``ledger_unbalanced_entry`` is a deferred foreign key violation), with PostgreSQL's
words, instead of SQLite's bare "FOREIGN KEY constraint failed"; ``check_constraints()`` (a test firing the deferred
checks before its transaction ends) does the same.

``config/settings.py`` uses this engine for every SQLite database.
"""

import sqlite3

from django.db import IntegrityError
from django.db.backends.sqlite3 import base, operations, schema

# The first entry the deferred balance check holds, with its posting count and a currency it does not balance in.
_UNBALANCED_ENTRY_SQL = """
SELECT u.entry_id,
       (SELECT count(*) FROM ledger_posting WHERE entry_id = u.entry_id),
       (SELECT currency FROM ledger_posting WHERE entry_id = u.entry_id GROUP BY currency
        HAVING sum(CASE WHEN side = 'D' THEN 1 ELSE -1 END * CAST(round(amount * 10000) AS INTEGER)) <> 0 LIMIT 1)
FROM ledger_unbalanced_entry AS u ORDER BY u.entry_id LIMIT 1
"""


def unbalanced_entry_refusal(connection: sqlite3.Connection) -> str | None:
    """PostgreSQL's message for the entry the deferred balance check refuses, or None when it refuses none."""
    try:
        row = connection.execute(_UNBALANCED_ENTRY_SQL).fetchone()
    except sqlite3.OperationalError:  # no ledger tables (yet)
        return None
    if row is None:
        return None
    entry_id, postings, currency = row
    if postings < 2:
        return f"journal entry {entry_id} has {postings} posting(s); at least two are required"
    return f"journal entry {entry_id} does not balance in {currency}"


def _triggers(connection) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        return cursor.fetchall()


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _remake_table(self, model, create_field=None, delete_field=None, alter_fields=None):
        triggers = _triggers(self.connection)
        for name, _ in triggers:
            self.execute(f"DROP TRIGGER {self.quote_name(name)}", params=None)
        super()._remake_table(model, create_field=create_field, delete_field=delete_field, alter_fields=alter_fields)
        for _, sql in triggers:
            self.execute(sql, params=None)


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        triggers = _triggers(self.connection)
        return [
            *(f"DROP TRIGGER {self.quote_name(name)};" for name, _ in triggers),
            *statements,
            *(f"{sql};" for _, sql in triggers),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
    ops_class = DatabaseOperations

    def _commit(self):
        try:
            return super()._commit()
        except IntegrityError as error:
            # SQLite keeps the transaction open after a refused COMMIT: the refused entry can still be read.
            refusal = unbalanced_entry_refusal(self.connection)
            if refusal is None:
                raise
            raise IntegrityError(refusal) from error

    def check_constraints(self, table_names=None):
        refusal = unbalanced_entry_refusal(self.connection)
        if refusal is not None:
            raise IntegrityError(refusal)
        super().check_constraints(table_names)
