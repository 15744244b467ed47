"""*Disburse* on an approved application's page: the borrower's open accounts in the loan's currency to pick from
(in a fixed number of queries), the payout and the fee shown, one loan for a double submit, and a refusal on the
form with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Account
from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.loans.models import ApplicationStatus, Loan, LoanApplication, LoanTransaction
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import approved_application, assert_ledger_clean, loan_staff
from apps.organization.tests.admin_approvals import admin_client

pytestmark = pytest.mark.django_db


def _url(application, name="disburse"):
    return reverse(f"admin:loans_loanapplication_{name}", args=[application.pk])


@pytest.fixture
def fee_product(chart):
    return loan_product(fee_kind="percentage", fee_value=Decimal("1.5"), fee_treatment="deducted")


@pytest.fixture
def application(fee_product, borrower, loan_officer):
    return approved_application(customer=borrower, product=fee_product, staff=loan_officer, amount="1200.00")


def test_the_approved_application_offers_disburse_to_the_loan_officer_only(application, loan_officer, teller_a):
    page = admin_client(loan_officer).get(_url(application, "change")).content.decode()
    assert _url(application) in page
    assert _url(application) not in admin_client(teller_a).get(_url(application, "change")).content.decode()


def test_the_form_offers_only_the_borrowers_open_accounts_in_the_currency_and_shows_payout_and_fee(
        application, borrower, deposit, loan_officer, teller_a, django_assert_num_queries):
    client = admin_client(loan_officer)
    client.get(_url(application))  # session and permissions cached
    few = _queries(client, _url(application))
    # more accounts, in and out of the list: the same number of queries
    second = open_funded_account(borrower, savings_product(rate="0", code="SAV2"), "10.00", teller=teller_a)
    usd = open_funded_account(borrower, savings_product(rate="0", code="USD", currency="USD"), None,
                              teller=teller_a)
    frozen = open_funded_account(borrower, savings_product(rate="0", code="SAV3"), None, teller=teller_a)
    Account.objects.filter(pk=frozen.pk).update(status=Account.Status.FROZEN)
    with django_assert_num_queries(few):
        page = client.get(_url(application)).content.decode()
    assert deposit.number in page and second.number in page
    assert usd.number not in page and frozen.number not in page
    assert "1,182.00 EUR" in page and "18.00 EUR" in page  # paid out, the fee deducted
    assert 'type="hidden" name="idempotency_key"' in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_disbursing_books_the_loan_once_and_goes_to_its_page(application, deposit, loan_officer):
    client = admin_client(loan_officer)
    form = {"deposit_account": deposit.pk, "idempotency_key": "form-1"}

    first = client.post(_url(application), form)
    again = client.post(_url(application), form)  # the form sent twice

    loan = Loan.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("admin:loans_loan_change", args=[loan.pk])
    assert loan.deposit_account == deposit and loan.disbursed_by == loan_officer
    assert LoanApplication.objects.get(pk=application.pk).status == ApplicationStatus.DISBURSED
    page = client.get(_url(application, "change")).content.decode()
    assert first["Location"] in page and _url(application) not in page  # the loan, no more Disburse
    assert LoanTransaction.objects.get().idempotency_key == f"admin:{loan_officer.pk}:form-1"
    assert LedgerAccount.objects.get(pk=deposit.ledger_account_id).balance == Decimal("1682.00")
    assert_ledger_clean()


def _nothing_written(application, deposit, entries):
    assert not Loan.objects.exists() and JournalEntry.objects.count() == entries
    assert LoanApplication.objects.get(pk=application.pk).status == application.status
    assert LedgerAccount.objects.get(pk=deposit.ledger_account_id).balance == Decimal("500.00")


def test_a_refusal_is_shown_on_the_form_and_writes_nothing(application, deposit, loan_officer, teller_a,
                                                          loan_officer_2):
    entries = JournalEntry.objects.count()
    form = {"deposit_account": deposit.pk, "idempotency_key": "form-1"}
    # a teller may see the application but not disburse: the service says so, on the form
    refused = admin_client(teller_a).post(_url(application), form)
    assert refused.status_code == 200 and "Your role may not do this on loans." in refused.content.decode()
    _nothing_written(application, deposit, entries)
    # an application no longer approved
    LoanApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.UNDER_REVIEW)
    application.refresh_from_db()
    refused = admin_client(loan_officer_2).post(_url(application), form)
    assert "only an approved application is disbursed" in refused.content.decode()
    _nothing_written(application, deposit, entries)
    # an account not offered (another currency) is refused by the form
    usd = open_funded_account(application.customer, savings_product(rate="0", code="USD", currency="USD"), None,
                              teller=teller_a)
    LoanApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.APPROVED)
    refused = admin_client(loan_officer).post(_url(application), {**form, "deposit_account": usd.pk})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Loan.objects.exists() and JournalEntry.objects.count() == entries


def test_another_branch_cannot_reach_the_disbursement(application, deposit, branch_b):
    response = admin_client(loan_staff(branch_b, permissions=("view_loanapplication", "disburse_loan"))).post(
        _url(application), {"deposit_account": deposit.pk, "idempotency_key": "form-1"})
    assert response.status_code == 302 and not Loan.objects.exists()


PAYOUT = {"paid_to": "other_bank", "creditor_name": "Ana Costa", "creditor_account": "PT50 0002 0123 1234 5678 9015 4",
          "creditor_bic": "", "creditor_country": "pt", "rail": "same_day"}


def test_paying_the_loan_out_to_another_bank_books_it_paying_out_and_records_the_payment(
        application, deposit, loan_officer):
    client = admin_client(loan_officer)
    page = client.get(_url(application)).content.decode()
    assert 'name="paid_to"' in page and 'name="creditor_account"' in page

    response = client.post(_url(application), {"deposit_account": deposit.pk, "idempotency_key": "form-1",
                                                **PAYOUT})

    loan = Loan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:loans_loan_change",
                                                                           args=[loan.pk])
    payment = loan.disbursement_payment
    assert (loan.status, payment.creditor_account, payment.creditor_country, payment.rail, payment.amount) == (
        "paying_out", "PT50000201231234567890154", "PT", "same_day", Decimal("1182.00"))
    assert LedgerAccount.objects.get(pk=deposit.ledger_account_id).balance == Decimal("500.00")
    assert_ledger_clean()


def test_a_payout_without_the_creditor_or_with_a_bad_iban_is_refused_on_the_form(application, deposit,
                                                                                 loan_officer):
    entries = JournalEntry.objects.count()
    client = admin_client(loan_officer)
    form = {"deposit_account": deposit.pk, "idempotency_key": "form-1", **PAYOUT}

    missing = client.post(_url(application), {**form, "creditor_name": "", "creditor_account": ""})
    bad_iban = client.post(_url(application), {**form, "creditor_account": "PT50000201231234567890155"})

    assert missing.status_code == 200 and "Needed to pay the loan out to another bank." in missing.content.decode()
    assert bad_iban.status_code == 200 and "is not a valid IBAN" in bad_iban.content.decode()
    _nothing_written(application, deposit, entries)
