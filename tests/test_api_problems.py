"""Every answer under /api/ is problem+json, including those Django gives before or outside DRF."""

import pytest
from rest_framework.test import APIClient

from apps.customers.models import Customer
from apps.customers.tests.factories import verified_customer
from apps.kyc.models import KycDocument

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/v1/nothing-here/", "/api/v2/transfers/",
                                  "/api/v1/customers/abc/"])
def test_an_unknown_api_path_is_a_404_problem(teller_a, path):
    response = _client(teller_a).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_an_unknown_path_outside_the_api_is_still_a_page():
    response = _client().get("/nothing-here/")
    assert response.status_code == 404
    assert "problem" not in response["Content-Type"]


@pytest.mark.parametrize("path", ["/api/v1/customers/%00/", "/api/v1/payments/outgoing/OP%00X/",
                                  "/api/%00", "/api/v1/transfers/?reference=a%00b"])
def test_a_nul_character_in_the_path_or_query_is_a_400_problem(teller_a, path):
    response = _client(teller_a).get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "null_characters_not_allowed"


@pytest.mark.parametrize("action", ["upgrade", "documents"])
def test_a_customer_id_that_is_not_a_number_is_a_404_problem(manager_a, action):
    # given
    before = (Customer.objects.count(), Customer.history.count(), KycDocument.objects.count())
    # when
    response = _client(manager_a).post(f"/api/v1/customers/abc/{action}/", {"relationship_manager": manager_a.pk},
                                       format="json")
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert (Customer.objects.count(), Customer.history.count(), KycDocument.objects.count()) == before


def test_a_nul_character_in_a_branch_code_is_a_400_problem(manager_a, branch_a):
    # given
    before = (Customer.objects.count(), Customer.history.count())
    application = {"customer_type": "individual", "legal_name": "Ana", "email": "ana@example.com",
                   "phone": "+351900000000", "country": "PT", "branch": "LIS\x0001"}
    # when
    response = _client(manager_a).post("/api/v1/customers/", application, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "null_characters_not_allowed"
    assert (Customer.objects.count(), Customer.history.count()) == before


def test_a_nul_character_in_a_multipart_field_is_a_400_problem(manager_a, branch_a):
    customer = verified_customer(branch=branch_a)
    documents = KycDocument.objects.count()
    response = _client(manager_a).post(f"/api/v1/customers/{customer.pk}/documents/",
                                       {"document_type": "passport", "issuing_country": "P\x00T"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "null_characters_not_allowed"
    assert KycDocument.objects.count() == documents


def test_a_lone_surrogate_in_a_text_field_is_a_400_problem(manager_a, branch_a):
    before = (Customer.objects.count(), Customer.history.count())
    application = ('{"customer_type": "individual", "legal_name": "Ana", "email": "ana@example.com", '
                   '"phone": "+351900000000", "country": "PT", "branch": "\\ud800"}')
    response = _client(manager_a).post("/api/v1/customers/", application, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "surrogate_characters_not_allowed"
    assert (Customer.objects.count(), Customer.history.count()) == before


def test_a_request_that_accepts_only_html_gets_a_406_problem_not_a_page(teller_a):
    response = _client(teller_a).get("/api/v1/transfers/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_acceptable"


def test_a_form_body_over_the_upload_limit_is_a_413_problem(manager_a):
    before = Customer.objects.count()
    body = "legal_name=" + "x" * (3 * 1024 * 1024)
    response = _client(manager_a).post("/api/v1/customers/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"
    assert Customer.objects.count() == before


def test_an_unknown_api_path_is_a_problem_even_with_debug_pages_on(teller_a, settings):
    settings.DEBUG = True  # Django answers a 404 with its technical HTML page then
    response = _client(teller_a).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
