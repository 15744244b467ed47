"""Disbursement: an approved application becomes a booked loan, once, its money in the customer's deposit account.

One balanced journal entry (``post_journal_entry``): Dr loan portfolio (the principal), Cr the customer's
deposit account (what is paid out), Cr fee income (the origination fee, deducted from the payout or added to the
principal). The schedule is built by the schedule engine from the application's terms, the product's rules and
the bank's holidays, and fixed: one ``LoanInstalment`` row per instalment. The application reads disbursed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.locks import lock_account
from apps.accounts.models import Account
from apps.accounts.services.availability import ensure_status
from apps.ledger.services import credit, debit, post_journal_entry
from apps.loans.errors import DisbursementRefused
from apps.loans.loan_rules import DISBURSE, ensure_staff_may
from apps.loans.models import (
    ApplicationStatus,
    InstalmentStatus,
    Loan,
    LoanApplication,
    LoanInstalment,
    LoanTransaction,
    TransactionChannel,
    TransactionKind,
)
from apps.loans.schedule import Schedule, ScheduleTerms, build_schedule, latest_due_date
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date, holidays_between

SOURCE = "loans"
RECEIVING = (Account.Status.ACTIVE, Account.Status.DORMANT, Account.Status.PENDING)


def application_schedule(application: LoanApplication, *, disbursement_date) -> Schedule:
    product = application.product
    holidays = holidays_between(disbursement_date, latest_due_date(
        disbursement_date, application.repayment_frequency, application.term))
    return build_schedule(ScheduleTerms(
        currency=application.currency, amount=application.amount, annual_rate=application.annual_rate,
        term=application.term, frequency=application.repayment_frequency, amortization=product.amortization,
        day_count=product.day_count, disbursement_date=disbursement_date,
        first_repayment_date=application.first_repayment_date, principal_grace=product.principal_grace,
        interest_grace=product.interest_grace, grace_interest_accrues=product.grace_interest_accrues,
        fee_kind=product.fee_kind, fee_value=product.fee_value, fee_treatment=product.fee_treatment,
        rounding_multiple=product.rounding_multiple, due_date_rule=product.due_date_rule, holidays=holidays))


def receiving_accounts(application: LoanApplication) -> QuerySet[Account]:
    """The borrower's deposit accounts a loan may be paid into: their own, in the loan's currency, open. What the
    admin offers; ``_ensure_disbursable`` refuses any other."""
    return (Account.objects.filter(customer_id=application.customer_id, status__in=RECEIVING,
                                   ledger_account__currency=application.currency)
            .select_related("product", "ledger_account").order_by("number"))


def _ensure_disbursable(application: LoanApplication, account: Account) -> None:
    if application.status == ApplicationStatus.DISBURSED:
        raise DisbursementRefused(f"Application {application.pk} is already disbursed.", code="already_disbursed")
    if application.status != ApplicationStatus.APPROVED:
        raise DisbursementRefused(f"Application {application.pk} is {application.status}: only an approved "
                                  "application is disbursed.", code="application_not_approved")
    if account.customer_id != application.customer_id:
        raise DisbursementRefused(f"Account {account.number} is not the borrower's.", code="account_not_borrowers")
    if account.ledger_account.currency != application.currency:
        raise DisbursementRefused(f"Account {account.number} is in {account.ledger_account.currency}; the loan is "
                                  f"in {application.currency}.", code="currency_mismatch")
    ensure_status(account, RECEIVING, "receiving a loan")


def disbursement_postings(*, loan: Loan, deposit_ledger_id: int) -> list:
    product, currency = loan.product, loan.currency
    postings = [debit(product.loan_portfolio_account_id, Money(loan.principal, currency)),
                credit(deposit_ledger_id, Money(loan.net_disbursed, currency))]
    if loan.origination_fee > 0:
        postings.append(credit(product.fee_income_account_id, Money(loan.origination_fee, currency)))
    return postings


@transaction.atomic
def disburse_loan(*, application: LoanApplication, deposit_account: Account, actor: User,
                  idempotency_key: str) -> Loan:
    """Book the loan of an approved application into the borrower's deposit account (in the loan's currency),
    dated the bank's business date. Disbursing the same application again (a replay, whatever the key) returns
    the loan already booked; anything else refused (``DisbursementRefused``) writes nothing."""
    if not idempotency_key:
        raise DisbursementRefused("A disbursement needs an idempotency key.", code="idempotency_key_missing")
    # The account, then the application: the house lock order (account → loan).
    account = lock_account(deposit_account)
    locked = LoanApplication.objects.select_for_update().select_related("product").get(pk=application.pk)
    existing = Loan.objects.filter(application=locked).first()
    if existing is not None:
        existing.replayed = True
        return existing
    ensure_staff_may(actor, DISBURSE, branch_id=locked.branch_id)
    _ensure_disbursable(locked, account)
    day = current_business_date()
    schedule = application_schedule(locked, disbursement_date=day)
    loan = Loan(application=locked, customer_id=locked.customer_id, branch_id=locked.branch_id,
                product=locked.product, currency=locked.currency, deposit_account=account, amount=locked.amount,
                origination_fee=schedule.origination_fee, principal=schedule.principal,
                net_disbursed=schedule.net_disbursed, annual_rate=locked.annual_rate, term=locked.term,
                repayment_frequency=locked.repayment_frequency, disbursement_date=day, disbursed_by=actor)
    loan._history_user = actor
    loan.save()
    LoanInstalment.objects.bulk_create([
        LoanInstalment(loan=loan, number=i.number, period_start=i.period_start, period_end=i.period_end,
                       due_date=i.due_date, principal_due=i.principal, interest_due=i.interest, fee_due=i.fees,
                       status=InstalmentStatus.PENDING)
        for i in schedule.instalments])
    entry = post_journal_entry(
        postings=disbursement_postings(loan=loan, deposit_ledger_id=account.ledger_account_id),
        description=f"Loan {loan.pk} disbursed to {account.number}", source=SOURCE,
        idempotency_key=f"loan-disbursement:{locked.pk}", posted_by=actor, business_date=day,
        reference=f"LOAN-{loan.pk}", locked_accounts=None)
    LoanTransaction.objects.create(
        loan=loan, kind=TransactionKind.DISBURSEMENT, channel=TransactionChannel.COUNTER, value_date=day,
        booked_on=day, amount=loan.principal, principal_portion=loan.principal, idempotency_key=idempotency_key,
        journal_entry=entry, created_by=actor)
    locked.status, locked.decided_at = ApplicationStatus.DISBURSED, locked.decided_at or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "decided_at"])
    loan.replayed = False
    return loan
