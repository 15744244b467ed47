"""Demo loan products, and the bank's holidays around the demo's business date, so the admin's product pages
and schedule previews (and ``GET /api/v1/loan-products/``) show something. Idempotent: products by code,
holidays by date."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.ledger.chart import INTEREST_RECEIVABLE, LOAN_FEE_INCOME, LOAN_INTEREST_INCOME, LOANS_RECEIVABLE
from apps.ledger.models import LedgerAccount
from apps.loans.models import LoanProduct
from apps.loans.product_terms import Amortization, DueDateRule, FeeKind, FeeTreatment, RepaymentFrequency
from apps.organization.models import Holiday
from apps.organization.selectors import current_business_date

PRODUCTS = [
    dict(code="PL", name="Personal Loan", description="Unsecured consumer loan repaid in equal monthly instalments.",
         amortization=Amortization.ANNUITY, repayment_frequency=RepaymentFrequency.MONTHLY,
         day_count="30_360_months", minimum_amount="500", maximum_amount="30000", minimum_term=6, default_term=24,
         maximum_term=84, minimum_rate="5.5", default_rate="9.4822", maximum_rate="18", fee_kind=FeeKind.PERCENTAGE,
         fee_value="1.5", fee_treatment=FeeTreatment.DEDUCTED),
    dict(code="SME", name="Small Business Loan", description="Working capital: equal principal each quarter, "
         "two quarters of grace on principal.", amortization=Amortization.EQUAL_PRINCIPAL,
         repayment_frequency=RepaymentFrequency.QUARTERLY, day_count="act_365f", minimum_amount="5000",
         maximum_amount="250000", minimum_term=4, default_term=12, maximum_term=28, minimum_rate="4",
         default_rate="6.75", maximum_rate="12", principal_grace=2, fee_kind=FeeKind.FIXED, fee_value="250",
         fee_treatment=FeeTreatment.CAPITALISED),
    dict(code="MICRO", name="Micro Loan", description="Small flat-rate loan repaid weekly in whole euros.",
         amortization=Amortization.FLAT, repayment_frequency=RepaymentFrequency.WEEKLY, day_count="act_360",
         minimum_amount="100", maximum_amount="3000", minimum_term=8, default_term=26, maximum_term=52,
         minimum_rate="10", default_rate="14", maximum_rate="24", rounding_multiple="1",
         due_date_rule=DueDateRule.NEXT_BUSINESS_DAY),
]
# (month, day, name): the demo bank's fixed holidays, this year and the next.
HOLIDAYS = [(1, 1, "New Year's Day"), (4, 25, "Freedom Day"), (5, 1, "Labour Day"), (6, 10, "Portugal Day"),
            (8, 15, "Assumption Day"), (10, 5, "Republic Day"), (11, 1, "All Saints' Day"),
            (12, 1, "Restoration of Independence"), (12, 8, "Immaculate Conception"), (12, 25, "Christmas Day")]
AMOUNTS = {"minimum_amount", "maximum_amount", "minimum_rate", "default_rate", "maximum_rate", "fee_value",
           "rounding_multiple"}


def seed_loan_products(out) -> None:
    accounts = LedgerAccount.objects.in_bulk([LOANS_RECEIVABLE, INTEREST_RECEIVABLE, LOAN_INTEREST_INCOME,
                                              LOAN_FEE_INCOME], field_name="code")
    ledger = {"loan_portfolio_account": accounts[LOANS_RECEIVABLE],
              "interest_receivable_account": accounts[INTEREST_RECEIVABLE],
              "interest_income_account": accounts[LOAN_INTEREST_INCOME],
              "fee_income_account": accounts[LOAN_FEE_INCOME]}
    made = 0
    for spec in PRODUCTS:
        fields = {k: Decimal(v) if k in AMOUNTS else v for k, v in spec.items() if k != "code"}
        made += LoanProduct.objects.get_or_create(code=spec["code"], defaults={**fields, **ledger})[1]
    year = current_business_date().year
    for holiday_year in (year, year + 1):
        for month, day, name in HOLIDAYS:
            Holiday.objects.get_or_create(date=datetime.date(holiday_year, month, day), defaults={"name": name})
    out.write(f"Demo loans: {made} loan products added ({', '.join(p['code'] for p in PRODUCTS)}), "
              f"holidays for {year} and {year + 1}\n")
