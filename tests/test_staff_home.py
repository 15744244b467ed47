"""The admin home says what is waiting for the logged-in staff member ("Waiting for you"): only the queues their
role may act on, each with its count and a link to the filtered list; and the bank's date and last end of day."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.services.teller import submit_cash_operation
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document, verified_customer
from apps.kyc.tests.factories import ListRowFactory, import_list
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import admin_client
from apps.organization.tests.factories import CustomerUserFactory
from apps.outbox.models import OutboxEvent
from apps.outbox.services import publish_event
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule

pytestmark = pytest.mark.django_db
EUR = "EUR"
HOME = "admin:index"


@pytest.fixture
def counter(branch_a, branch_b, teller_a, settings):
    """Branch A's counter: a customer with 6,000.00 EUR; tellers may pay out 1,000.00 EUR without a manager."""
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00"}, "Branch manager": {EUR: "50000.00"}}
    install_chart()
    customer = verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Ana Costa")
    return open_funded_account(customer, savings_product(rate="0"), "6000.00", teller=teller_a)


@pytest.fixture
def two_withdrawals_to_approve(counter, teller_a):
    return [submit_cash_operation(kind="withdrawal", account=counter, amount=Money(amount, EUR), teller=teller_a,
                                  idempotency_key=f"counter-{amount}") for amount in ("2000.00", "3000.00")]


def _panel(user) -> str:
    page = admin_client(user).get(reverse(HOME)).content.decode()
    found = re.search(r'<div class="module staff-home" id="waiting-for-you">(.*?)\n</div>', page, re.S)
    return found.group(1) if found else ""


def _queues(user) -> dict[str, str]:
    """Label -> count, as the panel shows them."""
    return dict(re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a></th>\s*<td class="work-count">(\d+)</td>',
                           _panel(user)))


def test_a_manager_sees_the_two_approvals_waiting_for_them_with_a_link_to_them(two_withdrawals_to_approve,
                                                                               manager_a):
    panel = _panel(manager_a)
    assert _queues(manager_a) == {"Approval requests you may decide": "2", "Loan applications under review": "0"}
    link = reverse("admin:organization_approvalrequest_changelist") + "?waiting=you"
    assert f'href="{link}"' in panel
    # the link lists those two requests
    listed = admin_client(manager_a).get(link).content.decode()
    for approval in two_withdrawals_to_approve:
        assert reverse("admin:organization_approvalrequest_change", args=[approval.pk]) in listed


def test_a_manager_of_another_branch_and_the_maker_are_not_asked(two_withdrawals_to_approve, manager_b, manager_a,
                                                                 counter):
    assert _queues(manager_b) == {"Approval requests you may decide": "0", "Loan applications under review": "0"}
    own = submit_cash_operation(kind="deposit", account=counter, amount=Money("60000.00", EUR), teller=manager_a,
                                idempotency_key="manager-own")
    assert isinstance(own, ApprovalRequest)
    assert _queues(manager_a)["Approval requests you may decide"] == "2"  # not their own third one


def test_a_teller_sees_none_of_the_managers_queues(two_withdrawals_to_approve, teller_a):
    assert _queues(teller_a) == {}
    assert "nothing waits for you" in _panel(teller_a)


def test_compliance_sees_kyc_reviews_with_what_each_is_missing_screening_hits_and_held_payments(
        counter, compliance_officer, branch_a, teller_a):
    # given: a customer in manual review with only an id card, a possible sanctions match, a held payment
    waiting = CustomerFactory(branch=branch_a, legal_name="Rui Pinto", kyc_status=Customer.KycStatus.IN_PROGRESS)
    kyc_document(waiting, "government_id")
    import_list(ListRowFactory(name="Ivan Petrov", source_id="EU-1"))
    CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["PT"])
    payee = open_funded_account(verified_customer(branch=branch_a), counter.product, None, teller=teller_a)
    transfer_between_accounts(from_account_number=counter.number, to_account_number=payee.number,
                              money=Money("500.00", EUR), initiated_by=counter.customer.user, idempotency_key="big")
    # when / then
    queues = _queues(compliance_officer)
    assert queues["KYC manual reviews"] == "1"
    assert queues["Screening hits to confirm or dismiss"] == "1"
    assert queues["Payments held for review"] == "1"
    # compliance decides only its colleagues' false-positive closures (none waiting), no payment or closure
    assert queues["Approval requests you may decide"] == "0"
    assert "Domain events that failed delivery (retry once fixed)" not in queues  # nor retries events
    panel = _panel(compliance_officer)
    assert "Rui Pinto" in panel and "missing: proof of address" in panel and "proof_of_address" not in panel
    assert "500.00 EUR from " + counter.number in panel


def test_operations_sees_failed_events_and_the_approvals_it_may_decide(ops_admin, bank):
    event = publish_event("customer.onboarded", {"customer_id": 1})
    OutboxEvent.objects.filter(pk=event.pk).update(state=OutboxEvent.State.FAILED)
    queues = _queues(ops_admin)
    assert queues["Domain events that failed delivery (retry once fixed)"] == "1"
    assert queues["Approval requests you may decide"] == "0"
    assert "KYC manual reviews" not in queues and "Payments held for review" not in queues


def test_the_home_shows_the_business_date_and_the_last_end_of_day(ops_admin, bank):
    page = admin_client(ops_admin).get(reverse(HOME)).content.decode()
    assert f"{bank.current_business_date:%Y-%m-%d}" in page
    assert "Last end of day" in page and "None has run yet." in page


def test_the_home_costs_the_same_queries_whatever_is_waiting(counter, teller_a, manager_a, compliance_officer,
                                                             branch_a):
    def queries(user) -> int:
        client = admin_client(user)
        client.get(reverse(HOME))  # sessions and permissions warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(HOME)).status_code == 200
        return len(captured)

    def one_more_of_each(n):
        submit_cash_operation(kind="withdrawal", account=counter, amount=Money("1500.00", EUR), teller=teller_a,
                              idempotency_key=f"more-{n}")
        waiting = CustomerFactory(branch=branch_a, kyc_status=Customer.KycStatus.IN_PROGRESS)
        kyc_document(waiting, "government_id")

    one_more_of_each(0)
    manager_before, compliance_before = queries(manager_a), queries(compliance_officer)
    for n in range(1, 9):
        one_more_of_each(n)
    assert queries(manager_a) == manager_before
    assert queries(compliance_officer) == compliance_before
