"""Disbursement: one balanced entry into the borrower's account, the schedule fixed, the application disbursed."""

from decimal import Decimal

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.loans.models import ApplicationStatus, Loan, LoanInstalment, LoanTransaction
from apps.loans.services.disbursement import disburse_loan
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import approved_application, assert_ledger_clean, booked_loan, loan_staff

pytestmark = pytest.mark.django_db


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_disbursement_pays_the_net_amount_into_the_deposit_account_and_fixes_the_schedule(
        product, borrower, deposit, officer):
    loan = booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")

    assert _balance(deposit) == Decimal("1700.00")
    assert loan.application.status == ApplicationStatus.DISBURSED
    instalments = list(loan.instalments.order_by("number"))
    assert len(instalments) == 12
    assert sum(i.principal_due for i in instalments) == Decimal("1200.00")
    assert all(i.status == "pending" and i.interest_accrued == 0 for i in instalments)
    entry = loan.transactions.get(kind="disbursement").journal_entry
    assert {(p.account.code, p.side, p.amount) for p in entry.postings.select_related("account")} == {
        ("1200", "D", Decimal("1200.0000")), (deposit.ledger_account.code, "C", Decimal("1200.0000"))}
    assert_ledger_clean()


@pytest.mark.parametrize(("treatment", "principal", "paid_out"), [("deducted", "1200.00", "1182.00"),
                                                                  ("capitalised", "1218.00", "1200.00")])
def test_origination_fee_is_deducted_or_capitalised(chart, borrower, deposit, officer, treatment, principal,
                                                    paid_out):
    product = loan_product(fee_kind="percentage", fee_value=Decimal("1.5"), fee_treatment=treatment)

    loan = booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")

    assert loan.principal == Decimal(principal) and loan.net_disbursed == Decimal(paid_out)
    assert _balance(deposit) == Decimal("500.00") + Decimal(paid_out)
    codes = {p.account.code: p.amount for p in loan.transactions.get().journal_entry.postings.all()}
    assert codes["4010"] == Decimal("18.00") and codes["1200"] == Decimal(principal)
    assert_ledger_clean()


def test_disbursing_again_returns_the_loan_already_booked(product, borrower, deposit, officer):
    loan = booked_loan(customer=borrower, product=product, account=deposit, staff=officer)

    again = disburse_loan(application=loan.application, deposit_account=deposit, actor=officer,
                          idempotency_key="another-key")

    assert again.pk == loan.pk and again.replayed
    assert Loan.objects.count() == 1 and JournalEntry.objects.filter(source="loans").count() == 1
    assert _balance(deposit) == Decimal("1700.00")


def _nothing_written(deposit, entries_before):
    assert Loan.objects.count() == 0 and LoanInstalment.objects.count() == 0
    assert LoanTransaction.objects.count() == 0 and JournalEntry.objects.count() == entries_before
    assert _balance(deposit) == Decimal("500.00")


@pytest.mark.parametrize(("change", "code"), [
    ({"status": ApplicationStatus.UNDER_REVIEW, "decided_at": None}, "application_not_approved"),
    ({"status": ApplicationStatus.DISBURSED}, "already_disbursed"),
])
def test_disbursement_refuses_an_application_that_is_not_approved(product, borrower, deposit, officer, change,
                                                                   code):
    application = approved_application(customer=borrower, product=product, staff=officer, **change)
    before = JournalEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        disburse_loan(application=application, deposit_account=deposit, actor=officer, idempotency_key="k")

    assert refused.value.code == code and refused.value.status == 422
    _nothing_written(deposit, before)


def test_disbursement_refuses_another_customers_account_or_currency(product, borrower, deposit, officer, branch_a,
                                                                   teller_a):
    someone = verified_customer(branch=branch_a)
    theirs = open_funded_account(someone, savings_product(rate="0", code="SAV2"), None, teller=teller_a)
    usd = open_funded_account(borrower, savings_product(rate="0", code="USD", currency="USD"), None, teller=teller_a)
    application = approved_application(customer=borrower, product=product, staff=officer)
    before = JournalEntry.objects.count()

    for account, code in ((theirs, "account_not_borrowers"), (usd, "currency_mismatch")):
        with pytest.raises(DomainError) as refused:
            disburse_loan(application=application, deposit_account=account, actor=officer, idempotency_key="k")
        assert refused.value.code == code
    _nothing_written(deposit, before)


def test_disbursement_needs_the_role_and_the_branch(product, borrower, deposit, officer, branch_b, teller_a):
    application = approved_application(customer=borrower, product=product, staff=officer)
    before = JournalEntry.objects.count()

    for actor in (teller_a, loan_staff(branch_b)):
        with pytest.raises(DomainError) as refused:
            disburse_loan(application=application, deposit_account=deposit, actor=actor, idempotency_key="k")
        assert refused.value.status == 403
    _nothing_written(deposit, before)
