"""A teller's day at the counter, in the browser: open an account for a customer, take a cash deposit, download
the account's statement."""

from decimal import Decimal

import pytest

from apps.accounts.models import Account, DepositProduct, TellerTransaction
from apps.accounts.tests.factories import savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import LedgerAccount
from apps.organization import roles
from tests.browser.admin_steps import follow, messages, rows


@pytest.fixture
def ana(lisbon):
    return verified_customer(branch=lisbon, legal_name="Ana Sousa")


def test_a_teller_opens_an_account_takes_a_cash_deposit_and_downloads_the_statement(
        page, log_in, shot, staff, ana):
    # given
    savings = savings_product()
    DepositProduct.objects.filter(pk=savings.pk).update(name="Everyday Savings")
    teller = staff(roles.TELLER)
    log_in(page, teller)
    shot(page, "01-home")

    # when: the teller opens an account for Ana from the accounts list
    follow(page, page.get_by_role("link", name="Accounts", exact=True))
    follow(page, "text=Open an account")
    page.click("#id_customer + .select2 .select2-selection")
    page.fill(".select2-search__field", "Sousa")
    page.click(".select2-results__option >> text=Ana Sousa")
    page.select_option("#id_product", str(savings.pk))
    shot(page, "02-open-account-form")
    follow(page, "input[value='Open the account']")

    # then: the account page says it is open
    account = Account.objects.get(customer=ana)
    assert messages(page) == [f"Account {account.number} opened (Active)."]
    assert account.product == savings and account.opened_by == teller and account.status == Account.Status.ACTIVE
    shot(page, "03-account-opened")

    # when: Ana pays 250.00 EUR in cash at the counter
    follow(page, "text=Deposit or withdraw cash")
    assert "Available balance:\n0.00 EUR" in page.locator("#content-main fieldset").first.inner_text()
    page.fill("#id_amount", "250.00")
    shot(page, "04-cash-deposit-form")
    follow(page, "input[value=Submit]")

    # then: the receipt is shown and the money is on the account
    receipt = TellerTransaction.objects.get(account=account)
    assert receipt.kind == TellerTransaction.Kind.DEPOSIT and receipt.amount == Decimal("250.00")
    assert receipt.teller == teller
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("250.00")
    assert receipt.receipt_number in page.locator("#content").inner_text()
    assert "Amount 250.00 EUR" in page.locator("#content").inner_text()
    shot(page, "05-receipt")

    # when: the teller finds the account by its number and downloads this month's statement from its page's form
    follow(page, "#nav-sidebar >> a:text-is('Accounts')")
    page.fill("#searchbar", account.number)
    follow(page, "#changelist-search input[type=submit]")
    assert len(rows(page)) == 1 and "250.00" in rows(page)[0]
    shot(page, "06-account-found")
    follow(page, f"#result_list >> text={account.number}")
    shot(page, "07-account-page")
    follow(page, "#content >> a:text-is('Statement for a period')")  # this month, PDF, as the form proposes
    shot(page, "08-statement-form")
    with page.expect_download() as download:
        page.click("#content >> text=Download the statement")
    # then: a PDF of this account (kept beside the screenshots, to be looked at)
    saved = shot.folder / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith(f"statement-{account.number}-") and saved.read_bytes().startswith(b"%PDF")
