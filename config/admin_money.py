"""Money in the admin: formatted for its currency (``apps.money.format_amount``) and right-aligned, in a list
column, a read-only field or a page of our own. ``money_cell(amount, currency)`` gives the HTML;
``money_column("fee")`` a column (or read-only field) of it for a model's amount field, and
``with_money_columns`` puts those in place of the raw fields in a list of read-only fields."""

from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import attrgetter

from django.contrib import admin
from django.utils.html import format_html

from apps.money import format_amount


def money_cell(amount: Decimal | None, currency: str) -> str:
    """The amount right-aligned on one line ("1,234.50 EUR"); an em dash when there is none."""
    if amount is None:
        return "—"
    return format_html('<span class="money" style="display:block;text-align:right;white-space:nowrap">{}</span>',
                       format_amount(amount, currency))


def money_column(field: str, *, currency: str = "currency", description: str | None = None) -> Callable:
    """A list column or read-only field showing ``field`` with ``money_cell``, in the currency read from the
    row's ``currency`` attribute (dotted for a related row: "account.currency"); sorted by the field."""
    read_currency = attrgetter(currency)

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def column(row) -> str:
        return money_cell(getattr(row, field), read_currency(row))
    column.__name__ = f"{field}_in_currency"
    return column


def with_money_columns(field_names: Iterable[str], columns: dict[str, Callable]) -> list:
    """The read-only fields ``field_names`` with each amount field named in ``columns`` shown by its column."""
    return [columns.get(name, name) for name in field_names]
