"""The customer page ("customer 360"): accounts with balances, KYC status and what is missing in words, the
checks folded and explained, documents, hits, payments under review and the channel enrolment with its
operations; a query count that does not grow with the rows; branch scoping."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import ChannelCode, Customer
from apps.customers.services import enrol_customer_for_channels, redeem_channel_code
from apps.customers.tests.factories import CustomerFactory, kyc_document
from apps.kyc.rules import DocumentType
from apps.kyc.services import run_kyc_check
from apps.organization.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def page_of(user, customer):
    return admin_client(user).get(reverse("admin:customers_customer_change", args=[customer.pk]))


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_page_shows_the_accounts_with_formatted_balances_linking_to_each(teller_a, branch_a):
    install_chart()
    customer = CustomerFactory(branch=branch_a, verified=True)
    account = open_funded_account(customer, savings_product(rate="0"), "1234.50", teller=teller_a)
    response = page_of(teller_a, customer)
    html = response.content.decode()
    assert reverse("admin:accounts_account_change", args=[account.pk]) in html
    assert "1,234.50 EUR" in text(response)
    assert "Primary holder" in text(response)


def test_the_kyc_section_says_what_is_missing_in_words_and_folds_identical_checks(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    kyc_document(customer, DocumentType.GOVERNMENT_ID)
    for _ in range(5):
        run_kyc_check(customer=Customer.objects.get(pk=customer.pk))
    page = text(page_of(teller_a, customer))
    assert "Waiting for: missing: proof of address." in page
    assert "proof_of_address" not in page
    assert "missing documents: proof of address (+0.35)" in page
    assert re.search(r"\d+ checks, ", page), page  # the identical checks are one line
    assert page.count("missing documents: proof of address (+0.35)") == 1


def test_a_check_that_found_nothing_says_so(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, verified=True)
    run_kyc_check(customer=Customer.objects.get(pk=customer.pk))
    page = text(page_of(teller_a, customer))
    assert "no risk factor" in page
    assert "Nothing is missing" in page


def test_the_page_answers_in_the_same_number_of_queries_whatever_the_rows(teller_a, branch_a):
    install_chart()
    product = savings_product(rate="0")
    small = CustomerFactory(branch=branch_a, verified=True)
    large = CustomerFactory(branch=branch_a, verified=True)
    open_funded_account(small, product, "10.00", teller=teller_a)
    for _ in range(4):
        open_funded_account(large, product, "10.00", teller=teller_a)
        run_kyc_check(customer=Customer.objects.get(pk=large.pk))
        kyc_document(large, DocumentType.PROOF_OF_ADDRESS)
    for customer in (small, large):
        issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
        redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    client = admin_client(teller_a)
    counts = []
    for customer in (small, large):
        client.get(reverse("admin:customers_customer_change", args=[customer.pk]))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:customers_customer_change", args=[customer.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 40, counts


def test_a_teller_enrols_the_customer_from_the_page_and_sees_the_code_once(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, email="joana@example.test")
    client = admin_client(teller_a)
    assert "Enrol for channels" in text(client.get(reverse("admin:customers_customer_change", args=[customer.pk])))
    url = reverse("admin:customers_customer_channels", args=[customer.pk, "enrol"])
    assert client.get(url).status_code == 200  # the confirmation page
    response = client.post(url, {})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = re.search(r'id="channel-code">([A-Z0-9-]+)<', response.content.decode()).group(1)
    user = redeem_channel_code(code=code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    assert user.username == "joana@example.test"
    page = text(client.get(reverse("admin:customers_customer_change", args=[customer.pk])))
    assert "Enrolled as joana@example.test" in page and code not in page
    assert "Issue password reset" in page and "Revoke channel access" in page


def test_revoking_from_the_page_asks_for_a_reason(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    url = reverse("admin:customers_customer_channels", args=[customer.pk, "revoke"])
    client = admin_client(teller_a)
    assert client.post(url, {"reason": ""}).status_code == 200  # the form again, with the error
    assert User.objects.get(customer=customer).is_active
    assert client.post(url, {"reason": "the customer asked"}).status_code == 302
    assert not User.objects.get(customer=customer).is_active


def test_a_teller_of_another_branch_cannot_enrol_from_the_admin(teller_b, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = admin_client(teller_b).post(reverse("admin:customers_customer_channels", args=[customer.pk, "enrol"]))
    assert response.status_code == 302  # not among their branch's records
    assert not User.objects.filter(customer=customer).exists()
    assert not ChannelCode.objects.exists()


def test_a_loan_officer_sees_no_operation_and_is_refused_by_the_service(loan_officer, branch_a):
    customer = CustomerFactory(branch=branch_a)
    client = admin_client(loan_officer)
    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert "Enrol for channels" not in text(page)
    assert 'name="_save"' not in page.content.decode()  # nothing this role may save
    response = client.post(reverse("admin:customers_customer_channels", args=[customer.pk, "enrol"]))
    assert "may not enrol customers" in response.content.decode()
    assert not User.objects.filter(customer=customer).exists()
