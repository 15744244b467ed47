"""Money in the admin: formatted for its currency (``apps.money.format_amount``) and right-aligned, in a list
column, a read-only field or a page of our own. ``money_cell(amount, currency)`` gives the HTML."""

from decimal import Decimal

from django.utils.html import format_html

from apps.money import format_amount


def money_cell(amount: Decimal | None, currency: str) -> str:
    """The amount right-aligned on one line ("1,234.50 EUR"); an em dash when there is none."""
    if amount is None:
        return "—"
    return format_html('<span class="money" style="display:block;text-align:right;white-space:nowrap">{}</span>',
                       format_amount(amount, currency))
