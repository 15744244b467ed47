"""The database backs the product's overdraft rule: an account's ledger account allows an overdraft only when
its product does, and only up to the product's limit (apps/accounts/sql/product_overdraft.*.sql; the rule spans
three tables, so it is a trigger, in a PostgreSQL and a SQLite version)."""

import re
from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
VENDOR_SUFFIX = {"postgresql": "pg", "sqlite": "sqlite"}


def _statements(vendor: str, reverse: bool) -> list[str]:
    text = (SQL_DIR / f"product_overdraft.{VENDOR_SUFFIX[vendor]}{'.reverse' if reverse else ''}.sql").read_text()
    if vendor == "postgresql":
        return [text]  # one round trip; PL/pgSQL bodies are dollar-quoted
    # SQLite runs one statement at a time; its file separates them with "-- statement" lines.
    parts = (part.strip() for part in re.split(r"^-- statement$", text, flags=re.MULTILINE))
    return [part for part in parts if part and not part.startswith("--")]


def _run(*, reverse: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in _statements(vendor, reverse) if vendor in VENDOR_SUFFIX else []:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_accrual_without_row_locking_foreign_keys"),
        ("ledger", "0004_drop_indexes_covered_by_composites"),
    ]

    operations = [migrations.RunPython(_run(reverse=False), _run(reverse=True))]
