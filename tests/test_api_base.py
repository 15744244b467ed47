"""The API base: problem details for every 4xx, the OpenAPI schema, pagination and filters."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_swagger_ui_are_served(teller_a):
    client = APIClient()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/ledger/accounts/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_validation_errors_are_problems_with_field_errors():
    response = APIClient().post(reverse("v1:auth-token"), {"username": "someone"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["status"] == 400
    assert body["type"].endswith("/validation_error")
    assert body["errors"] == {"password": ["This field is required."]}


def test_malformed_json_is_a_problem():
    response = APIClient().post(reverse("v1:auth-token"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_unknown_resource_is_a_problem(teller_a):
    client = APIClient()
    client.force_authenticate(teller_a)
    response = client.get(reverse("v1:ledger-account-detail", args=[987654]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_method_not_allowed_is_a_problem():
    response = APIClient().get(reverse("v1:auth-token"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_customer_channel_users_cannot_read_the_staff_ledger():
    from apps.organization.tests.factories import CustomerUserFactory

    client = APIClient()
    client.force_authenticate(CustomerUserFactory())
    response = client.get(reverse("v1:ledger-account-list"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_journal_entries_list_is_paginated_filtered_and_amounts_are_strings(branch_a, teller_a,
                                                                             django_assert_max_num_queries):
    from apps.ledger.tests.factories import fund, ledger_account, transfer

    alice, bob = ledger_account(branch=branch_a), ledger_account(branch=branch_a)
    fund(alice, "100.00")
    for i in range(5):
        transfer(alice, bob, "1.10", key=f"t{i}")
    client = APIClient()
    client.force_authenticate(teller_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("v1:journal-entry-list"), {"account": bob.code, "page_size": 3})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5
    assert len(body["results"]) == 3
    amounts = [p["amount"] for p in body["results"][0]["postings"]]
    assert amounts == ["1.10", "1.10"]  # the currency's decimals, not the storage's four


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_openapi_documents_the_idempotency_key_header_and_the_202_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/transfers/", "/api/v1/payments/outgoing/"):
        operation = schema["paths"][path]["post"]
        header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
        assert header["in"] == "header" and header["required"] is True
        assert {"201", "202"} <= set(operation["responses"]), path
    deposit = next(op for path, item in schema["paths"].items() if path.endswith("/deposit/")
                   for op in [item.get("post")] if op)
    assert any(p["name"] == "Idempotency-Key" for p in deposit["parameters"])
