"""Each role's admin home shows what fits its work (roles.HOME_PANELS): a teller their branch's cash, a branch
manager the branch's figures and charts, compliance the KYC mix, operations and the auditor the bank's state with
the seal chain and every branch. Branch staff never see another branch's figures, and a home costs the same
number of queries however much the bank holds."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.eod.services import advance_business_date
from apps.money import Money
from apps.organization.models import Bank
from apps.organization.tests.admin_approvals import admin_client
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")
PANELS = {"bank's state": 'id="seal-chain"', "figures": 'id="branch-figures"', "deposits": 'id="deposits-chart"',
          "transfers": 'id="transfers-chart"', "kyc": 'id="kyc-mix-chart"'}


@pytest.fixture
def two_branches(branch_a, branch_b, teller_a, teller_b):
    """Lisbon holds 1,234.50 EUR, Porto 987.00 EUR, each taken in cash today, and Lisbon paid Porto 10.00."""
    install_chart()
    product = savings_product(rate="0")
    ana = open_funded_account(verified_customer(branch=branch_a, user=CustomerUserFactory()), product, "1244.50",
                              teller=teller_a)
    rui = open_funded_account(verified_customer(branch=branch_b), product, "977.00", teller=teller_b)
    transfer_between_accounts(from_account_number=ana.number, to_account_number=rui.number,
                              money=Money("10.00", "EUR"), initiated_by=ana.customer.user, idempotency_key="t")
    return ana, rui


def _home(user) -> str:
    response = admin_client(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def _panels(user) -> set[str]:
    page = _home(user)
    return {name for name, marker in PANELS.items() if marker in page}


def _figures(page) -> str:
    found = re.search(r'<div class="module" id="branch-figures">(.*?)\n</div>', page, re.S)
    return found.group(1) if found else ""


def test_each_role_sees_the_panels_that_fit_its_work(two_branches, teller_a, manager_a, compliance_officer,
                                                      ops_admin, auditor, loan_officer):
    assert _panels(teller_a) == {"figures"}
    assert _panels(manager_a) == {"figures", "deposits", "transfers"}
    assert _panels(loan_officer) == {"figures", "deposits"}
    assert _panels(compliance_officer) == {"kyc", "transfers"}
    assert _panels(ops_admin) == {"bank's state", "figures", "deposits", "transfers"}
    assert _panels(auditor) == {"bank's state", "figures", "deposits", "transfers", "kyc"}


def test_a_teller_sees_their_branchs_cash_and_not_its_deposits(two_branches, teller_a):
    figures = _figures(_home(teller_a))
    assert "Cash in the vault" in figures and "101,244.50 EUR" in figures  # opening cash + today's deposit
    assert "Customer deposits" not in figures and "Debits today" not in figures


def test_branch_staff_never_see_another_branchs_figures(two_branches, teller_a, teller_b, manager_a):
    lisbon, porto = _figures(_home(manager_a)), _figures(_home(teller_b))
    assert "LIS01" in lisbon or "Lisbon" in lisbon
    assert "Porto" not in lisbon and "POR01" not in lisbon and "987.00 EUR" not in lisbon
    assert "1,234.50 EUR" in lisbon  # 1,244.50 in, 10.00 transferred out
    assert "Lisbon" not in porto and "1,234.50" not in porto and "100,977.00 EUR" in porto
    # and the charts' figures are the branch's alone
    chart = json.loads(re.search(r'<script id="deposits-chart-data" type="application/json">(.*?)</script>',
                                 _home(manager_a), re.S).group(1))
    assert chart["series"][0]["values"][-1] == "1234.50"  # a Decimal as a string, never a float


def test_head_office_sees_the_bank_and_each_branch(two_branches, ops_admin):
    figures = _figures(_home(ops_admin))
    assert 'data-branch="bank"' in figures and 'data-branch="LIS01"' in figures and 'data-branch="POR01"' in figures
    assert "2,221.50 EUR" in figures  # the bank's deposits: 1,234.50 + 987.00


def test_compliance_sees_the_kyc_mix_of_every_customer(branch_a, branch_b, compliance_officer):
    for branch, status in ((branch_a, Customer.KycStatus.VERIFIED), (branch_b, Customer.KycStatus.VERIFIED),
                           (branch_b, Customer.KycStatus.IN_PROGRESS)):
        CustomerFactory(branch=branch, kyc_status=status)
    page = _home(compliance_officer)
    chart = json.loads(re.search(r'<script id="kyc-mix-chart-data" type="application/json">(.*?)</script>',
                                 page, re.S).group(1))
    mix = dict(zip(chart["labels"], chart["series"][0]["values"], strict=True))
    assert mix["Verified"] == 2 and mix["In progress (manual review)"] == 1 and mix["Rejected"] == 0
    assert "<td class=\"number\">2 customers</td>" in page  # the table under the chart, for a browser without JS


def _queries(user) -> int:
    client = admin_client(user)
    client.get(HOME)  # the session and permissions, once
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured)


ROLES = ["teller_a", "manager_a", "loan_officer", "compliance_officer", "ops_admin", "auditor"]


@pytest.mark.parametrize("role", ROLES)
def test_a_role_home_costs_the_same_queries_however_much_the_bank_holds(role, request, two_branches, branch_a,
                                                                         branch_b, teller_a, teller_b):
    # given
    user = request.getfixturevalue(role)
    ana, _ = two_branches
    before = _queries(user)
    # when the bank grows: more customers, accounts, cash, transfers, business dates
    product = savings_product(code="SAV2", rate="0")
    for n in range(6):
        branch, teller = (branch_a, teller_a) if n % 2 else (branch_b, teller_b)
        account = open_funded_account(verified_customer(branch=branch), product, f"{100 + n}.00", teller=teller)
        cash_withdrawal(account=account, amount=Money("1.00", "EUR"), teller=teller, idempotency_key=f"w{n}",
                        approved_by=teller)
        transfer_between_accounts(from_account_number=ana.number, to_account_number=account.number,
                                  money=Money("1.00", "EUR"), initiated_by=ana.customer.user,
                                  idempotency_key=f"more-{n}")
        bank = Bank.objects.get()
        advance_business_date(to=bank.current_business_date + datetime.timedelta(days=1))
    # then
    assert _queries(user) == before
    assert before <= 40, f"{role}'s home took {before} queries"  # today: 18 (teller) to 27 (operations)
