"""Beneficiaries: a customer's own saved payees, and the cooling-off period before large payments to new ones."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.payments.errors import BeneficiaryCoolingOff
from apps.payments.models import Beneficiary, OutgoingPayment, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.tests.factories import saved_beneficiary

pytestmark = pytest.mark.django_db
LIST = reverse("v1:beneficiary-list")
TRANSFERS = reverse("v1:transfer-list")
EXTERNAL_IBAN = "PT50000201231234567890154"


def _client(customer):
    client = APIClient()
    client.force_authenticate(customer.user)
    return client


@pytest.fixture
def rich_alice(alice, savings, teller_a):
    from apps.accounts.tests.factories import open_funded_account

    return open_funded_account(alice, savings, "5000.00", teller=teller_a)


def _transfer(client, payer, payee, amount, key="k1", **extra):
    return client.post(TRANSFERS, {"from_account": payer.number, "to_account": payee.number, "amount": amount,
                                   "currency": "EUR", **extra}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_customer_saves_lists_and_removes_own_beneficiaries(alice):
    client = _client(alice)
    created = client.post(LIST, {"name": "Ana Costa", "account_identifier": "pt50 0002 0123 1234 5678 9015 4"},
                          format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["account_identifier"] == EXTERNAL_IBAN
    assert created.json()["country"] == "PT"
    assert [b["id"] for b in client.get(LIST).json()["results"]] == [created.json()["id"]]
    assert client.delete(reverse("v1:beneficiary-detail", args=[created.json()["id"]])).status_code == 204
    assert client.get(LIST).json()["count"] == 0
    removed = Beneficiary.objects.get()
    assert removed.removed_by == alice.user  # kept for the payments that name it, with who removed it
    assert removed.history.count() == 2


def test_invalid_iban_and_duplicate_are_refused(alice):
    client = _client(alice)
    bad = client.post(LIST, {"name": "X", "account_identifier": "PT50000201231234567890155"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_account_number")
    client.post(LIST, {"name": "Ana", "account_identifier": EXTERNAL_IBAN}, format="json")
    again = client.post(LIST, {"name": "Ana", "account_identifier": EXTERNAL_IBAN}, format="json")
    assert again.json()["code"] == "beneficiary_already_saved"
    assert Beneficiary.objects.count() == 1


def test_a_customer_never_sees_nor_removes_another_customers_beneficiary(alice, bob):
    bobs = saved_beneficiary(bob, EXTERNAL_IBAN)
    client = _client(alice)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(reverse("v1:beneficiary-detail", args=[bobs.pk])).status_code == 404
    assert client.delete(reverse("v1:beneficiary-detail", args=[bobs.pk])).status_code == 404
    assert Beneficiary.objects.get(pk=bobs.pk).removed_at is None


def test_a_customer_cannot_pay_through_another_customers_beneficiary(alice, bob, alice_account, bob_account):
    bobs = saved_beneficiary(bob, bob_account.number, hours_ago=48)
    response = _transfer(_client(alice), alice_account, bob_account, "10.00", beneficiary=bobs.pk)
    assert (response.status_code, response.json()["code"]) == (404, "unknown_beneficiary")
    assert not Transfer.objects.exists()


def test_beneficiary_list_queries_are_constant(alice, django_assert_num_queries):
    from apps.accounts.account_numbers import check_digits

    for i in range(5):
        bban = f"37040044053201300{i}"
        saved_beneficiary(alice, f"DE{check_digits('DE', bban)}{bban}", name=f"P{i}")
    with django_assert_num_queries(2):  # count and page
        listed = _client(alice).get(LIST)
    assert listed.status_code == 200


def test_large_transfer_to_a_new_beneficiary_is_refused_and_writes_nothing(alice, rich_alice, bob_account):
    saved_beneficiary(alice, bob_account.number, hours_ago=23)
    before = LedgerAccount.objects.get(pk=rich_alice.ledger_account_id).balance
    response = _transfer(_client(alice), rich_alice, bob_account, "1000.01")
    assert response.status_code == 422
    assert response.json()["code"] == "beneficiary_cooling_off"
    assert not Transfer.objects.exists()
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert LedgerAccount.objects.get(pk=rich_alice.ledger_account_id).balance == before


def test_large_transfer_to_an_unsaved_payee_counts_as_a_new_beneficiary(alice, rich_alice, bob_account):
    response = _transfer(_client(alice), rich_alice, bob_account, "1500.00")
    assert response.json()["code"] == "beneficiary_cooling_off"


def test_amount_at_the_threshold_and_old_beneficiaries_pass(alice, rich_alice, bob_account):
    client = _client(alice)
    assert _transfer(client, rich_alice, bob_account, "1000.00", key="a").status_code == 201
    beneficiary = saved_beneficiary(alice, bob_account.number, hours_ago=24.01)
    response = _transfer(client, rich_alice, bob_account, "2000.00", key="b", beneficiary=beneficiary.pk)
    assert response.status_code == 201, response.json()
    assert Transfer.objects.get(pk=response.json()["id"]).beneficiary == beneficiary


def test_transfers_between_own_accounts_have_no_cooling_off(alice, rich_alice, alice_account):
    response = _transfer(_client(alice), rich_alice, alice_account, "3000.00")
    assert response.status_code == 201, response.json()


def test_beneficiary_for_another_account_is_refused(alice, rich_alice, bob_account):
    other = saved_beneficiary(alice, EXTERNAL_IBAN, hours_ago=48)
    response = _transfer(_client(alice), rich_alice, bob_account, "10.00", beneficiary=other.pk)
    assert response.json()["code"] == "beneficiary_mismatch"


def test_cooling_off_applies_to_outgoing_payments(alice, rich_alice, settings):
    settings.BENEFICIARY_COOLING_OFF_HOURS = 48
    saved_beneficiary(alice, EXTERNAL_IBAN, hours_ago=30)
    with pytest.raises(BeneficiaryCoolingOff):
        initiate_outgoing_payment(
            from_account_number=rich_alice.number, money=Money("1200.00", "EUR"), rail="instant",
            creditor_name="Ana", creditor_account=EXTERNAL_IBAN, creditor_country="PT", initiated_by=alice.user,
            idempotency_key="p1")
    assert not OutgoingPayment.objects.exists()
    assert LedgerAccount.objects.get(pk=rich_alice.ledger_account_id).balance == Decimal("5000.00")


def _cooling_off(money, *, beneficiary=None, customer_initiated=True):
    from django.utils import timezone

    from apps.payments.services.beneficiaries import ensure_cooling_off_respected

    ensure_cooling_off_respected(beneficiary=beneficiary, money=money, customer_initiated=customer_initiated,
                                 now=timezone.now())


def test_the_cooling_off_amount_is_the_one_of_the_payments_currency(alice, bob_account, settings):
    # given: 1,000 euros, 150,000 yen
    settings.BENEFICIARY_COOLING_OFF_AMOUNTS = {"EUR": "1000.00", "JPY": "150000"}
    new = saved_beneficiary(alice, bob_account.number, hours_ago=1)
    # when / then: 1,500 yen is a small payment, whatever 1,500 euros would be
    _cooling_off(Money("1500", "JPY"), beneficiary=new)
    _cooling_off(Money("150000", "JPY"), beneficiary=new)
    with pytest.raises(BeneficiaryCoolingOff, match="above 150000 JPY"):
        _cooling_off(Money("150001", "JPY"), beneficiary=new)
    with pytest.raises(BeneficiaryCoolingOff, match=r"above 1000.00 EUR"):
        _cooling_off(Money("1000.01", "EUR"), beneficiary=new)


def test_a_currency_without_a_cooling_off_amount_waits_whatever_the_amount(alice, bob_account, settings):
    # given: no amount set for dollars
    settings.BENEFICIARY_COOLING_OFF_AMOUNTS = {"EUR": "1000.00"}
    new = saved_beneficiary(alice, bob_account.number, hours_ago=1)
    old = saved_beneficiary(alice, EXTERNAL_IBAN, hours_ago=25)
    # when / then: a new beneficiary waits for any dollar amount; one past its cooling-off period does not
    with pytest.raises(BeneficiaryCoolingOff, match="Payments in USD to a beneficiary are possible 24 hours"):
        _cooling_off(Money("1.00", "USD"), beneficiary=new)
    _cooling_off(Money("1000000.00", "USD"), beneficiary=old)
    # staff paying an unsaved payee at the counter are not subject to it, in any currency
    _cooling_off(Money("1000000.00", "USD"), customer_initiated=False)
