"""A loan paid out to another bank: one entry (portfolio -> payments clearing, fee income) that is the outgoing
payment's initiation, submitted after commit; settled, the loan is active; rejected or returned, the entry is
reversed (no deposit account is credited) and the loan cancelled. Refusals write nothing."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance
from apps.loans.models import ApplicationStatus, Loan, LoanAccrual, LoanInstalment, LoanTransaction
from apps.loans.services.accrual import accrue_loan_interest
from apps.loans.services.collection import collect_due_instalments, mark_instalments
from apps.loans.services.disbursement import disburse_loan_by_payment
from apps.loans.services.repayment import ensure_active
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import approved_application, assert_ledger_clean, loan_staff
from apps.payments.models import OutgoingPayment
from apps.payments.selectors import outgoing_payments_visible_to

IBAN = "PT50000201231234567890154"


def _payout(application, account, actor, **overrides):
    values = dict(application=application, repayment_account=account, creditor_name="Ana Costa",
                  creditor_account=IBAN, creditor_country="PT", rail="instant", actor=actor,
                  idempotency_key=f"payout-{application.pk}")
    values.update(overrides)
    return disburse_loan_by_payment(**values)


def _balance(code):
    return account_balance(LedgerAccount.objects.get(code=code)).amount


def _deposit_balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _wait_for(loan, status, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        loan.refresh_from_db()
        if loan.status == status:
            return loan
        time.sleep(0.05)
    raise AssertionError(f"loan {loan.pk} is {loan.status}, not {status}")


@pytest.mark.django_db
def test_a_payout_is_one_entry_to_clearing_and_an_outgoing_payment_without_a_payer_account(
        chart, borrower, deposit, officer):
    product = loan_product(fee_kind="percentage", fee_value=Decimal("1.5"), fee_treatment="deducted")
    application = approved_application(customer=borrower, product=product, staff=officer)

    loan = _payout(application, deposit, officer, creditor_bic="BCOMPTPL")

    payment = loan.disbursement_payment
    assert (loan.status, loan.net_disbursed, loan.deposit_account_id) == ("paying_out", Decimal("1182.00"),
                                                                          deposit.pk)
    assert (payment.source, payment.from_account_id, payment.amount, payment.status) == (
        "loan_disbursement", None, Decimal("1182.00"), "initiated")
    assert payment.debtor_name == borrower.legal_name and payment.creditor_bic == "BCOMPTPL"
    entry = loan.transactions.get(kind="disbursement").journal_entry
    assert entry.pk == payment.initiation_entry_id
    assert {(p.account.code, p.side, p.amount) for p in entry.postings.select_related("account")} == {
        ("1200", "D", Decimal("1200.0000")), ("1300", "C", Decimal("1182.0000")), ("4010", "C", Decimal("18.0000"))}
    assert _deposit_balance(deposit) == Decimal("500.00")  # the repayment account is not touched
    assert loan.application.status == ApplicationStatus.DISBURSED and loan.instalments.count() == 12
    with pytest.raises(DomainError) as refused:  # nothing is repaid or charged before the money has left
        ensure_active(loan)
    assert refused.value.code == "loan_paying_out"
    assert_ledger_clean()


@pytest.mark.django_db
def test_nothing_accrues_falls_due_or_is_collected_while_the_loan_is_paying_out(product, borrower, deposit,
                                                                                officer):
    application = approved_application(customer=borrower, product=product, staff=officer)
    loan = _payout(application, deposit, officer)
    later = loan.instalments.order_by("number")[0].due_date + datetime.timedelta(days=3)

    assert accrue_loan_interest(later)["accruals"] == 0 and not LoanAccrual.objects.exists()
    assert mark_instalments(later) == {"due": 0, "overdue": 0}
    assert collect_due_instalments(later) == {"collected": 0, "short": 0, "refused": 0}
    assert _deposit_balance(deposit) == Decimal("500.00")
    assert_ledger_clean()


@pytest.mark.django_db
def test_head_office_sees_the_payout_among_outgoing_payments_a_branch_teller_does_not(
        product, borrower, deposit, officer, auditor, teller_a):
    loan = _payout(approved_application(customer=borrower, product=product, staff=officer), deposit, officer)

    assert list(outgoing_payments_visible_to(auditor)) == [loan.disbursement_payment]
    assert not outgoing_payments_visible_to(teller_a).exists()


@pytest.mark.django_db
def test_a_payout_replayed_returns_the_loan_already_booked(product, borrower, deposit, officer):
    application = approved_application(customer=borrower, product=product, staff=officer)
    loan = _payout(application, deposit, officer)

    again = _payout(application, deposit, officer, idempotency_key="another-key")

    assert again.pk == loan.pk and again.replayed
    assert (Loan.objects.count(), OutgoingPayment.objects.count(),
            JournalEntry.objects.filter(source="loans").count()) == (1, 1, 1)


def _nothing_written(deposit, entries_before):
    assert Loan.objects.count() == 0 and LoanInstalment.objects.count() == 0
    assert LoanTransaction.objects.count() == 0 and OutgoingPayment.objects.count() == 0
    assert JournalEntry.objects.count() == entries_before
    assert _deposit_balance(deposit) == Decimal("500.00")


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "code"), [
    ({"creditor_account": "PT50000201231234567890155"}, "invalid_iban"),
    ({"creditor_bic": "NOT A BIC"}, "invalid_bic"),
    ({"rail": "pigeon"}, "unknown_rail"),
    ({"creditor_name": " "}, "creditor_incomplete"),
    ({"creditor_country": "Portugal"}, "creditor_incomplete"),
    ({"idempotency_key": ""}, "idempotency_key_missing"),
])
def test_a_payout_with_bad_creditor_details_is_refused_and_writes_nothing(product, borrower, deposit, officer,
                                                                         overrides, code):
    application = approved_application(customer=borrower, product=product, staff=officer)
    before = JournalEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        _payout(application, deposit, officer, **overrides)

    assert refused.value.code == code and 400 <= refused.value.status < 500
    _nothing_written(deposit, before)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(("customer_change", "code"), [
    ({"status": "blocked", "status_before_block": "active"}, "customer_blocked"),
    ({"kyc_status": "pending"}, "kyc_not_verified"),
])
def test_a_payout_to_a_blocked_or_unverified_borrower_is_refused(product, borrower, deposit, officer,
                                                                customer_change, code):
    application = approved_application(customer=borrower, product=product, staff=officer)
    type(borrower).objects.filter(pk=borrower.pk).update(**customer_change)
    before = JournalEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        _payout(application, deposit, officer)

    assert refused.value.code == code
    _nothing_written(deposit, before)


@pytest.mark.django_db
def test_a_payout_needs_the_role_the_branch_and_an_approved_application(product, borrower, deposit, officer,
                                                                       branch_b, teller_a):
    application = approved_application(customer=borrower, product=product, staff=officer)
    under_review = approved_application(customer=borrower, product=product, staff=officer,
                                        status=ApplicationStatus.UNDER_REVIEW, decided_at=None)
    before = JournalEntry.objects.count()

    for actor in (teller_a, loan_staff(branch_b)):
        with pytest.raises(DomainError) as refused:
            _payout(application, deposit, actor)
        assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        _payout(under_review, deposit, officer)
    assert refused.value.code == "application_not_approved"
    _nothing_written(deposit, before)


@pytest.mark.django_db(transaction=True)
def test_a_settled_payout_makes_the_loan_active(simulator, product, borrower, deposit, officer):
    simulator.set_behaviour("accept", settle_after=0.1)
    application = approved_application(customer=borrower, product=product, staff=officer)

    loan = _wait_for(_payout(application, deposit, officer), "active")

    payment = OutgoingPayment.objects.get(pk=loan.disbursement_payment_id)
    assert payment.status == "settled" and len(simulator.payments) == 1
    assert Decimal(str(simulator.payments[payment.reference]["amount"])) == Decimal("1200.00")
    assert (_balance("1200"), _balance("1300"), _balance("1100")) == (
        Decimal("1200.00"), Decimal("0"), Decimal("-1200.00"))
    assert _deposit_balance(deposit) == Decimal("500.00")
    call_command("ledger_check")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outcome", ["rejected", "failed"])
def test_a_rejected_or_returned_payout_reverses_the_disbursement_and_cancels_the_loan(
        simulator, chart, borrower, deposit, officer, outcome):
    simulator.set_behaviour("reject" if outcome == "rejected" else "accept")
    product = loan_product(fee_kind="percentage", fee_value=Decimal("1.5"), fee_treatment="capitalised")
    application = approved_application(customer=borrower, product=product, staff=officer)
    loan = _payout(application, deposit, officer)
    if outcome == "failed":  # accepted, then returned by the beneficiary bank: the webhook says so
        assert simulator.fail(loan.disbursement_payment.reference) == 200

    loan = _wait_for(loan, "cancelled")

    payment = OutgoingPayment.objects.get(pk=loan.disbursement_payment_id)
    assert payment.status == outcome and payment.return_entry.reverses_id == payment.initiation_entry_id
    assert loan.closed_on == loan.disbursement_date
    # the portfolio, clearing and fee income are back to nothing; no deposit account was credited
    assert (_balance("1200"), _balance("1300"), _balance("4010"), _balance("1100")) == (0, 0, 0, 0)
    assert _deposit_balance(deposit) == Decimal("500.00")
    call_command("ledger_check")
