"""Operations' day, in the browser: close the business date on the end-of-day screen, then read the ledger."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.eod.models import EodRun, LedgerSeal
from apps.ledger.chart import vault_code
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization import roles
from apps.organization.models import Bank
from tests.browser.admin_steps import follow, messages, rows


@pytest.fixture
def day_of_business(lisbon, staff):
    """A teller took 250.00 EUR in cash on a savings account today."""
    return open_funded_account(verified_customer(branch=lisbon, legal_name="Ana Sousa"), savings_product(),
                               "250.00", teller=staff(roles.TELLER))


def test_operations_closes_the_day_on_the_end_of_day_screen_and_reads_the_ledger(
        page, log_in, shot, staff, lisbon, day_of_business):
    # given
    ops = staff(roles.OPERATIONS_ADMIN)
    today = Bank.objects.get().current_business_date
    log_in(page, ops)
    assert f"Business date\t{today.isoformat()}" in page.inner_text("#content")  # the home shows it
    shot(page, "01-home")

    # when: operations opens the end-of-day screen from the home page, checks it and closes the date
    follow(page, "text=End of day: what is open, close the date")
    assert page.inner_text("#eod-business-date") == today.isoformat()
    assert "Approval requests waiting for a checker" in page.inner_text("#eod-open-items")
    page.check("#id_confirm")
    shot(page, "02-end-of-day-screen")
    follow(page, f"input[value='Close {today.isoformat()} and run end of day']")

    # then: the run's page says it completed, and the bank is on the next business date
    tomorrow = today + datetime.timedelta(days=1)
    assert messages(page) == [f"End of day {today} completed; the business date is now {tomorrow}."]
    run = EodRun.objects.get(business_date=today)
    assert run.status == EodRun.Status.COMPLETED and run.started_by == ops
    assert Bank.objects.get().current_business_date == tomorrow
    assert LedgerSeal.objects.filter(business_date=today).exists()
    shot(page, "03-end-of-day-completed")

    # when: operations reads the ledger: the branch vault holds its opening cash and the deposit
    vault = LedgerAccount.objects.get(code=vault_code(lisbon.code))
    assert vault.balance == Decimal("100250.00")
    follow(page, "#nav-sidebar >> a:text-is('Ledger accounts')")
    page.fill("#searchbar", vault.code)
    follow(page, "#changelist-search input[type=submit]")
    assert len(rows(page)) == 1 and "100,250.00 EUR" in rows(page)[0]
    shot(page, "04-ledger-vault")

    # and the journal entry of the deposit, with its two postings
    entry = JournalEntry.objects.get(reference=day_of_business.number, source="teller")
    follow(page, "#nav-sidebar >> a:text-is('Journal entries')")
    page.fill("#searchbar", day_of_business.number)
    follow(page, "#changelist-search input[type=submit]")
    follow(page, f"#result_list a[href*='/{entry.pk}/change/']")
    credit, debit = sorted(page.locator("#postings-group tbody tr.has_original").all_inner_texts())
    assert "Vault cash Lisbon Baixa" in debit and "Debit" in debit and "250.00" in debit
    assert day_of_business.number in credit and "Credit" in credit and "250.00" in credit
    shot(page, "05-journal-entry")
