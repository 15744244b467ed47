"""Customers in the admin: branch scoping, search and filters, the review actions, the dashboard, query counts."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document
from apps.kyc.models import KycDocument, KycReview
from apps.kyc.rules import required_document_types
from apps.kyc.tests.conftest import upload

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:customers_customer_changelist"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def _in_review(branch, maker, **kwargs):
    customer = CustomerFactory(branch=branch, actor=maker, kyc_status="in_progress", **kwargs)
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type)
    return customer


def test_branch_staff_list_only_their_branch(teller_a, branch_a, branch_b):
    CustomerFactory(branch=branch_a, legal_name="Lisbon Customer")
    CustomerFactory(branch=branch_b, legal_name="Porto Customer")
    page = admin_client(teller_a).get(reverse(CHANGELIST)).content.decode()
    assert "Lisbon Customer" in page
    assert "Porto Customer" not in page


def test_branch_staff_cannot_open_another_branch_customer(teller_b, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = admin_client(teller_b).get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert response.status_code in (302, 403, 404)
    assert "Test Customer" not in response.content.decode()


def test_search_by_name_email_phone_and_id(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, legal_name="Beatriz Lopes", email="bia@example.test",
                               phone="+351934567890")
    CustomerFactory(branch=branch_a, legal_name="Other Person")
    client = admin_client(teller_a)
    for term in ("Beatriz", "bia@example", "+351934567890"):
        page = client.get(reverse(CHANGELIST), {"q": term}).content.decode()
        assert "Beatriz Lopes" in page and "Other Person" not in page, term
    # the id is matched exactly (other rows may still match its digits in their email or phone)
    assert "Beatriz Lopes" in client.get(reverse(CHANGELIST), {"q": str(customer.pk)}).content.decode()


def test_filters_by_type_kyc_status_branch_and_risk(compliance_officer, branch_a, branch_b):
    CustomerFactory(branch=branch_a, legal_name="Verified One", verified=True)
    CustomerFactory(branch=branch_b, legal_name="Business Two", customer_type="business")
    client = admin_client(compliance_officer)
    assert "Business Two" not in client.get(reverse(CHANGELIST), {"kyc_status__exact": "verified"}).content.decode()
    assert "Verified One" not in client.get(reverse(CHANGELIST), {"customer_type__exact": "business"}).content \
        .decode()
    assert "Verified One" not in client.get(reverse(CHANGELIST), {"branch__id__exact": branch_b.pk}).content \
        .decode()
    assert "Verified One" in client.get(reverse(CHANGELIST), {"risk_rating__exact": "low"}).content.decode()


@pytest.mark.parametrize("extra", [0, 20])
def test_the_changelist_costs_the_same_queries_whatever_its_length(teller_a, branch_a, extra,
                                                                   django_assert_max_num_queries):
    for _ in range(extra + 1):
        CustomerFactory(branch=branch_a)
    client = admin_client(teller_a)
    client.get(reverse(CHANGELIST))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200


def test_the_change_page_shows_inlines_and_masks_the_national_id(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, national_id_last4="5678", verified=True)
    page = admin_client(teller_a).get(reverse("admin:customers_customer_change", args=[customer.pk])).content \
        .decode()
    assert "•••• 5678" in page
    assert 'name="national_id_last4"' not in page
    assert "Government id" in page


def test_compliance_approves_from_the_review_queue(compliance_officer, manager_a, branch_a):
    customer = _in_review(branch_a, manager_a)
    response = admin_client(compliance_officer).post(reverse(CHANGELIST), {
        "action": "approve_kyc", ACTION_CHECKBOX_NAME: [customer.pk], "reason": "Documents checked in person"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).kyc_status == "verified"
    assert KycReview.objects.get().reviewer == compliance_officer


def test_the_review_action_refuses_the_maker(onboarding_compliance_officer, branch_a):
    customer = _in_review(branch_a, onboarding_compliance_officer)
    client = admin_client(onboarding_compliance_officer)
    response = client.post(reverse(CHANGELIST), {
        "action": "approve_kyc", ACTION_CHECKBOX_NAME: [customer.pk], "reason": "I onboarded and I approve"},
        follow=True)
    assert "another compliance officer must review it" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"
    assert not KycReview.objects.exists()


def test_a_teller_has_no_review_action(teller_a, manager_a, branch_a):
    customer = _in_review(branch_a, manager_a)
    admin_client(teller_a).post(reverse(CHANGELIST), {
        "action": "approve_kyc", ACTION_CHECKBOX_NAME: [customer.pk], "reason": "sure"})
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"


def test_onboarding_from_the_admin_goes_through_the_service(teller_a, branch_a, teller_b):
    response = admin_client(teller_a).post(reverse("admin:customers_customer_add"), {
        "customer_type": "individual", "legal_name": "Admin Onboarded", "email": "admin.onb@example.test",
        "phone": "+351911111111", "date_of_birth": "1980-01-01", "national_id_last4": "1111", "country": "PT",
        "branch": branch_a.pk, "status": "prospect", "address": "", "tax_id": "",
        "business_registration_number": "",
        **{f"{prefix}-{key}": value for prefix in ("kyc_documents", "kyc_checks", "screening_hits")
           for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(email="admin.onb@example.test")
    assert customer.created_by == teller_a
    from apps.organization.branch_scope import can_access

    assert can_access(teller_a, customer) and not can_access(teller_b, customer)


def test_a_document_of_the_wrong_type_is_refused_in_the_admin_and_nothing_is_written(teller_a, branch_a, settings,
                                                                                   tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(branch=branch_a)
    response = admin_client(teller_a).post(reverse("admin:kyc_kycdocument_add"), {
        "customer": customer.pk, "document_type": "government_id", "issuing_country": "PT",
        "file": upload(b"GIF89a not accepted", name="id.png")})
    assert response.status_code == 200
    assert "Only PDF, JPEG and PNG" in response.content.decode()
    assert not KycDocument.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_the_admin_index_shows_the_customer_dashboard_in_scope(teller_a, compliance_officer, branch_a, branch_b):
    CustomerFactory(branch=branch_a, verified=True)
    CustomerFactory(branch=branch_b, customer_type="business")
    teller_page = admin_client(teller_a).get(reverse("admin:index")).content.decode()
    assert 'id="customer-dashboard"' in teller_page
    assert "POR01" not in teller_page
    compliance_page = admin_client(compliance_officer).get(reverse("admin:index")).content.decode()
    assert "LIS01" in compliance_page and "POR01" in compliance_page
    assert "Manual review queue" in compliance_page


def test_statistics_count_by_type_verified_and_branch(branch_a, branch_b, django_assert_num_queries):
    from apps.customers.selectors import customer_statistics

    CustomerFactory(branch=branch_a, verified=True)
    CustomerFactory(branch=branch_a)
    CustomerFactory(branch=branch_b, customer_type="business")
    with django_assert_num_queries(2):
        statistics = customer_statistics(Customer.objects.all())
    assert (statistics["total"], statistics["individuals"], statistics["businesses"], statistics["verified"]) == \
        (3, 2, 1, 1)
    assert [(row["branch__code"], row["total"], row["verified"]) for row in statistics["by_branch"]] == [
        ("LIS01", 2, 1), ("POR01", 1, 0)]
