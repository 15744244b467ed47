"""An auditor's day, in the browser: every page opens, and nothing can be changed: no add, save, delete or action
controls, and the POSTs those controls would send are refused with nothing written."""

from decimal import Decimal

import pytest

from apps.accounts.models import TellerTransaction
from apps.accounts.services.teller import submit_cash_operation
from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import verified_customer
from apps.eod.models import EodRun
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.models import ApprovalRequest, Bank
from tests.browser.admin_steps import follow, rows

CHANGE_CONTROLS = ("a.addlink, a.changelink, a.deletelink, input[name=_save], input[name=_continue], "
                   "input[name=_addanother], select[name=action], a[href$='/add/']")


@pytest.fixture
def books(lisbon, staff):
    """An account with money on it and a cash deposit above the teller's limit waiting for a checker."""
    teller = staff(roles.TELLER)
    account = open_funded_account(verified_customer(branch=lisbon, legal_name="Ana Sousa"), savings_product(),
                                  "500.00", teller=teller)
    approval = submit_cash_operation(kind=TellerTransaction.Kind.DEPOSIT, account=account,
                                     amount=Money("12000.00", "EUR"), teller=teller, idempotency_key="counter-1")
    return account, approval


def _state(account):
    """What any change would touch: balances, entries, receipts, the approval queue, customers, the date."""
    return (LedgerAccount.objects.get(pk=account.ledger_account_id).balance, JournalEntry.objects.count(),
            TellerTransaction.objects.count(), list(ApprovalRequest.objects.values_list("pk", "state")),
            Customer.objects.count(), Bank.objects.get().current_business_date, EodRun.objects.count())


def test_an_auditor_reads_every_page_and_can_change_nothing(page, log_in, shot, staff, books):
    # given
    account, approval = books
    auditor = staff(roles.AUDITOR)
    before = _state(account)
    log_in(page, auditor)
    shot(page, "01-home")
    assert page.locator(f"#content-main :is({CHANGE_CONTROLS}) >> visible=true").count() == 0

    # when: the auditor opens the pages a teller, a manager and operations work in
    pages = [
        ("02-accounts", "/admin/accounts/account/"),
        ("03-account", f"/admin/accounts/account/{account.pk}/change/"),
        ("04-customer", f"/admin/customers/customer/{account.customer_id}/change/"),
        ("05-approval-requests", "/admin/organization/approvalrequest/"),
        ("06-approval-request", f"/admin/organization/approvalrequest/{approval.pk}/change/"),
        ("07-journal-entries", "/admin/ledger/journalentry/"),
        ("08-ledger-account", f"/admin/ledger/ledgeraccount/{account.ledger_account_id}/change/"),
        ("09-end-of-day-screen", "/admin/eod/eodrun/close/"),
    ]
    for step, url in pages:
        response = page.goto(url)
        # then: each opens, and shows no control that would change anything
        assert response.status == 200, url
        controls = page.locator(f"#content :is({CHANGE_CONTROLS}) >> visible=true")
        assert controls.count() == 0, (url, controls.evaluate_all("found => found.map(e => e.outerHTML)"))
        assert page.locator("text=Deposit or withdraw cash").count() == 0, url
        assert page.locator("text=Open an account").count() == 0, url
        shot(page, step)
    assert "Only the operations role may run end of day" in page.inner_text("#content-main")
    assert page.locator("#eod-close-form").count() == 0
    follow(page, "#nav-sidebar >> a:text-is('Accounts')")
    assert len(rows(page)) == 1 and "500.00" in rows(page)[0]  # reading works

    # when: the auditor sends the POSTs the missing controls would have sent
    token = page.locator("#logout-form input[name=csrfmiddlewaretoken]").get_attribute("value")

    def post(url, **form):
        return page.request.post(url, form={"csrfmiddlewaretoken": token, **form})

    refused = {
        "save the account": post(f"/admin/accounts/account/{account.pk}/change/", _save="Save"),
        "cash at the counter": post(f"/admin/accounts/account/{account.pk}/cash/", kind="deposit",
                                    amount="100.00", idempotency_key="6f1d2c1e-7a0b-4a53-9b7e-3f1c2d4e5a6b"),
        "open an account": post("/admin/accounts/account/open/", customer=str(account.customer_id),
                                product=str(account.product_id), branch=str(account.branch_id)),
        "add a customer": post("/admin/customers/customer/add/", legal_name="Eve Auditor"),
        "run end of day": post("/admin/eod/eodrun/close/", business_date=before[5].isoformat(), confirm="on"),
    }
    approve = post("/admin/organization/approvalrequest/", action="approve", _selected_action=str(approval.pk),
                   index="0")

    # then: each is refused; the approval list has no action for an auditor, so it answers as to a GET; and
    # nothing changed
    assert {what: response.status for what, response in refused.items()} == {what: 403 for what in refused}
    assert approve.status == 200 and 'name="action"' not in approve.text()
    assert _state(account) == before
    assert before[0] == Decimal("500.00") and before[3] == [(approval.pk, ApprovalRequest.State.PENDING)]
