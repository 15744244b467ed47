"""Sums of stored amounts that are exact on every database.

PostgreSQL adds ``numeric`` values exactly. SQLite (the embedded mode) stores a decimal column as a binary float
and adds floats, so a sum of postings came back as 117.369999999999 instead of 117.37. ``AmountSum`` adds, on
SQLite, each amount in whole ten-thousandths (the storage precision of ``AMOUNT_FIELD``) as a 64-bit integer, which
SQLite adds exactly, and divides the total by 10000 once: the float that comes back is the one nearest to the exact
total, and Django reads it back as that exact decimal (exact up to 15 significant digits, SQLite's own limit for a
stored decimal: 99,999,999,999.9999).

``exact_totals`` (and ``exact_sum``) is for the 12-decimal interest accruals, where that trick cannot work: a
total in whole 1e-12 units overflows SQLite's 64-bit integers at about 9.2 million (9.2e18 units), and whatever
number SQLite hands back, Django reads a decimal expression there as a float cut to 15 significant digits, so a
year's accruals of 31,308.641943999870 came back as 31308.6419439997 (and the residue carried to the next interest
posting was off with it). On PostgreSQL it is ``Sum`` in SQL. On SQLite it reads the stored values and adds them in
Python with ``Decimal``: SQLite stores each decimal Django writes (as text) into its NUMERIC column as a REAL, and
Django reads that float back to 15 significant digits, which gives back exactly the decimal it wrote when that had
at most 15 significant digits -- a 12-decimal accrual below 1,000, i.e. a day's interest on any balance below about
7 million. That much is SQLite's storage limit; the sum adds nothing to it. It costs one row read per accrual, in
the embedded demo mode whose accrual already runs in Python, row by row.

The database gives an exact Decimal; quantizing it to the currency's minor unit is ``money.to_minor_unit``'s job,
where the currency is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal

from django.db import connections
from django.db.models import Count, DecimalField, QuerySet, Sum

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


# Wide enough for any sum of 30-digit stored values without rounding.
_SUM_CONTEXT = Context(prec=60)


@dataclass(frozen=True, slots=True)
class Total:
    amount: Decimal
    rows: int


def exact_totals(queryset: QuerySet, *, field: str, by: Sequence[str] = ()) -> dict[tuple, Total]:
    """The exact sum of ``field`` (a decimal column) over ``queryset``, grouped by the ``by`` fields, with the
    row count of each group: ``{(by values...): Total(amount, rows)}``, in ascending order of the group key.
    Only groups with rows are in it; ``by=()`` gives at most the one key ``()``."""
    if connections[queryset.db].vendor != "sqlite":
        if not by:  # values() without fields would group by every column
            row = queryset.aggregate(_total=Sum(field), _rows=Count("pk"))
            return {(): Total(row["_total"], row["_rows"])} if row["_rows"] else {}
        rows = queryset.order_by().values(*by).annotate(_total=Sum(field), _rows=Count("pk"))
        totals = {tuple(row[name] for name in by): Total(row["_total"], row["_rows"]) for row in rows}
        return dict(sorted(totals.items()))
    sums: dict[tuple, list] = {}
    for *key, value in queryset.order_by().values_list(*by, field).iterator(chunk_size=2000):
        group = sums.setdefault(tuple(key), [Decimal(0), 0])
        if value is not None:
            group[0] = _SUM_CONTEXT.add(group[0], value)
        group[1] += 1
    return {key: Total(amount, rows) for key, (amount, rows) in sorted(sums.items())}


def exact_sum(queryset: QuerySet, *, field: str) -> Decimal:
    """The exact sum of ``field`` over ``queryset`` (``exact_totals`` without groups); 0 when it has no rows."""
    total = exact_totals(queryset, field=field).get(())
    return total.amount if total is not None else Decimal(0)
