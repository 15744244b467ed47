"""Sums of stored amounts that are exact on every database.

PostgreSQL adds ``numeric`` values exactly. SQLite (the embedded mode) stores a decimal column as a binary float
and adds floats, so a sum of postings came back as 117.369999999999 instead of 117.37. ``AmountSum`` adds, on
SQLite, each amount in whole ten-thousandths (the storage precision of ``AMOUNT_FIELD``) as a 64-bit integer, which
SQLite adds exactly, and divides the total by 10000 once: the float that comes back is the one nearest to the exact
total, and Django reads it back as that exact decimal (exact up to 15 significant digits, SQLite's own limit for a
stored decimal: 99,999,999,999.9999).

The database gives an exact Decimal; quantizing it to the currency's minor unit is ``money.to_minor_unit``'s job,
where the currency is known.
"""

from __future__ import annotations

from django.db.models import DecimalField, Sum

from apps.ledger.models import AMOUNT_FIELD

STORAGE_SCALE = 10 ** AMOUNT_FIELD["decimal_places"]


class AmountSum(Sum):
    """``Sum`` of an amount column (or of an expression over amount columns, e.g. debits minus credits)."""

    def __init__(self, expression, **extra):
        extra.setdefault("output_field", DecimalField(max_digits=30, decimal_places=AMOUNT_FIELD["decimal_places"]))
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        scaled = self.copy()
        scaled.template = f"%(function)s(%(distinct)sCAST(ROUND((%(expressions)s) * {STORAGE_SCALE}) AS INTEGER))"
        sql, params = scaled.as_sql(compiler, connection, **extra_context)
        # CAST ... AS NUMERIC, as Django does for decimal expressions on SQLite, so that comparing the sum with a
        # decimal parameter (sent as text) compares numbers.
        return f"CAST(({sql}) / {STORAGE_SCALE}.0 AS NUMERIC)", params
