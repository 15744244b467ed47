"""Reads of loan products for the admin, the API and the channels."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.loans.errors import LoanProductNotFound
from apps.loans.models import LoanProduct


def active_loan_products() -> QuerySet[LoanProduct]:
    """What the channels offer: the active products, by code."""
    return LoanProduct.objects.filter(is_active=True).order_by("code")


def get_loan_product(pk: object, *, within: QuerySet[LoanProduct] | None = None) -> LoanProduct:
    products = LoanProduct.objects.all() if within is None else within
    text = str(pk)
    # A key the database could not even hold (bigint) is no product rather than an error.
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise LoanProductNotFound(f"No loan product {text[:20]}.")
    try:
        return products.get(pk=int(text))
    except LoanProduct.DoesNotExist:
        raise LoanProductNotFound(f"No loan product {text}.") from None
