"""The accounts app's admin, one module per subject; importing them registers their pages."""

from apps.accounts.admin import accounts, cash_receipts, interest, products

__all__ = ["accounts", "cash_receipts", "interest", "products"]
