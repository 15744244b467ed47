"""The branch's operations that were once only the API's, in the browser: a teller places and releases a hold,
breaks a term deposit, transfers between accounts and saves a beneficiary; a branch manager upgrades a customer to
premium, cancels a standing order, and asks to close an account with a payout that a second manager approves
from the request's page."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import Account, Hold, MaturityInstruction
from apps.accounts.services.opening import open_account
from apps.accounts.tests.factories import current_product, deposit, open_funded_account, savings_product, term_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from apps.organization.selectors import current_business_date
from apps.organization.services import create_staff_user
from apps.organization.tests.factories import TEST_PASSWORD
from apps.payments.models import Beneficiary, StandingOrder, Transfer
from apps.payments.services.standing_orders import create_standing_order
from tests.browser.admin_steps import follow, messages

EXTERNAL_IBAN = "PT50000201231234567890154"


@pytest.fixture
def ana(lisbon):
    return verified_customer(branch=lisbon, legal_name="Ana Sousa")


@pytest.fixture
def anas_accounts(ana, staff):
    """Ana's savings (500.00 EUR), her current account (empty) and a running term deposit of 1,000.00 EUR paid
    out to her savings."""
    teller = staff(roles.TELLER)
    savings = open_funded_account(ana, savings_product(rate="0"), "500.00", teller=teller)
    current = open_funded_account(ana, current_product(), None, teller=teller)
    term = open_account(customer=ana, product=term_product(), actor=teller,
                        maturity_instruction=MaturityInstruction.PAY_OUT, linked_account=savings)
    deposit(term, "1000.00", teller=teller)
    term.refresh_from_db()
    assert term.status == Account.Status.ACTIVE
    return savings, current, term


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _open_account_page(page, account):
    page.goto(f"/admin/accounts/account/{account.pk}/change/")


def test_a_teller_holds_breaks_a_term_deposit_transfers_and_saves_a_beneficiary(
        page, log_in, shot, staff, ana, anas_accounts):
    savings, current, term = anas_accounts
    teller = staff(roles.TELLER)
    log_in(page, teller)

    # when: the teller sets 50.00 EUR aside on the savings account (a garnishment order)
    _open_account_page(page, savings)
    follow(page, "#content >> a:text-is('Place a hold')")
    page.fill("#id_amount", "50.00")
    page.fill("#id_reason", "Garnishment order 2026/118")
    shot(page, "01-hold-form")
    follow(page, "input[value='Place the hold']")
    # then
    hold = Hold.objects.get(account=savings)
    assert (hold.amount, hold.status, hold.placed_by) == (Decimal("50.00"), Hold.Status.ACTIVE, teller)
    assert messages(page) == [f"Hold of 50.00 EUR placed on {savings.number}: Garnishment order 2026/118."]
    assert "450.00 EUR" in page.locator("#content").inner_text()  # the available balance
    shot(page, "02-hold-placed")

    # when: the order is lifted, and the teller releases the hold from the account page
    follow(page, "#content input[value=Release]")
    hold.refresh_from_db()
    assert hold.status == Hold.Status.RELEASED and hold.released_by == teller
    assert "released: the money is available again" in messages(page)[0]

    # when: Ana breaks her term deposit early
    _open_account_page(page, term)
    follow(page, "#content >> a:text-is('Break the term deposit')")
    shot(page, "03-break-term-deposit")
    follow(page, "input[value='Break the term deposit']")
    term.refresh_from_db()
    assert term.status == Account.Status.CLOSED and _balance(term) == Decimal("0")
    assert _balance(savings) >= Decimal("1500.00")  # the deposit (and any interest left after the penalty)
    shot(page, "04-term-deposit-broken")

    # when: the teller moves 120.00 EUR from her savings to her current account
    page.goto("/admin/payments/transfer/new/")
    page.fill("#id_from_account", savings.number)
    page.fill("#id_to_account", current.number)
    page.fill("#id_amount", "120.00")
    page.fill("#id_reference", "Rent share")
    shot(page, "05-staff-transfer-form")
    before = _balance(savings)
    follow(page, "input[name=_operation]")
    # then
    transfer = Transfer.objects.get(from_account=savings, to_account=current)
    assert transfer.status == Transfer.Status.COMPLETED and transfer.initiated_by == teller
    assert (_balance(savings), _balance(current)) == (before - Decimal("120.00"), Decimal("120.00"))
    shot(page, "06-staff-transfer-done")

    # when: Ana asks the teller to save her landlord as a beneficiary
    page.goto("/admin/payments/beneficiary/add/")
    page.click("#id_owner + .select2 .select2-selection")
    page.fill(".select2-search__field", "Sousa")
    page.click(".select2-results__option >> text=Ana Sousa")
    page.fill("#id_name", "Senhorio Lda")
    page.fill("#id_account_identifier", EXTERNAL_IBAN)
    shot(page, "07-beneficiary-form")
    follow(page, "input[value='Save the beneficiary']")
    # then
    beneficiary = Beneficiary.objects.get(owner=ana)
    assert (beneficiary.account_identifier, beneficiary.created_by) == (EXTERNAL_IBAN, teller)
    assert messages(page) == [f"Senhorio Lda ({EXTERNAL_IBAN}) is saved as a beneficiary of Ana Sousa."]
    shot(page, "08-beneficiary-saved")


def test_a_branch_manager_upgrades_cancels_a_standing_order_and_closes_an_account_through_a_checker(
        page, log_in, shot, staff, lisbon, ana, anas_accounts):
    savings, current, _ = anas_accounts
    manager = staff(roles.BRANCH_MANAGER)
    deposit(current, "80.00", teller=staff(roles.TELLER))
    order = create_standing_order(from_account=savings, to_account_number=current.number,
                                  money=Money("25.00", "EUR"), frequency=StandingOrder.Frequency.MONTHLY,
                                  start_date=current_business_date() + datetime.timedelta(days=3), day_of_month=15,
                                  created_by=manager)
    log_in(page, manager)

    # when: the manager upgrades Ana to premium, with themself as relationship manager
    page.goto(f"/admin/customers/customer/{ana.pk}/change/")
    follow(page, "#content >> a:text-is('Upgrade to premium')")
    page.select_option("#id_relationship_manager", str(manager.pk))
    shot(page, "01-premium-form")
    follow(page, "input[value='Upgrade to premium']")
    ana.refresh_from_db()
    assert ana.is_premium and ana.relationship_manager == manager
    shot(page, "02-premium-done")

    # when: Ana stops her monthly standing order
    page.goto(f"/admin/payments/standingorder/{order.pk}/change/")
    follow(page, "#content >> a:text-is('Cancel standing order')")
    page.fill("#id_reason", "Customer moved out")
    shot(page, "03-cancel-standing-order")
    follow(page, "input[value='Cancel standing order']")
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.CANCELLED
    assert messages(page) == [f"Standing order {order.pk} is cancelled: no further payment is made."]

    # when: the manager asks to close the current account, paying its balance to her savings
    _open_account_page(page, current)
    follow(page, "#content >> a:text-is('Request closure')")
    page.check(f"input[name=payout_to][value='{savings.number}']")
    page.fill("#id_reason", "Customer request at the counter")
    shot(page, "04-closure-form")
    follow(page, "input[value='Request closure']")
    approval = ApprovalRequest.objects.get(operation="accounts.close_account")
    assert approval.state == ApprovalRequest.State.PENDING and approval.maker == manager
    current.refresh_from_db()
    assert current.status == Account.Status.ACTIVE  # nothing happens before the checker approves

    # then: a second manager approves it on the request's own page, and the money moves
    checker = create_staff_user(username="manager2.lis01", password=TEST_PASSWORD, role=roles.BRANCH_MANAGER,
                                home_branch=lisbon, first_name="Second", last_name="Manager")
    page.context.clear_cookies()
    log_in(page, checker)
    page.goto(f"/admin/organization/approvalrequest/{approval.pk}/change/")
    shot(page, "05-closure-request")
    follow(page, "button[value=approve]")
    approval.refresh_from_db()
    current.refresh_from_db()
    assert approval.state == ApprovalRequest.State.APPROVED and approval.checker == checker
    assert current.status == Account.Status.CLOSED and _balance(current) == Decimal("0")
    assert _balance(savings) == Decimal("580.00")
    shot(page, "06-closure-approved")
