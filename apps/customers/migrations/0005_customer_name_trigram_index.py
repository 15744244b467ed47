"""The admin's customer search by name (``legal_name__icontains``, which Django writes as
``UPPER(legal_name) LIKE UPPER('%...%')``) from a trigram index on PostgreSQL: a GIN index of
``UPPER(legal_name)`` with pg_trgm's operator class answers that LIKE without reading the table. Built
CONCURRENTLY (hence ``atomic = False``): the customers table is not locked against writes while it builds.

SQLite has no trigram index; there the name keeps its plain index (0001) and a name search reads the table,
which in an embedded bank is small. Each vendor's function runs when the test databases are migrated.
"""

from django.db import migrations

TRIGRAM_INDEX = ("CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_legal_name_trigram ON customers_customer "
                 "USING gin (UPPER(legal_name) gin_trgm_ops)")


def name_trigram_index_postgresql(schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_name_trigram_index_postgresql(schema_editor):
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS customer_legal_name_trigram")


def no_trigram_index_sqlite(schema_editor):
    """Nothing to build: SQLite keeps the plain index on legal_name."""


FORWARDS = {"postgresql": name_trigram_index_postgresql, "sqlite": no_trigram_index_sqlite}
BACKWARDS = {"postgresql": drop_name_trigram_index_postgresql, "sqlite": no_trigram_index_sqlite}


def forwards(apps, schema_editor):
    FORWARDS[schema_editor.connection.vendor](schema_editor)


def backwards(apps, schema_editor):
    BACKWARDS[schema_editor.connection.vendor](schema_editor)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0004_channel_codes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
