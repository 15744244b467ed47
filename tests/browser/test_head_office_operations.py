"""Operations once only the API's or a command's, in the browser: compliance freezes an account with its own
reason and asks to unfreeze it, and imports a sanctions list that screens the customers again; a teller pays
another bank; operations reads the trial balance and the ledger check."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import Account
from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.kyc.models import ScreeningHit, ScreeningListImport
from apps.ledger.models import LedgerAccount
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from apps.payments.models import OutgoingPayment
from tests.browser.admin_steps import follow, messages

EXTERNAL_IBAN = "PT50000201231234567890154"
SAMPLE_LIST = Path(settings.BASE_DIR) / "fixtures" / "screening_list_sample.csv"


@pytest.fixture
def savings_account(lisbon, staff):
    return open_funded_account(verified_customer(branch=lisbon, legal_name="Ana Sousa"), savings_product(rate="0"),
                               "900.00", teller=staff(roles.TELLER))


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_compliance_freezes_asks_to_unfreeze_and_imports_a_screening_list(
        page, log_in, shot, staff, lisbon, savings_account):
    officer = staff(roles.COMPLIANCE_OFFICER)
    listed = CustomerFactory(branch=lisbon, actor=staff(roles.TELLER), legal_name="Karim Al-Haddad", country="SY",
                             date_of_birth=datetime.date(1981, 7, 14))
    log_in(page, officer)

    # when: compliance freezes the account, saying why
    page.goto(f"/admin/accounts/account/{savings_account.pk}/change/")
    follow(page, "#content >> a:text-is('Freeze the account')")
    page.fill("#id_reason", "Police request 2026/44")
    shot(page, "01-freeze-form")
    follow(page, "input[value='Freeze the account']")
    savings_account.refresh_from_db()
    assert savings_account.status == Account.Status.FROZEN
    assert savings_account.history.first().history_change_reason == "Police request 2026/44"
    assert "Police request 2026/44" in page.locator("#content").inner_text()
    shot(page, "02-frozen")

    # when: the case is over, compliance asks to unfreeze it: a checker decides
    follow(page, "#content >> a:text-is('Request unfreezing')")
    page.fill("#id_reason", "Police closed the case")
    follow(page, "input[value='Request unfreezing']")
    approval = ApprovalRequest.objects.get(operation="accounts.unfreeze_account")
    assert approval.state == ApprovalRequest.State.PENDING and approval.maker == officer
    savings_account.refresh_from_db()
    assert savings_account.status == Account.Status.FROZEN
    shot(page, "03-unfreeze-requested")

    # when: compliance imports the new sanctions list
    page.goto("/admin/kyc/screeninglistimport/upload/")
    page.set_input_files("#id_file", str(SAMPLE_LIST))
    shot(page, "04-screening-import-form")
    follow(page, "input[value='Import list']")
    # then: the list is in, every customer was screened again, and the listed one has a hit to decide
    record = ScreeningListImport.objects.get()
    assert record.entries_created > 0 and record.customers_screened == record.customers_to_screen > 0
    assert messages(page)[0].startswith(f"Imported {SAMPLE_LIST.name}:")
    assert ScreeningHit.objects.filter(customer=listed, status=ScreeningHit.Status.OPEN).exists()
    shot(page, "05-screening-imported")


def test_a_teller_pays_another_bank_and_operations_reads_the_trial_balance(
        page, log_in, shot, staff, savings_account):
    teller = staff(roles.TELLER)
    log_in(page, teller)

    # when: the teller pays 75.00 EUR from Ana's savings to an account at another bank
    page.goto("/admin/payments/outgoingpayment/new/")
    page.fill("#id_from_account", savings_account.number)
    page.fill("#id_amount", "75.00")
    page.select_option("#id_rail", "same_day")
    page.fill("#id_creditor_name", "Senhorio Lda")
    page.fill("#id_creditor_account", EXTERNAL_IBAN)
    page.fill("#id_creditor_country", "PT")
    page.fill("#id_remittance_information", "Rent December")
    shot(page, "01-outgoing-payment-form")
    follow(page, "input[name=_operation]")
    # then: the payment is recorded once, and its amount has left the account
    payment = OutgoingPayment.objects.get()
    assert (payment.initiated_by, payment.amount, payment.creditor_account) == (teller, Decimal("75.00"),
                                                                                EXTERNAL_IBAN)
    assert _balance(savings_account) == Decimal("825.00")
    assert any(f"Payment {payment.reference}" in message for message in messages(page))
    # (no gateway answers in the tests: the payment waits, initiated, for the gateway's next retry)
    assert f"{payment.reference} 75.00 EUR (initiated)" in page.locator("#content").inner_text()
    shot(page, "02-outgoing-payment-recorded")

    # when: operations opens the trial balance and ledger check page
    page.context.clear_cookies()
    log_in(page, staff(roles.OPERATIONS_ADMIN))
    page.goto("/admin/ledger/ledgercheck/")
    # then: the check passed and the trial balance balances per currency
    assert page.inner_text("#ledger-check-result").startswith("Ledger check passed")
    trial_balance = page.inner_text("#trial-balance")
    assert "EUR" in trial_balance
    shot(page, "03-trial-balance-and-ledger-check")
