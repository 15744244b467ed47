"""Every amount the API answers with has exactly its currency's decimals: none for JPY, three for KWD, two for
EUR (not the four of storage)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.services.opening import open_account
from apps.accounts.tests.factories import open_funded_account, product
from apps.ledger.models import AccountType
from apps.ledger.services import credit, debit, open_ledger_account, post_journal_entry
from apps.money import Money
from apps.payments.models import Channel
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _funded(customer, deposit_product, amount, teller):
    """An account in a currency the vaults do not hold, funded by an entry from a house account of that currency."""
    account = open_account(customer=customer, product=deposit_product, actor=teller)
    currency = deposit_product.currency
    house = open_ledger_account(code=f"1999-{currency}-{account.pk}", name=f"Funding {currency}",
                                type=AccountType.ASSET, currency=currency)
    post_journal_entry(postings=[debit(house, Money(amount, currency)),
                                 credit(account.ledger_account, Money(amount, currency))],
                       description="funding", source="test", idempotency_key=f"fund-{account.pk}")
    return account


@pytest.mark.parametrize(("currency", "amount", "shown", "fee"), [
    ("JPY", "1500", "1500", "0"), ("KWD", "12.345", "12.345", "0.000"), ("EUR", "12.30", "12.30", "0.00")])
def test_a_transfer_shows_its_amounts_with_the_currencys_decimals(alice, bob, chart, teller_a, currency, amount,
                                                                  shown, fee):
    deposit_product = product(code=f"S{currency}", currency=currency)
    payer = _funded(alice, deposit_product, "100000", teller_a)
    payee = _funded(bob, deposit_product, "1", teller_a)
    transfer = transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                         money=Money(amount, currency), channel=Channel.BRANCH,
                                         initiated_by=teller_a, idempotency_key="amounts")
    body = _client(alice.user).get(reverse("v1:transfer-detail", args=[transfer.pk])).json()
    assert (body["amount"], body["fee"]) == (shown, fee)
    entry = _client(teller_a).get(reverse("v1:journal-entry-detail", args=[transfer.entry_id])).json()
    assert {posting["amount"] for posting in entry["postings"]} == {shown}


def test_a_hold_shows_its_amount_with_two_decimals_in_eur(alice, savings, teller_a):
    account = open_funded_account(alice, savings, "900.00", teller=teller_a)
    client = _client(teller_a)
    placed = client.post(f"/api/v1/accounts/{account.number}/holds/", {"amount": "500", "reason": "card"},
                         format="json", HTTP_IDEMPOTENCY_KEY="hold-500")
    assert placed.status_code == 201, placed.json()
    assert placed.json()["amount"] == "500.00"
    assert client.get(f"/api/v1/accounts/{account.number}/holds/").json()[0]["amount"] == "500.00"
