"""Loan products for tests, written straight to the table (arranging a case, not proposing a change)."""

from __future__ import annotations

from decimal import Decimal

from apps.ledger.chart import INTEREST_RECEIVABLE, LOAN_FEE_INCOME, LOAN_INTEREST_INCOME, LOANS_RECEIVABLE
from apps.ledger.models import LedgerAccount
from apps.loans.models import LoanProduct


def ledger_accounts() -> dict[str, LedgerAccount]:
    """The standard chart's loan accounts (install the chart first)."""
    by_code = LedgerAccount.objects.in_bulk([LOANS_RECEIVABLE, INTEREST_RECEIVABLE, LOAN_INTEREST_INCOME,
                                             LOAN_FEE_INCOME], field_name="code")
    return {"loan_portfolio_account": by_code[LOANS_RECEIVABLE],
            "interest_receivable_account": by_code[INTEREST_RECEIVABLE],
            "interest_income_account": by_code[LOAN_INTEREST_INCOME],
            "fee_income_account": by_code[LOAN_FEE_INCOME]}


def loan_product(**overrides) -> LoanProduct:
    values = dict(code="PL", name="Personal loan", currency="EUR", amortization="annuity",
                  repayment_frequency="monthly", day_count="30_360_months", minimum_amount=Decimal("100"),
                  maximum_amount=Decimal("50000"), minimum_term=3, default_term=12, maximum_term=84,
                  minimum_rate=Decimal("0"), default_rate=Decimal("9.4822"), maximum_rate=Decimal("25"),
                  **ledger_accounts())
    values.update(overrides)
    return LoanProduct.objects.create(**values)
