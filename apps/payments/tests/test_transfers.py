"""Internal transfers: the rules of transfer_between_accounts, over the API."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Account, Hold
from apps.accounts.services.lifecycle import freeze_account
from apps.accounts.tests.factories import open_funded_account
from apps.customers.models import Customer
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance
from apps.payments.models import Channel, FeeSchedule, Transfer, TransferLimit
from apps.payments.services.transfers import facts as transfer_facts

pytestmark = pytest.mark.django_db
URL = reverse("v1:transfer-list")


@pytest.fixture(autouse=True, params=["sql", "orm"])
def facts_reader(request, monkeypatch):
    """Every rule here is checked over both readers of a transfer's facts: PostgreSQL's few statements and the
    ORM's queries (what the embedded SQLite demo runs)."""
    monkeypatch.setattr(transfer_facts, "USE_SQL", request.param == "sql")
    return request.param


def _client(customer):
    client = APIClient()
    client.force_authenticate(customer.user)
    return client


def _order(payer, payee, amount="10.00", **extra):
    return {"from_account": payer.number, "to_account": payee.number, "amount": amount, "currency": "EUR",
            "reference": "dinner", **extra}


def _post(client, body, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, format="json", **headers)


def _balances(*accounts):
    return [LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in accounts]


def _nothing_moved(before, *accounts):
    assert _balances(*accounts) == before
    assert not Transfer.objects.exists()
    assert not Transfer.history.exists()
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert not Hold.objects.filter(account__in=accounts).exists()


def test_transfer_moves_money_with_its_fee_in_one_entry(alice, alice_account, bob_account, savings):
    FeeSchedule.objects.create(product=savings, channel=Channel.API, currency="EUR", fixed_fee=Decimal("0.20"),
                               percentage=Decimal("0.001"))
    response = _post(_client(alice), _order(alice_account, bob_account, "100.00"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["fee"]) == ("100.00", "0.30")
    assert _balances(alice_account, bob_account) == [Decimal("399.70"), Decimal("200.00")]
    entry = Transfer.objects.get().entry
    assert entry.postings.count() == 3
    assert account_balance(LedgerAccount.objects.get(code="4000")).amount == Decimal("0.30")


def test_missing_idempotency_key_is_a_400_problem_and_moves_nothing(alice, alice_account, bob_account):
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), _order(alice_account, bob_account), key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    _nothing_moved(before, alice_account, bob_account)


def test_replay_returns_the_first_response_and_moves_nothing(alice, alice_account, bob_account):
    client = _client(alice)
    first = _post(client, _order(alice_account, bob_account))
    again = _post(client, _order(alice_account, bob_account))
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Transfer.objects.count() == 1
    assert _balances(alice_account) == [Decimal("490.00")]


def test_same_key_with_another_body_is_a_422_problem(alice, alice_account, bob_account):
    client = _client(alice)
    _post(client, _order(alice_account, bob_account, "10.00"))
    after_first = _balances(alice_account, bob_account)
    response = _post(client, _order(alice_account, bob_account, "20.00"))
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Transfer.objects.count() == Transfer.history.count() == 1
    assert _balances(alice_account, bob_account) == after_first
    assert JournalEntry.objects.filter(source="transfer").count() == 1


@pytest.mark.parametrize(("amount", "status", "code"), [
    ("600.00", 422, "insufficient_available_balance"),
    ("0", 400, "amount_not_positive"),
    ("-5.00", 400, "amount_not_positive"),
    ("1.001", 400, "too_many_decimals"),
    ("12,5", 400, "invalid_amount"),
])
def test_bad_amounts_are_refused_and_move_nothing(alice, alice_account, bob_account, amount, status, code):
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), _order(alice_account, bob_account, amount))
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    _nothing_moved(before, alice_account, bob_account)


def test_a_customer_cannot_debit_someone_elses_account_nor_learn_that_it_exists(alice, bob, alice_account,
                                                                                  bob_account):
    before = _balances(alice_account, bob_account)
    # bob tries to pay from alice's account: told exactly what a made-up number would tell him
    stolen = _post(_client(bob), _order(alice_account, bob_account), key="steal")
    made_up = _post(_client(bob), {**_order(alice_account, bob_account), "from_account": "PT14OGPG000000000999"},
                    key="made-up")
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "unknown_account"
    assert made_up.json()["code"] in ("unknown_account", "invalid_account_number")
    _nothing_moved(before, alice_account, bob_account)


def test_staff_debit_only_their_branchs_accounts(alice_account, bob_account, teller_a, teller_b):
    # given alice's and bob's accounts at branch A
    before = _balances(alice_account, bob_account)
    other_branch, own_branch = APIClient(), APIClient()
    other_branch.force_authenticate(teller_b)
    own_branch.force_authenticate(teller_a)
    # when a teller of branch B debits one of them: the account is unknown to them, nothing moves
    refused = _post(other_branch, _order(alice_account, bob_account), key="other-branch")
    assert refused.status_code == 404 and refused.json()["code"] == "unknown_account"
    _nothing_moved(before, alice_account, bob_account)
    # then a teller of branch A can
    allowed = _post(own_branch, _order(alice_account, bob_account), key="own-branch")
    assert allowed.status_code == 201, allowed.json()
    assert allowed.json()["channel"] == Channel.BRANCH


def test_mistyped_beneficiary_number_fails_its_check_digits(alice, alice_account, bob_account):
    mistyped = bob_account.number[:-1] + str((int(bob_account.number[-1]) + 1) % 10)
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), {**_order(alice_account, bob_account), "to_account": mistyped})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_account_number"
    _nothing_moved(before, alice_account, bob_account)


