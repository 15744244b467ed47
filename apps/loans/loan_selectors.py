"""Reads of booked loans for the admin and the API: who may see which loans, and a loan's balances by component
(sums of its live instalments: nothing is stored twice)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from apps.ledger.sums import AmountSum
from apps.loans.errors import LoanNotFound
from apps.loans.models import COMPONENTS, Loan
from apps.loans.models.loans import LIVE
from apps.organization.branch_scope import is_bank_wide
from apps.organization.models import User


def loans_visible_to(user: User) -> QuerySet[Loan]:
    """A customer's own loans; staff their branch's (head-office roles every branch); nobody else anything."""
    loans = Loan.objects.select_related("product", "deposit_account")
    if not user.is_authenticated or not user.is_active:
        return loans.none()
    if not user.is_staff:
        return loans.filter(customer__user=user)
    if not user.has_perm("loans.view_loan"):
        return loans.none()
    return loans if is_bank_wide(user) else loans.filter(branch_id=user.home_branch_id)


def get_visible_loan(user: User, pk: object) -> Loan:
    text = str(pk)
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise LoanNotFound(f"No loan {text[:20]}.")
    loan = loans_visible_to(user).filter(pk=int(text)).first()
    if loan is None:
        raise LoanNotFound(f"No loan {text}.")
    return loan


@dataclass(frozen=True)
class LoanBalances:
    """What the loan owes by component (due and not yet due alike), and the interest accrued not yet paid."""

    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    penalties: Decimal
    interest_accrued_unpaid: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees + self.penalties


def loan_balances(loan: Loan) -> LoanBalances:
    sums = {}
    for component in COMPONENTS:
        sums[f"{component}_due"] = AmountSum(f"{component}_due")
        sums[f"{component}_paid"] = AmountSum(f"{component}_paid")
    sums["accrued"] = AmountSum("interest_accrued")
    row = loan.instalments.filter(LIVE).aggregate(**sums)
    zero = Decimal(0)

    def owed(component: str) -> Decimal:
        return (row[f"{component}_due"] or zero) - (row[f"{component}_paid"] or zero)

    return LoanBalances(currency=loan.currency, principal=owed("principal"), interest=owed("interest"),
                        fees=owed("fee"), penalties=owed("penalty"),
                        interest_accrued_unpaid=max((row["accrued"] or zero) - (row["interest_paid"] or zero), zero))


