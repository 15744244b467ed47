"""The schedule preview: what a loan on a product would repay, instalment by instalment, before anyone applies.

It writes nothing. The admin's "Preview schedule" page and ``POST /api/v1/loan-products/{id}/schedule-preview/``
both call ``preview_schedule``, which holds the product's limits and reads the bank's holidays once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.loans.errors import LoanTermsOutOfRange, ScheduleRefused
from apps.loans.models import LoanProduct
from apps.loans.product_terms import RepaymentFrequency
from apps.loans.schedule import Schedule, ScheduleTerms, build_schedule, latest_due_date
from apps.money import Money, format_amount
from apps.organization.selectors import holidays_between

# A schedule's dates stay well inside what a date can hold (the longest term runs three centuries quarterly).
EARLIEST_DISBURSEMENT = datetime.date(1900, 1, 1)
LATEST_DISBURSEMENT = datetime.date(2999, 12, 31)


def _within_limits(product: LoanProduct, *, amount: Money, annual_rate: Decimal, term: int) -> None:
    if amount.currency != product.currency:
        raise LoanTermsOutOfRange(f"Product {product.code} lends in {product.currency}, not {amount.currency}.",
                                  code="currency_mismatch")
    if not product.minimum_amount <= amount.amount <= product.maximum_amount:
        raise LoanTermsOutOfRange(
            f"Product {product.code} lends from {format_amount(product.minimum_amount, product.currency)} to "
            f"{format_amount(product.maximum_amount, product.currency)}.", code="amount_out_of_range")
    if not product.minimum_rate <= annual_rate <= product.maximum_rate:
        raise LoanTermsOutOfRange(
            f"Product {product.code} lends at {product.minimum_rate.normalize():f} % to "
            f"{product.maximum_rate.normalize():f} % a year.", code="rate_out_of_range")
    if not product.minimum_term <= term <= product.maximum_term:
        raise LoanTermsOutOfRange(
            f"Product {product.code} lends over {product.minimum_term} to {product.maximum_term} instalments.",
            code="term_out_of_range")


def preview_schedule(*, product: LoanProduct, amount: Money, disbursement_date: datetime.date,
                     annual_rate: Decimal | None = None, term: int | None = None, frequency: str | None = None,
                     first_repayment_date: datetime.date | None = None) -> Schedule:
    """The schedule of a loan of ``amount`` on ``product`` (its default rate, term and frequency unless given),
    refused outside the product's limits (``LoanTermsOutOfRange``) or on terms no schedule honours
    (``ScheduleRefused``)."""
    annual_rate = product.default_rate if annual_rate is None else annual_rate
    term = product.default_term if term is None else term
    frequency = frequency or product.repayment_frequency
    if frequency not in RepaymentFrequency.values:
        raise ScheduleRefused(f"Unknown repayment frequency {frequency!r}.", code="unknown_frequency")
    _within_limits(product, amount=amount, annual_rate=annual_rate, term=term)
    if not EARLIEST_DISBURSEMENT <= disbursement_date <= LATEST_DISBURSEMENT:
        raise ScheduleRefused(f"The disbursement date must be from {EARLIEST_DISBURSEMENT} to {LATEST_DISBURSEMENT}.",
                              code="disbursement_date_out_of_range")
    holidays = holidays_between(disbursement_date, latest_due_date(disbursement_date, frequency, term))
    return build_schedule(ScheduleTerms(
        currency=product.currency, amount=amount.amount, annual_rate=annual_rate, term=term, frequency=frequency,
        amortization=product.amortization, day_count=product.day_count, disbursement_date=disbursement_date,
        first_repayment_date=first_repayment_date, principal_grace=product.principal_grace,
        interest_grace=product.interest_grace, grace_interest_accrues=product.grace_interest_accrues,
        fee_kind=product.fee_kind, fee_value=product.fee_value, fee_treatment=product.fee_treatment,
        rounding_multiple=product.rounding_multiple, due_date_rule=product.due_date_rule, holidays=holidays,
    ))
