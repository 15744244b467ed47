"""SQLite gets the two uniqueness rules PostgreSQL enforces with UNIQUE NULLS NOT DISTINCT.

``one_active_fee_per_product_channel`` and ``one_limit_per_product_tier_currency`` treat the default line (no
product) as one value. SQLite cannot say that in a unique index, so Django creates neither constraint there
(models.W047): the embedded mode accepted two active default fees for one channel and currency, or two limits for
one product and tier. Triggers say it instead (``IS`` compares NULLs as equal), refusing with the constraint's
name as PostgreSQL does. (config/sqlite keeps them through table rebuilds.) On PostgreSQL this does nothing.
"""

from django.db import migrations


def _one_row_per(table, constraint, columns, *, only_when=None):
    same = " AND ".join(f"{column} IS NEW.{column}" for column in columns)
    if only_when:
        same = f"{only_when} AND NEW.{only_when} AND {same}"
    refusal = f"BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: {constraint}'); END"
    watched = ", ".join([*columns, *([only_when] if only_when else [])])
    return [
        f"CREATE TRIGGER {constraint}_on_insert BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {same}) {refusal}",
        f"CREATE TRIGGER {constraint}_on_update BEFORE UPDATE OF {watched} ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id <> NEW.id AND {same}) {refusal}",
    ]


SQLITE_FORWARD = [
    *_one_row_per("payments_feeschedule", "one_active_fee_per_product_channel", ["product_id", "channel", "currency"],
                  only_when="is_active"),
    *_one_row_per("payments_transferlimit", "one_limit_per_product_tier_currency",
                  ["product_id", "customer_tier", "currency"]),
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {constraint}_on_{verb}"
    for constraint in ("one_active_fee_per_product_channel", "one_limit_per_product_tier_currency")
    for verb in ("insert", "update")
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0008_transfer_reversed_status")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
