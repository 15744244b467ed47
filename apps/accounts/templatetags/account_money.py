"""Amounts on the account's pages: ``{{ amount|money:currency }}``, right-aligned in its currency's format."""

from django import template

from apps.money import format_amount
from config.admin_money import money_cell

register = template.Library()


@register.filter
def money(amount, currency):
    """The amount right-aligned (``money_cell``), for a table cell."""
    return money_cell(amount, currency)


@register.filter
def amount_in(amount, currency):
    """The amount in words' company: "1,500.00 EUR", inline."""
    return format_amount(amount, currency)
