"""Customers API: staff see their branch's customers only; a customer's login sees only its own profile."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.kyc.models import KycCheck, KycDocument
from apps.kyc.tests.conftest import PDF_BYTES, upload
from apps.organization.tests.factories import CustomerUserFactory
from apps.outbox.models import OutboxEvent
from apps.outbox.tasks import deliver_pending_outbox_events

pytestmark = pytest.mark.django_db

APPLICATION = {"customer_type": "individual", "legal_name": "Ana Sousa", "email": "ana@example.test",
               "phone": "+351912345678", "country": "PT", "date_of_birth": "1990-04-02", "national_id_last4": "4321"}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- staff -----------------------------------------------------------------------------------------------

def test_a_teller_onboards_into_their_branch_with_the_national_id_masked(teller_a, branch_a):
    response = client_for(teller_a).post(reverse("v1:customer-list"), APPLICATION, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["branch"], body["kyc_status"], body["national_id"]) == ("LIS01", "pending", "•••• 4321")
    assert "national_id_last4" not in body


@pytest.mark.django_db(transaction=True)  # the service really commits, so its after-commit work runs in the request
def test_onboarding_answers_201_while_the_broker_is_down_and_the_kyc_check_runs_once_it_is_back(
        teller_a, branch_a, broker_down):
    # given a broker that does not answer
    with broker_down():
        # when a teller onboards a customer
        response = client_for(teller_a).post(reverse("v1:customer-list"), APPLICATION, format="json")
    # then the onboarding is answered as usual, and the KYC check it asked for is recorded, not lost
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.kyc_status, KycCheck.objects.filter(customer=customer).count()) == ("pending", 0)
    requested = OutboxEvent.objects.get(event_type="kyc.check_requested", aggregate_id=str(customer.pk))
    assert requested.state == OutboxEvent.State.PENDING
    # when the broker is back and the outbox sweep runs (beat, every minute)
    deliver_pending_outbox_events.delay()
    # then the check ran once and decided (no documents yet: manual review)
    customer.refresh_from_db()
    assert (customer.kyc_status, KycCheck.objects.filter(customer=customer).count()) == ("in_progress", 1)
    assert set(OutboxEvent.objects.values_list("state", flat=True)) == {OutboxEvent.State.DELIVERED}


def test_a_teller_cannot_onboard_into_another_branch(teller_a, branch_b):
    response = client_for(teller_a).post(reverse("v1:customer-list"), {**APPLICATION, "branch": "POR01"},
                                         format="json")
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_a_duplicate_email_is_a_409_problem(teller_a, branch_a):
    CustomerFactory(branch=branch_a, email="ANA@example.test")
    response = client_for(teller_a).post(reverse("v1:customer-list"), APPLICATION, format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "customer_email_taken"


def test_staff_of_branch_b_cannot_see_or_change_branch_a_customers(teller_b, branch_a, branch_b):
    customer = CustomerFactory(branch=branch_a)
    CustomerFactory(branch=branch_b)
    client = client_for(teller_b)
    listed = client.get(reverse("v1:customer-list")).json()
    assert [row["branch"] for row in listed["results"]] == ["POR01"]
    assert client.get(reverse("v1:customer-detail", args=[customer.pk])).status_code == 404
    assert client.get(reverse("v1:customer-kyc", args=[customer.pk])).status_code == 404
    assert client.patch(reverse("v1:customer-detail", args=[customer.pk]), {"legal_name": "X"},
                        format="json").status_code == 404
    assert client.post(reverse("v1:customer-documents", args=[customer.pk]),
                       {"document_type": "government_id", "issuing_country": "PT", "file": upload()},
                       format="multipart").status_code == 404
    assert Customer.objects.get(pk=customer.pk).legal_name != "X"
    assert not KycDocument.objects.exists()


def test_compliance_sees_every_branch(compliance_officer, branch_a, branch_b):
    CustomerFactory(branch=branch_a)
    CustomerFactory(branch=branch_b)
    assert client_for(compliance_officer).get(reverse("v1:customer-list")).json()["count"] == 2


def test_the_list_filters_and_searches(teller_a, branch_a):
    CustomerFactory(branch=branch_a, legal_name="Rui Business Lda", customer_type="business")
    CustomerFactory(branch=branch_a, legal_name="Ana Sousa", email="ana.s@example.test", verified=True)
    client = client_for(teller_a)
    assert client.get(reverse("v1:customer-list"), {"customer_type": "business"}).json()["count"] == 1
    assert client.get(reverse("v1:customer-list"), {"kyc_status": "verified"}).json()["count"] == 1
    assert client.get(reverse("v1:customer-list"), {"search": "ana.s@"}).json()["results"][0]["legal_name"] == \
        "Ana Sousa"


@pytest.mark.parametrize("extra", [0, 20])
def test_the_list_costs_the_same_queries_whatever_its_length(teller_a, branch_a, extra, django_assert_num_queries):
    for _ in range(extra + 1):
        CustomerFactory(branch=branch_a)
    client = client_for(teller_a)
    # permissions (model, bank-wide role, object) + count + page, for 1 or 21 rows
    with django_assert_num_queries(5):
        response = client.get(reverse("v1:customer-list"))
    assert response.json()["count"] == extra + 1


def test_a_teller_updates_a_customer(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = client_for(teller_a).patch(reverse("v1:customer-detail", args=[customer.pk]),
                                          {"phone": "+351933333333"}, format="json")
    assert response.status_code == 200, response.json()
    assert Customer.objects.get(pk=customer.pk).phone == "+351933333333"


def test_an_update_with_a_bad_phone_is_a_problem_and_changes_nothing(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = client_for(teller_a).patch(reverse("v1:customer-detail", args=[customer.pk]), {"phone": "12"},
                                          format="json")
    assert response.status_code == 400
    assert Customer.objects.get(pk=customer.pk).phone == customer.phone


def test_documents_upload_as_multipart_and_the_kyc_status_says_what_is_missing(teller_a, branch_a, media):
    customer = CustomerFactory(branch=branch_a)
    client = client_for(teller_a)
    response = client.post(reverse("v1:customer-documents", args=[customer.pk]),
                           {"document_type": "government_id", "issuing_country": "PT", "number": "CC998877",
                            "expiry_date": "2030-01-01", "file": upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "•••• 8877"
    kyc = client.get(reverse("v1:customer-kyc", args=[customer.pk])).json()
    assert kyc["required_documents"]["missing"] == ["proof_of_address"]
    assert kyc["is_verified"] is False
    listed = client.get(reverse("v1:customer-documents", args=[customer.pk])).json()
    assert [row["document_type"] for row in listed] == ["government_id"]


def test_an_upload_that_is_not_pdf_jpeg_or_png_is_a_415_problem(teller_a, branch_a, media):
    customer = CustomerFactory(branch=branch_a)
    response = client_for(teller_a).post(
        reverse("v1:customer-documents", args=[customer.pk]),
        {"document_type": "government_id", "issuing_country": "PT",
         "file": upload(b"<html>not a pdf</html>", name="id.pdf")}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "kyc_document_unsupported_type"
    assert not KycDocument.objects.exists()


def test_an_upload_over_the_limit_is_a_413_problem(teller_a, branch_a, media, settings):
    settings.KYC_MAX_UPLOAD_BYTES = 100
    customer = CustomerFactory(branch=branch_a)
    response = client_for(teller_a).post(
        reverse("v1:customer-documents", args=[customer.pk]),
        {"document_type": "government_id", "issuing_country": "PT", "file": upload(PDF_BYTES * 10)},
        format="multipart")
    assert response.status_code == 413
    assert not KycDocument.objects.exists()


def test_a_channel_login_cannot_use_the_staff_api(branch_a):
    login = CustomerUserFactory()
    CustomerFactory(branch=branch_a, user=login)
    assert client_for(login).get(reverse("v1:customer-list")).status_code == 403


# --- channels --------------------------------------------------------------------------------------------

def test_anyone_may_apply_through_onboarding(branch_a):
    response = APIClient().post(reverse("v1:onboarding"), {**APPLICATION, "branch": "LIS01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kyc_status"] == "pending"
    assert "risk_rating" not in response.json()
    assert Customer.objects.get().created_by is None


def test_onboarding_links_the_signed_in_channel_login(branch_a):
    login = CustomerUserFactory()
    response = client_for(login).post(reverse("v1:onboarding"), {**APPLICATION, "branch": "LIS01"}, format="json")
    assert response.status_code == 201
    assert Customer.objects.get().user == login


def test_onboarding_needs_a_branch_and_valid_fields(branch_a):
    response = APIClient().post(reverse("v1:onboarding"), APPLICATION, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "branch_required")
    response = APIClient().post(reverse("v1:onboarding"), {**APPLICATION, "branch": "LIS01", "phone": "0912"},
                                format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_customer_data")
    assert not Customer.objects.exists()


def test_onboarding_is_throttled(branch_a, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "onboarding": "2/hour"}}
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        client = APIClient()
        codes = [client.post(reverse("v1:onboarding"),
                             {**APPLICATION, "email": f"a{i}@example.test", "branch": "LIS01"}, format="json")
                 .status_code for i in range(3)]
    finally:
        from rest_framework.settings import api_settings

        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [201, 201, 429]


def test_me_shows_the_customers_own_profile_only(branch_a, branch_b):
    login = CustomerUserFactory()
    own = CustomerFactory(branch=branch_a, user=login, legal_name="Own Customer")
    CustomerFactory(branch=branch_b, legal_name="Someone Else")
    response = client_for(login).get(reverse("v1:me"))
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["legal_name"]) == (own.pk, "Own Customer")


def test_a_customer_can_never_see_another_customer(branch_a):
    login = CustomerUserFactory()
    CustomerFactory(branch=branch_a, user=login)
    other = CustomerFactory(branch=branch_a)
    client = client_for(login)
    assert client.get(reverse("v1:customer-detail", args=[other.pk])).status_code == 403
    assert client.get(reverse("v1:me"), {"id": other.pk}).json()["id"] != other.pk
    assert client.get(reverse("v1:customer-kyc", args=[other.pk])).status_code == 403


def test_me_without_a_linked_customer_is_a_404_problem(teller_a):
    response = client_for(teller_a).get(reverse("v1:me"))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_me_needs_a_login():
    assert APIClient().get(reverse("v1:me")).status_code == 401


def test_a_branch_manager_upgrades_to_premium_once(manager_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    client = client_for(manager_a)
    url = reverse("v1:customer-upgrade", args=[customer.pk])
    response = client.post(url, {"relationship_manager": manager_a.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["is_premium"], response.json()["relationship_manager"]) == (True, manager_a.pk)
    again = client.post(url, {"relationship_manager": manager_a.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "customer_already_premium")


def test_a_teller_cannot_upgrade_to_premium(teller_a, manager_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = client_for(teller_a).post(reverse("v1:customer-upgrade", args=[customer.pk]),
                                         {"relationship_manager": manager_a.pk}, format="json")
    assert response.status_code == 403
    assert not Customer.objects.get(pk=customer.pk).is_premium