def test_unknown_beneficiary_account(alice, alice_account, bob_account):
    from apps.accounts.account_numbers import check_digits

    bban = "OGPG" + "9" * 12  # a well-formed number that no account has
    unknown = "PT" + check_digits("PT", bban) + bban
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), {**_order(alice_account, bob_account), "to_account": unknown})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_beneficiary_account"
    _nothing_moved(before, alice_account, bob_account)


def test_frozen_source_account_is_refused(alice, alice_account, bob_account, compliance_officer):
    freeze_account(account=alice_account, reason="investigation", actor=compliance_officer)
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), _order(alice_account, bob_account))
    assert response.status_code == 422
    assert response.json()["code"] == "account_frozen"
    _nothing_moved(before, alice_account, bob_account)


def test_dormant_source_account_is_refused(alice, alice_account, bob_account):
    Account.objects.filter(pk=alice_account.pk).update(status=Account.Status.DORMANT)
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), _order(alice_account, bob_account))
    assert response.status_code == 422
    assert response.json()["code"] == "account_dormant"
    _nothing_moved(before, alice_account, bob_account)
    assert Account.objects.get(pk=alice_account.pk).status == Account.Status.DORMANT  # not woken up either


def test_currency_mismatch_is_refused(alice, alice_account, bob_account):
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), {**_order(alice_account, bob_account), "currency": "USD"})
    assert response.status_code == 422
    assert response.json()["code"] == "currency_mismatch"
    _nothing_moved(before, alice_account, bob_account)


def test_kyc_not_verified_is_refused(alice, alice_account, bob_account):
    Customer.objects.filter(pk=alice.pk).update(kyc_status=Customer.KycStatus.EXPIRED, kyc_expired_at=timezone.now())
    before = _balances(alice_account, bob_account)
    response = _post(_client(alice), _order(alice_account, bob_account))
    assert response.status_code == 422
    assert response.json()["code"] == "kyc_not_verified"
    _nothing_moved(before, alice_account, bob_account)


def test_per_transaction_and_daily_limits(alice, alice_account, bob_account):
    TransferLimit.objects.create(customer_tier="standard", currency="EUR", per_transaction=Decimal("100.00"),
                                 per_day=Decimal("150.00"))
    client = _client(alice)
    before = _balances(alice_account, bob_account)
    too_big = _post(client, _order(alice_account, bob_account, "100.01"), key="a")
    assert too_big.json()["code"] == "transaction_limit_exceeded"
    _nothing_moved(before, alice_account, bob_account)
    assert _post(client, _order(alice_account, bob_account, "100.00"), key="b").status_code == 201
    after_one = _balances(alice_account, bob_account)
    over_day = _post(client, _order(alice_account, bob_account, "50.01"), key="c")
    assert over_day.status_code == 422
    assert over_day.json()["code"] == "daily_limit_exceeded"
    assert _balances(alice_account, bob_account) == after_one and Transfer.objects.count() == 1
    assert _post(client, _order(alice_account, bob_account, "50.00"), key="d").status_code == 201


def test_premium_customers_get_their_tier_limit(alice, alice_account, bob_account, branch_a):
    TransferLimit.objects.create(customer_tier="standard", currency="EUR", per_transaction=Decimal("10.00"),
                                 per_day=Decimal("10.00"))
    TransferLimit.objects.create(customer_tier="premium", currency="EUR", per_transaction=Decimal("1000.00"),
                                 per_day=Decimal("1000.00"))
    from apps.customers.tests.factories import make_verified
    from apps.organization.tests.factories import StaffFactory

    Customer.objects.filter(pk=alice.pk).update(is_premium=True, premium_since="2026-01-01",
                                                 relationship_manager=StaffFactory(home_branch=branch_a))
    make_verified(Customer.objects.get(pk=alice.pk))  # premium needs income verification too
    client = _client(alice)
    # above the standard limit, within the premium one: the premium line applies, not the standard one
    response = _post(client, _order(alice_account, bob_account, "50.00"), key="within")
    assert response.status_code == 201, response.json()
    # above the premium limit: refused with the premium figure, so a limit was found (not "no limit, no limit")
    before = _balances(alice_account, bob_account)
    above = _post(client, _order(alice_account, bob_account, "1000.01"), key="above")
    assert above.status_code == 422
    assert above.json()["code"] == "transaction_limit_exceeded"
    figure = re.search(r"above the limit of ([\d.]+) EUR per transfer", above.json()["detail"])
    assert figure is not None and Decimal(figure.group(1)) == Decimal("1000.00"), above.json()["detail"]
    assert _balances(alice_account, bob_account) == before and Transfer.objects.count() == 1


def test_lists_show_only_the_callers_transfers_with_constant_queries(alice, bob, alice_account, bob_account,
                                                                     savings, teller_a,
                                                                     django_assert_num_queries):
    carol = verified_customer(branch=alice.branch)
    carol_account = open_funded_account(carol, savings, "50.00", teller=teller_a)
    client = _client(alice)
    for i in range(3):
        _post(client, _order(alice_account, bob_account, "1.00"), key=f"k{i}")
    # a transfer alice has nothing to do with
    from apps.money import Money
    from apps.payments.services.transfers import transfer_between_accounts

    transfer_between_accounts(from_account_number=carol_account.number, to_account_number=bob_account.number,
                              money=Money("1.00", "EUR"), initiated_by=teller_a, idempotency_key="x",
                              channel=Channel.BRANCH)
    with django_assert_num_queries(2):  # count and page, with the accounts joined: never one per row
        listed = client.get(URL)
    assert listed.json()["count"] == 3
    bob_view = _client(bob).get(URL).json()
    assert bob_view["count"] == 4
    foreign = Transfer.objects.get(from_account=carol_account)
    assert client.get(reverse("v1:transfer-detail", args=[foreign.pk])).status_code == 404
