"""Indexes for the admin's lists of a bank-sized ledger:

- ``ledger_account_currency``: the currency filters list the currencies in use by a loose scan of it
  (``selectors.currencies_in_use``), not a DISTINCT over every account;
- on PostgreSQL, a trigram index of ``UPPER(name)`` (pg_trgm), for the ledger account search by name
  (``name__icontains``); built CONCURRENTLY, hence ``atomic = False``. SQLite has no trigram index: a name
  search there reads the (small) table. Each vendor's function runs when the test databases are migrated.
"""

from django.db import migrations, models

TRIGRAM_INDEX = ("CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_account_name_trigram ON ledger_ledgeraccount "
                 "USING gin (UPPER(name) gin_trgm_ops)")


def name_trigram_index_postgresql(schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_name_trigram_index_postgresql(schema_editor):
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS ledger_account_name_trigram")


def no_trigram_index_sqlite(schema_editor):
    """Nothing to build: SQLite has no trigram index."""


FORWARDS = {"postgresql": name_trigram_index_postgresql, "sqlite": no_trigram_index_sqlite}
BACKWARDS = {"postgresql": drop_name_trigram_index_postgresql, "sqlite": no_trigram_index_sqlite}


def forwards(apps, schema_editor):
    FORWARDS[schema_editor.connection.vendor](schema_editor)


def backwards(apps, schema_editor):
    BACKWARDS[schema_editor.connection.vendor](schema_editor)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledger", "0006_ledger_check_page"),
        ("organization", "0005_bank_address_and_bic"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ledgeraccount",
            index=models.Index(fields=["currency"], name="ledger_account_currency"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
