"""The vocabulary of a loan product's terms: how it amortises, how often it is repaid, how its fee is taken,
how its due dates meet the bank's calendar. Shared by the models and the pure schedule engine."""

from __future__ import annotations

from django.db import models


class Amortization(models.TextChoices):
    # Interest on the declining balance, one equal instalment (the last absorbs the rounding).
    ANNUITY = "annuity", "Equal instalments (annuity)"
    # Interest on the declining balance, the same principal in every instalment.
    EQUAL_PRINCIPAL = "equal_principal", "Equal principal"
    # Interest on the amount lent for the whole term, spread equally; equal principal.
    FLAT = "flat", "Flat interest"


class RepaymentFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


PERIODS_PER_YEAR = {
    RepaymentFrequency.WEEKLY: 52,
    RepaymentFrequency.BIWEEKLY: 26,
    RepaymentFrequency.MONTHLY: 12,
    RepaymentFrequency.QUARTERLY: 4,
}


class FeeKind(models.TextChoices):
    NONE = "none", "No origination fee"
    FIXED = "fixed", "Fixed amount"
    PERCENTAGE = "percentage", "Percentage of the amount"


class FeeTreatment(models.TextChoices):
    DEDUCTED = "deducted", "Deducted from the disbursement"
    CAPITALISED = "capitalised", "Added to the principal"


class DueDateRule(models.TextChoices):
    NEXT_BUSINESS_DAY = "next_business_day", "Move to the next business day"
    NONE = "none", "Keep the date (no adjustment)"


class AllocationOrder(models.TextChoices):
    """How a repayment is shared among an instalment's components (Fineract's transaction processing
    strategies). Instalments are always paid oldest first, so what is past due is paid before what is due."""

    PENALTY_FEE_INTEREST_PRINCIPAL = "penalty_fee_interest_principal", "Penalties, fees, interest, principal"
    INTEREST_PRINCIPAL_PENALTY_FEE = "interest_principal_penalty_fee", "Interest, principal, penalties, fees"
    PRINCIPAL_INTEREST_PENALTY_FEE = "principal_interest_penalty_fee", "Principal, interest, penalties, fees"


ALLOCATION_COMPONENTS = {
    AllocationOrder.PENALTY_FEE_INTEREST_PRINCIPAL: ("penalty", "fee", "interest", "principal"),
    AllocationOrder.INTEREST_PRINCIPAL_PENALTY_FEE: ("interest", "principal", "penalty", "fee"),
    AllocationOrder.PRINCIPAL_INTEREST_PENALTY_FEE: ("principal", "interest", "penalty", "fee"),
}
