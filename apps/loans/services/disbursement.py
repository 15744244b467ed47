"""Disbursement: an approved application becomes a booked loan, once, its money in the customer's deposit account
or paid out to another bank through an outgoing payment.

One balanced journal entry (``post_journal_entry``): Dr loan portfolio (the principal), Cr the customer's
deposit account — or payments clearing, for a payout — (what is paid out), Cr fee income (the origination fee,
deducted from the payout or added to the principal). The schedule is built by the schedule engine from the
application's terms, the product's rules and the bank's holidays, and fixed: one ``LoanInstalment`` row per
instalment. The application reads disbursed.

A payout (``disburse_loan_by_payment``) records an ``OutgoingPayment`` without a payer account whose initiation
entry is the disbursement entry, submitted to the gateway after commit like any other; the loan is
``paying_out`` (nothing accrues, is collected or repaid) until the payment settles (-> active). A rejected or
failed payout has its initiation entry — the disbursement — reversed by the payments domain (clearing and fee
income back to the portfolio: no deposit account is credited), and the loan is cancelled
(``payout_finished`` below, a payment outcome hook). The borrower still names their deposit account here:
the loan is repaid from it.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.house_accounts import house_account
from apps.accounts.locks import lock_account
from apps.accounts.models import Account
from apps.accounts.services.availability import ensure_status
from apps.customers.rules import ensure_customer_may_send
from apps.kyc.selectors import ensure_kyc_verified
from apps.ledger.chart import PAYMENTS_CLEARING
from apps.ledger.money_movements import MovementLeg, publish_money_movement
from apps.ledger.services import credit, debit, post_journal_entry
from apps.loans.errors import DisbursementRefused
from apps.loans.loan_rules import DISBURSE, ensure_staff_may
from apps.loans.models import (
    ApplicationStatus,
    InstalmentStatus,
    Loan,
    LoanApplication,
    LoanInstalment,
    LoanStatus,
    LoanTransaction,
    TransactionChannel,
    TransactionKind,
)
from apps.loans.schedule import Schedule, ScheduleTerms, build_schedule, latest_due_date
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date, holidays_between
from apps.payments.bank_identifiers import validate_bic, validate_iban
from apps.payments.models import OutgoingPayment, PaymentSource, Rail
from apps.payments.payment_outcome_hooks import register_payment_outcome_hook
from apps.payments.services.external import submit_after_commit

logger = logging.getLogger(__name__)

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
    return _postings(loan, loan.principal, loan.net_disbursed, loan.origination_fee, paid_to=deposit_ledger_id)


@transaction.atomic
def disburse_loan(*, application: LoanApplication, deposit_account: Account, actor: User,
                  idempotency_key: str) -> Loan:
    """Book the loan of an approved application into the borrower's deposit account (in the loan's currency),
    dated the bank's business date. Disbursing the same application again (a replay, whatever the key) returns
    the loan already booked; anything else refused (``DisbursementRefused``) writes nothing."""
    if not idempotency_key:
        raise DisbursementRefused("A disbursement needs an idempotency key.", code="idempotency_key_missing")
    account, locked, existing = _lock_and_check(application, deposit_account, actor)
    if existing is not None:
        return existing
    day = current_business_date()
    loan = _book_loan(locked, account=account, actor=actor, day=day)
    entry = post_journal_entry(
        postings=disbursement_postings(loan=loan, deposit_ledger_id=account.ledger_account_id),
        description=f"Loan {loan.pk} disbursed to {account.number}", source=SOURCE,
        idempotency_key=f"loan-disbursement:{locked.pk}", posted_by=actor, business_date=day,
        reference=f"LOAN-{loan.pk}", locked_accounts=None)
    if loan.net_disbursed > 0:  # (a fee that takes the whole principal moves nothing into the account)
        publish_money_movement(
            kind="loan_disbursement", entry=entry, currency=loan.currency, counterparty_reference=f"LOAN-{loan.pk}",
            legs=[MovementLeg(account_id=account.pk, customer_id=account.customer_id, direction="in",
                              amount=loan.net_disbursed)])
    _record_disbursement(loan, locked, entry=entry, actor=actor, day=day, idempotency_key=idempotency_key)
    return loan


@transaction.atomic
def disburse_loan_by_payment(*, application: LoanApplication, repayment_account: Account, creditor_name: str,
                             creditor_account: str, creditor_country: str, rail: str, actor: User,
                             idempotency_key: str, creditor_bic: str = "",
                             remittance_information: str = "") -> Loan:
    """Book the loan of an approved application and pay it out to another bank (the creditor's IBAN, over
    ``rail``), in one entry: Dr portfolio, Cr payments clearing, Cr fee income. The outgoing payment is submitted
    to the gateway after commit. ``repayment_account`` is the borrower's deposit account the loan is repaid
    from (the same rules as an account the loan is paid into). The borrower must be KYC verified and not blocked
    or closed, as for any payment to another bank. A replay (whatever the key) returns the loan already booked;
    a refusal writes nothing."""
    if not idempotency_key:
        raise DisbursementRefused("A disbursement needs an idempotency key.", code="idempotency_key_missing")
    creditor_account = validate_iban(creditor_account)
    creditor_bic = validate_bic(creditor_bic) if creditor_bic else ""
    if rail not in Rail.values:
        raise DisbursementRefused(f"Unknown rail {rail!r}.", code="unknown_rail")
    creditor_name, creditor_country = creditor_name.strip(), creditor_country.strip().upper()
    if not creditor_name or len(creditor_country) != 2 or not creditor_country.isalpha():
        raise DisbursementRefused("A payout needs the creditor's name and two-letter country.",
                                  code="creditor_incomplete")
    account, locked, existing = _lock_and_check(application, repayment_account, actor)
    if existing is not None:
        return existing
    clearing = house_account(PAYMENTS_CLEARING)
    if clearing.currency != locked.currency:
        raise DisbursementRefused(f"Payments to other banks are in {clearing.currency}; the loan is in "
                                  f"{locked.currency}.", code="currency_not_payable")
    ensure_customer_may_send(locked.customer)
    ensure_kyc_verified(locked.customer)
    day = current_business_date()
    schedule = application_schedule(locked, disbursement_date=day)
    reference = f"OP{uuid.uuid4().hex[:18].upper()}"
    entry = post_journal_entry(
        postings=_postings(locked, schedule.principal, schedule.net_disbursed, schedule.origination_fee,
                           paid_to=clearing.pk),
        description=f"Loan of application {locked.pk} paid out by {reference} to {creditor_name}"[:200],
        source=SOURCE, idempotency_key=f"loan-disbursement:{locked.pk}", posted_by=actor, business_date=day,
        reference=reference, locked_accounts=None)
    payment = OutgoingPayment(
        reference=reference, from_account=None, source=PaymentSource.LOAN_DISBURSEMENT,
        debtor_name=locked.customer.legal_name[:140], amount=schedule.net_disbursed, currency=locked.currency,
        rail=rail, creditor_name=creditor_name[:140], creditor_account=creditor_account, creditor_bic=creditor_bic,
        creditor_country=creditor_country,
        remittance_information=(remittance_information or f"Loan of application {locked.pk}")[:140],
        initiation_entry=entry, initiated_by=actor, idempotency_key=f"loan-disbursement:{locked.pk}",
        business_date=day)
    payment._history_user = actor
    payment.save()
    loan = _book_loan(locked, account=account, actor=actor, day=day, schedule=schedule, payment=payment)
    _record_disbursement(loan, locked, entry=entry, actor=actor, day=day, idempotency_key=idempotency_key)
    submit_after_commit(payment)
    return loan


def _lock_and_check(application: LoanApplication, account: Account,
                    actor: User) -> tuple[Account, LoanApplication, Loan | None]:
    """Lock the account, then the application (the house lock order: account → loan); the loan already booked
    from it (a replay, marked so), or else the role, the branch and the application and account checked."""
    account = lock_account(account)
    locked = LoanApplication.objects.select_for_update().select_related("product", "customer").get(
        pk=application.pk)
    existing = Loan.objects.filter(application=locked).first()
    if existing is not None:
        existing.replayed = True
        return account, locked, existing
    ensure_staff_may(actor, DISBURSE, branch_id=locked.branch_id)
    _ensure_disbursable(locked, account)
    return account, locked, None


def _postings(application: LoanApplication, principal, net, fee, *, paid_to: int) -> list:
    product, currency = application.product, application.currency
    postings = [debit(product.loan_portfolio_account_id, Money(principal, currency)),
                credit(paid_to, Money(net, currency))]
    if fee > 0:
        postings.append(credit(product.fee_income_account_id, Money(fee, currency)))
    return postings


def _book_loan(locked: LoanApplication, *, account: Account, actor: User, day, schedule: Schedule | None = None,
               payment: OutgoingPayment | None = None) -> Loan:
    schedule = schedule or application_schedule(locked, disbursement_date=day)
    loan = Loan(application=locked, customer_id=locked.customer_id, branch_id=locked.branch_id,
                product=locked.product, currency=locked.currency, deposit_account=account, amount=locked.amount,
                origination_fee=schedule.origination_fee, principal=schedule.principal,
                net_disbursed=schedule.net_disbursed, annual_rate=locked.annual_rate, term=locked.term,
                repayment_frequency=locked.repayment_frequency, disbursement_date=day, disbursed_by=actor,
                disbursement_payment=payment,
                status=LoanStatus.ACTIVE if payment is None else LoanStatus.PAYING_OUT)
    loan._history_user = actor
    loan.save()
    LoanInstalment.objects.bulk_create([
        LoanInstalment(loan=loan, number=i.number, period_start=i.period_start, period_end=i.period_end,
                       due_date=i.due_date, principal_due=i.principal, interest_due=i.interest, fee_due=i.fees,
                       status=InstalmentStatus.PENDING)
        for i in schedule.instalments])
    return loan


def _record_disbursement(loan: Loan, locked: LoanApplication, *, entry, actor: User, day,
                         idempotency_key: str) -> None:
    LoanTransaction.objects.create(
        loan=loan, kind=TransactionKind.DISBURSEMENT, channel=TransactionChannel.COUNTER, value_date=day,
        booked_on=day, amount=loan.principal, principal_portion=loan.principal, idempotency_key=idempotency_key,
        journal_entry=entry, created_by=actor)
    locked.status, locked.decided_at = ApplicationStatus.DISBURSED, locked.decided_at or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "decided_at"])
    loan.replayed = False


def payout_finished(*, payment: OutgoingPayment) -> None:
    """A loan's payout settled (the loan becomes active) or was rejected or returned (the payments domain has
    reversed the disbursement entry; the loan is cancelled, never owed). Runs under the payment's row lock,
    then locks the loan (the house order: payment → loan)."""
    loan = Loan.objects.select_for_update().get(disbursement_payment_id=payment.pk)
    if loan.status != LoanStatus.PAYING_OUT:
        logger.error("Payout %s of loan %s is %s but the loan is %s: left as it is, to investigate.",
                     payment.reference, loan.pk, payment.status, loan.status)
        return
    if payment.status == OutgoingPayment.Status.SETTLED:
        loan.status = LoanStatus.ACTIVE
    else:
        loan.status, loan.closed_on = LoanStatus.CANCELLED, current_business_date()
    loan._history_user = None
    loan.save(update_fields=["status", "closed_on"])


register_payment_outcome_hook(PaymentSource.LOAN_DISBURSEMENT, payout_finished)
