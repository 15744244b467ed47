"""Each role's home in the browser: the panels that fit its work, and the charts drawn by Chart.js (served from
static/vendor/) on their canvases, with no error in the page's console. Screenshots at 1440 px."""

import datetime

import pytest

from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import deposit, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.eod.services import run_eod
from apps.money import Money
from apps.organization import roles
from apps.organization.models import Bank
from apps.organization.tests.factories import TEST_PASSWORD, CustomerUserFactory
from apps.payments.services.transfers import transfer_between_accounts

CHARTS = {
    roles.TELLER: [],
    roles.BRANCH_MANAGER: ["deposits-chart", "transfers-chart"],
    roles.COMPLIANCE_OFFICER: ["transfers-chart", "kyc-mix-chart", "alerts-per-typology-chart"],
    roles.OPERATIONS_ADMIN: ["deposits-chart", "transfers-chart"],
    roles.AUDITOR: ["deposits-chart", "transfers-chart", "kyc-mix-chart", "alerts-per-typology-chart"],
}


@pytest.fixture
def two_weeks_of_business(lisbon, staff):
    """Fourteen business dates at Lisbon Baixa, each closed by end of day: cash in and out, transfers, and
    customers in every KYC state."""
    teller = staff(roles.TELLER)
    product = savings_product(rate="1.5")
    ana = open_funded_account(verified_customer(branch=lisbon, legal_name="Ana Sousa", user=CustomerUserFactory()),
                              product, "2500.00", teller=teller)
    rui = open_funded_account(verified_customer(branch=lisbon, legal_name="Rui Matos"), product, "800.00",
                              teller=teller)
    for day in range(14):
        deposit(ana, f"{150 + 35 * (day % 5)}.00", teller=teller)
        if day % 3 == 0:
            cash_withdrawal(account=rui, amount=Money("60.00", "EUR"), teller=teller, idempotency_key=f"w{day}",
                            approved_by=teller)
        for n in range(1 + day % 4):
            transfer_between_accounts(from_account_number=ana.number, to_account_number=rui.number,
                                      money=Money(f"{20 + 15 * n}.00", "EUR"), initiated_by=ana.customer.user,
                                      idempotency_key=f"t{day}-{n}")
        run_eod()
    deposit(rui, "320.00", teller=teller)  # and today, so far
    cash_withdrawal(account=ana, amount=Money("75.00", "EUR"), teller=teller, idempotency_key="today",
                    approved_by=teller)
    for status, how_many in ((Customer.KycStatus.PENDING, 2), (Customer.KycStatus.IN_PROGRESS, 1),
                             (Customer.KycStatus.REJECTED, 1), (Customer.KycStatus.EXPIRED, 1)):
        for _ in range(how_many):
            CustomerFactory(branch=lisbon, kyc_status=status)
    return Bank.objects.get().current_business_date - datetime.timedelta(days=14)


def _role_id(role: str) -> str:
    return role.replace(" ", "-").lower()


def test_each_role_home_shows_its_panels_and_draws_its_charts_and_tables_without_javascript(
        browser, live_server, page, log_in, shot, staff, two_weeks_of_business):
    """One bank (fourteen closed business dates: its building is the test's cost), every role's home in turn."""
    errors, missing = [], []
    # A resource that fails to load is told by its response (the browser's own /favicon.ico request aside, which
    # the admin has no answer for); any other console error or uncaught exception is the page's fault.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: missing.append(response.url)
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    for role, expected in CHARTS.items():
        # given
        user = staff(role)
        page.context.clear_cookies()
        errors.clear()
        missing.clear()
        # when
        log_in(page, user)
        # then: the role's charts are drawn by Chart.js, each on its canvas, their tables folded away
        drawn = sorted(page.eval_on_selector_all("figure.home-chart", "figures => figures.map(f => f.id)"))
        assert drawn == sorted(expected), role
        if expected:
            assert page.evaluate("typeof window.Chart") == "function"  # Chart.js loaded from static/vendor/
        for chart in expected:
            page.wait_for_selector(f"figure#{chart}.charted canvas")
            assert page.evaluate(f"window.Chart.getChart(document.querySelector('#{chart} canvas')) !== undefined")
            assert not page.is_visible(f"#{chart} details.chart-table table")
        # and the panels that fit its work
        content = page.inner_text("#content")
        if role in (roles.TELLER, roles.BRANCH_MANAGER, roles.OPERATIONS_ADMIN, roles.AUDITOR):
            assert "cash in the vault" in page.inner_text("#branch-figures").lower(), role
        if role in (roles.OPERATIONS_ADMIN, roles.AUDITOR):
            assert "Seal chain\tIntact" in page.inner_text("#eod-dashboard")
            assert "The bank" in page.inner_text("#branch-figures")
        if role == roles.BRANCH_MANAGER:
            assert "customer deposits" in content.lower() and "Porto" not in content
        if role == roles.COMPLIANCE_OFFICER:
            assert page.query_selector("#branch-figures") is None
        assert (role, errors, missing) == (role, [], [])
        shot(page, f"home-{_role_id(role)}")

    # given a browser with JavaScript off
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900},
                                  java_script_enabled=False)
    tab = context.new_page()
    manager = staff(roles.BRANCH_MANAGER)
    tab.goto("/admin/login/?next=/admin/")
    tab.fill("#id_username", manager.get_username())
    tab.fill("#id_password", TEST_PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_selector("#user-tools")
    # then each chart's figures are there as a table
    assert tab.is_visible("#deposits-chart details.chart-table table")
    assert "EUR" in tab.inner_text("#deposits-chart table")
    assert not tab.is_visible("#deposits-chart canvas")
    shot(tab, "home-without-javascript")
    context.close()
