"""A statement's "Fees in the period" counts every fee the account paid: monthly fees and transfer fees, net of
a fee given back by a reversal; a payee pays nothing for the transfers it receives."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.services.interest import charge_monthly_fees
from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.services import reverse_journal_entry
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.models import Channel, FeeSchedule
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


def _statement_fees(user, account, date_from, date_to):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/accounts/{account.number}/statement/?from={date_from}&to={date_to}")
    rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    return next(row[5] for row in rows if row[1:2] == ["Fees in the period"])


@pytest.fixture
def accounts(chart, branch_a, teller_a):
    product = savings_product(rate="0", monthly_fee=Decimal("3.50"))
    FeeSchedule.objects.create(product=product, channel=Channel.BRANCH, currency="EUR", fixed_fee=Decimal("0.55"))
    payer = verified_customer(branch=branch_a, user=CustomerUserFactory())
    payee = verified_customer(branch=branch_a, user=CustomerUserFactory())
    return (open_funded_account(payer, product, "500.00", teller=teller_a),
            open_funded_account(payee, product, "100.00", teller=teller_a))


def _pay(payer, payee, teller, key, amount="20.00"):
    return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                     money=Money(amount, "EUR"), channel=Channel.BRANCH, initiated_by=teller,
                                     idempotency_key=key)


def test_the_statement_fees_include_transfer_fees_with_the_monthly_fee(accounts, teller_a, ops_admin):
    # given: two transfers with a fee of 0.55 each, one reversed (its fee given back), and a monthly fee of 3.50
    payer, payee = accounts
    opened = payer.opened_on
    _pay(payer, payee, teller_a, "t1")
    _pay(payer, payee, teller_a, "t2")
    refunded = _pay(payer, payee, teller_a, "t3")
    reverse_journal_entry(entry=refunded.entry, reason="keyed twice", reversed_by=ops_admin)
    month_end = (opened.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    assert charge_monthly_fees(month_end)["charged"] == 2
    period = (opened.replace(day=1), month_end + datetime.timedelta(days=1))
    # then: the payer paid 0.55 + 0.55 + 3.50; the payee only its monthly fee
    assert _statement_fees(payer.customer.user, payer, *period) == "4.60"
    assert _statement_fees(payee.customer.user, payee, *period) == "3.50"
