"""Loan products: what the bank lends on — how a loan amortises, how often it is repaid, its limits, its fee,
its rounding, its day count, its calendar rule and the ledger accounts it posts to.

Invariants backed by the database (CHECK):
- the limits are ordered: 0 < minimum amount <= maximum amount, 1 <= minimum term <= default term <= maximum
  term, 0 <= minimum rate <= default rate <= maximum rate;
- grace on interest is no longer than grace on principal, which leaves at least one instalment that repays
  principal at the shortest term;
- no fee has a value of 0, a percentage fee is from 0 to 100, a fixed one is not negative;
- a rounding multiple, when set, is positive;
- a product's four ledger accounts are four different accounts.
The ledger accounts' types and currency are checked by the proposing service (they live in another table).
Changes go through maker-checker (apps.loans.services.products): the admin proposes, a second person applies.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from apps.accounts.daycount import DayCount
from apps.ledger.models import AMOUNT_FIELD, LedgerAccount
from apps.loans.product_terms import (
    AllocationOrder,
    Amortization,
    DueDateRule,
    FeeKind,
    FeeTreatment,
    RepaymentFrequency,
)
from apps.money import CURRENCY_CHOICES

RATE_FIELD = {"max_digits": 9, "decimal_places": 6}
FEE_VALUE_FIELD = {"max_digits": 20, "decimal_places": 6}
# Terms are counted in instalments: 1,200 is a century of monthly instalments, or 23 years of weekly ones.
MAX_TERM = 1200


class LoanProduct(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    is_active = models.BooleanField(default=True, help_text="Only active products are offered and accept loans.")

    amortization = models.CharField(max_length=16, choices=Amortization.choices, default=Amortization.ANNUITY)
    repayment_frequency = models.CharField(max_length=10, choices=RepaymentFrequency.choices,
                                           default=RepaymentFrequency.MONTHLY)
    day_count = models.CharField(max_length=14, choices=DayCount.choices, default=DayCount.THIRTY_360_MONTHS)
    due_date_rule = models.CharField(max_length=20, choices=DueDateRule.choices,
                                     default=DueDateRule.NEXT_BUSINESS_DAY,
                                     help_text="A due date on a weekend or a bank holiday: moved, or kept.")

    minimum_amount = models.DecimalField(**AMOUNT_FIELD)
    maximum_amount = models.DecimalField(**AMOUNT_FIELD)
    minimum_term = models.PositiveSmallIntegerField(help_text="In instalments.")
    default_term = models.PositiveSmallIntegerField(help_text="In instalments.")
    maximum_term = models.PositiveSmallIntegerField(help_text="In instalments.")
    minimum_rate = models.DecimalField(**RATE_FIELD, help_text="Annual, in percent.")
    default_rate = models.DecimalField(**RATE_FIELD, help_text="Annual, in percent.")
    maximum_rate = models.DecimalField(**RATE_FIELD, help_text="Annual, in percent.")

    principal_grace = models.PositiveSmallIntegerField(
        default=0, verbose_name="grace on principal", help_text="The first instalments repay no principal.")
    interest_grace = models.PositiveSmallIntegerField(
        default=0, verbose_name="grace on interest", help_text="The first instalments collect no interest.")
    grace_interest_accrues = models.BooleanField(
        default=False, verbose_name="interest accrues during its grace",
        help_text="Yes: the grace's interest is collected with the first instalment after it. No: it is waived.")

    fee_kind = models.CharField(max_length=10, choices=FeeKind.choices, default=FeeKind.NONE,
                                verbose_name="origination fee")
    fee_value = models.DecimalField(**FEE_VALUE_FIELD, default=Decimal("0"), verbose_name="origination fee value",
                                    help_text="An amount (fixed) or percent of the amount lent (percentage).")
    fee_treatment = models.CharField(max_length=12, choices=FeeTreatment.choices, default=FeeTreatment.DEDUCTED,
                                     verbose_name="origination fee is")

    rounding_multiple = models.DecimalField(
        **AMOUNT_FIELD, null=True, blank=True,
        help_text="Instalments rounded to a multiple of this (1 = whole units); empty: the currency's minor unit.")

    allocation_order = models.CharField(
        max_length=32, choices=AllocationOrder.choices, default=AllocationOrder.PENALTY_FEE_INTEREST_PRINCIPAL,
        help_text="How a repayment is shared among each instalment's components (oldest instalment first).")

    loan_portfolio_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    interest_receivable_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    interest_income_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    fee_income_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="loan_product_code_not_blank"),
            models.CheckConstraint(condition=Q(minimum_amount__gt=0) & Q(maximum_amount__gte=F("minimum_amount")),
                                   name="loan_product_amounts_ordered"),
            models.CheckConstraint(
                condition=Q(minimum_term__gte=1) & Q(default_term__gte=F("minimum_term"))
                & Q(maximum_term__gte=F("default_term")) & Q(maximum_term__lte=MAX_TERM),
                name="loan_product_terms_ordered"),
            models.CheckConstraint(
                condition=Q(minimum_rate__gte=0) & Q(default_rate__gte=F("minimum_rate"))
                & Q(maximum_rate__gte=F("default_rate")),
                name="loan_product_rates_ordered"),
            models.CheckConstraint(
                condition=Q(interest_grace__lte=F("principal_grace")) & Q(principal_grace__lt=F("minimum_term")),
                name="loan_product_grace_within_term"),
            models.CheckConstraint(
                condition=Q(fee_kind="none", fee_value=0) | Q(fee_kind="fixed", fee_value__gte=0)
                | Q(fee_kind="percentage", fee_value__gte=0, fee_value__lte=100),
                name="loan_product_fee_valid"),
            models.CheckConstraint(condition=Q(allocation_order__in=AllocationOrder.values),
                                   name="loan_product_allocation_order_valid"),
            models.CheckConstraint(condition=Q(rounding_multiple__isnull=True) | Q(rounding_multiple__gt=0),
                                   name="loan_product_rounding_multiple_positive"),
            models.CheckConstraint(
                condition=~Q(loan_portfolio_account=F("interest_receivable_account"))
                & ~Q(loan_portfolio_account=F("interest_income_account"))
                & ~Q(loan_portfolio_account=F("fee_income_account"))
                & ~Q(interest_receivable_account=F("interest_income_account"))
                & ~Q(interest_receivable_account=F("fee_income_account"))
                & ~Q(interest_income_account=F("fee_income_account")),
                name="loan_product_ledger_accounts_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
