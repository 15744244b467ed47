"""The OpenAPI schema says what the API does: its problem responses, nullable fields, bare lists, the
Idempotency-Key header's bounds, and page_size as an integer the paginator enforces."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.ledger.tests.factories import fund, ledger_account

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_problem_responses(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            expected = {"400", "401", "403", "404", "429"} | ({"409", "413", "422"} if method != "get" else set())
            assert expected <= set(operation["responses"]), (method, path)
            problem = operation["responses"]["404"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
    assert {"type", "title", "status", "detail", "code"} <= set(schema["components"]["schemas"]["Problem"]["required"])


def test_the_checker_of_an_approval_the_poster_of_an_entry_and_an_overdraft_limit_are_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["ApprovalRequest"]["properties"]["checker"]["nullable"] is True
    assert components["JournalEntry"]["properties"]["posted_by"]["nullable"] is True
    assert components["LedgerAccount"]["properties"]["overdraft_limit"]["nullable"] is True


def test_documents_and_holds_are_bare_lists_in_the_schema(schema):
    for path in ("/api/v1/customers/{id}/documents/", "/api/v1/accounts/{number}/holds/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
        assert "page_size" not in {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}


def test_the_idempotency_key_header_has_the_bounds_the_api_enforces(schema):
    header = next(p for p in schema["paths"]["/api/v1/transfers/"]["post"]["parameters"]
                  if p["name"] == "Idempotency-Key")
    assert (header["schema"]["minLength"], header["schema"]["maxLength"]) == (1, 128)


def test_page_size_is_an_integer_from_1_to_500_in_the_schema(schema):
    parameter = next(p for p in schema["paths"]["/api/v1/ledger/entries/"]["get"]["parameters"]
                     if p["name"] == "page_size")
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}


@pytest.mark.parametrize("page_size", ["true", "0", "501", "-1", "1.5", "\u0665"])
def test_a_page_size_outside_the_schema_is_a_400_problem(teller_a, page_size):
    client = APIClient()
    client.force_authenticate(teller_a)
    response = client.get("/api/v1/ledger/entries/", {"page_size": page_size})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "page_size" in response.json()["errors"]


def test_a_page_size_within_the_schema_pages(branch_a, teller_a):
    account = ledger_account(branch=branch_a)
    fund(account, "10.00")
    client = APIClient()
    client.force_authenticate(teller_a)
    response = client.get("/api/v1/ledger/entries/", {"page_size": "1"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_an_entry_posted_by_the_system_shows_a_null_poster(branch_a, teller_a):
    account = ledger_account(branch=branch_a)
    fund(account, "10.00")  # posted without a user
    client = APIClient()
    client.force_authenticate(teller_a)
    entry = client.get("/api/v1/ledger/entries/").json()["results"][0]
    assert entry["posted_by"] is None
