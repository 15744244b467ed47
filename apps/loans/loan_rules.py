"""Who may act on a booked loan, and how its rows are locked: the one place both rules are written.

Lock order (the brief of issue 13): the loan row first, then the deposit accounts by id (apps.accounts.locks),
then the ledger accounts (post_journal_entry locks them by id). Every money-moving loan service follows it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.locks import lock_account
from apps.accounts.models import Account
from apps.domain_errors import PermissionRefused
from apps.loans.errors import LoanNotFound
from apps.loans.models import Loan, LoanInstalment
from apps.loans.models.loans import LIVE
from apps.organization.branch_scope import is_bank_wide
from apps.organization.models import User

DISBURSE = "loans.disburse_loan"
REPAY_AT_COUNTER = "loans.repay_loan_at_counter"
CHARGE = "loans.charge_loan"


def is_own_loan(user: User, loan: Loan) -> bool:
    return not user.is_staff and loan.customer.user_id == user.pk


def ensure_staff_may(user: User, permission: str, *, branch_id: int) -> None:
    """Staff act on loans their role allows, in their own branch (head-office roles bank-wide)."""
    if not user.is_active or not user.is_staff or not user.has_perm(permission):
        raise PermissionRefused("Your role may not do this on loans.")
    if not is_bank_wide(user) and user.home_branch_id != branch_id:
        raise PermissionRefused("The loan belongs to another branch.")


def ensure_may_repay(user: User | None, loan: Loan) -> None:
    """A customer repays only their own loan; staff at the counter need the role and the branch. ``None`` is the
    bank itself (the end-of-day automatic debit)."""
    if user is None:
        return
    if user.is_staff:
        ensure_staff_may(user, REPAY_AT_COUNTER, branch_id=loan.branch_id)
    elif not is_own_loan(user, loan):
        # Someone else's loan is no loan at all to this customer.
        raise LoanNotFound(f"No loan {loan.pk}.")


def lock_loan(loan: Loan | int) -> Loan:
    """Lock the loan's row and read it again (with its product and customer, read, not locked)."""
    pk = loan if isinstance(loan, int) else loan.pk
    found = list(Loan.objects.filter(pk=pk).select_related("product", "customer")
                 .select_for_update(of=("self",)))
    if not found:
        raise LoanNotFound(f"No loan {pk}.")
    return found[0]


def lock_account_and_loan(loan: Loan | int) -> tuple[Account, Loan]:
    """Lock the loan's deposit account, then the loan: the house order across domains (customer → account →
    payment → loan → ledger, STYLE.md), whichever service moves the loan's money. The account a loan settles with
    is fixed when it is disbursed, so reading it before the locks is safe."""
    pk = loan if isinstance(loan, int) else loan.pk
    deposit_account_id = Loan.objects.filter(pk=pk).values_list("deposit_account_id", flat=True).first()
    if deposit_account_id is None:
        raise LoanNotFound(f"No loan {pk}.")
    account = lock_account(deposit_account_id)
    return account, lock_loan(pk)


def live_instalments(loan: Loan) -> QuerySet[LoanInstalment]:
    """The instalments still part of the loan (not superseded by a re-amortisation), by due date."""
    return loan.instalments.filter(LIVE).order_by("due_date", "number")
