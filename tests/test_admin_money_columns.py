"""Money in the ledger and payments admin reads as money: the currency's decimals, a thousands separator, the
code, right-aligned ("1,234.50 EUR"), never "399.5000" nor a float; currency filters offer the currencies the
bank uses, not ISO 4217's fifty."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import Posting
from apps.money import Money
from apps.organization.models import User
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.models import Channel, FeeSchedule, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db

RIGHT_ALIGNED = 'style="display:block;text-align:right;white-space:nowrap"'


@pytest.fixture
def payments(branch_a, branch_b, teller_a):
    install_chart()
    product = savings_product(rate="0")
    FeeSchedule.objects.create(product=product, channel=Channel.BRANCH, currency="EUR", fixed_fee=Decimal("0.55"))
    payer = verified_customer(branch=branch_a, user=CustomerUserFactory())
    payee = verified_customer(branch=branch_a, user=CustomerUserFactory())
    payer_account = open_funded_account(payer, product, "2500.00", teller=teller_a)
    payee_account = open_funded_account(payee, product, "100.00", teller=teller_a)
    transfer = transfer_between_accounts(
        from_account_number=payer_account.number, to_account_number=payee_account.number,
        money=Money("1399.5", "EUR"), channel=Channel.BRANCH, initiated_by=teller_a, idempotency_key="m1")
    payment = initiate_outgoing_payment(
        from_account_number=payer_account.number, money=Money("399.5", "EUR"), rail="instant",
        creditor_name="Ana Costa", creditor_account="PT50000201231234567890154", creditor_country="PT",
        initiated_by=payer.user, idempotency_key="m2")
    return transfer, payment


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x-correct-horse"))
    return client


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _reads_as_money(page, *shown):
    """Each amount right-aligned in its currency's format, and none with the four decimals it is stored with."""
    for amount in shown:
        assert f"{RIGHT_ALIGNED}>{amount}</span>" in page, amount
    noisy = [page[max(0, m.start() - 160):m.end() + 40]
             for m in re.finditer(r"\b\d+\.\d{4}\b", page)]
    assert not noisy, noisy


def test_transfer_list_and_page_show_amount_and_fee_in_the_currencys_format(payments, superuser_client):
    transfer, _ = payments
    _reads_as_money(_page(superuser_client, "/admin/payments/transfer/"), "1,399.50 EUR", "0.55 EUR")
    _reads_as_money(_page(superuser_client, f"/admin/payments/transfer/{transfer.pk}/change/"), "1,399.50 EUR",
                    "0.55 EUR")


def test_outgoing_payment_list_and_page_show_money(payments, superuser_client):
    _, payment = payments
    _reads_as_money(_page(superuser_client, "/admin/payments/outgoingpayment/"), "399.50 EUR")
    _reads_as_money(_page(superuser_client, f"/admin/payments/outgoingpayment/{payment.pk}/change/"), "399.50 EUR")


def test_fee_schedule_list_shows_the_fee_as_money(payments, superuser_client):
    page = _page(superuser_client, "/admin/payments/feeschedule/")
    _reads_as_money(page, "0.55 EUR")


def test_ledger_balances_postings_and_an_entrys_postings_show_money(payments, superuser_client):
    transfer, _ = payments
    payer_ledger = transfer.from_account.ledger_account
    # 2,500.00 - 1,399.50 - 0.55 - 399.50
    _reads_as_money(_page(superuser_client, "/admin/ledger/ledgeraccount/"), "700.45 EUR")
    _reads_as_money(_page(superuser_client, f"/admin/ledger/ledgeraccount/{payer_ledger.pk}/change/"),
                    "700.45 EUR")
    _reads_as_money(_page(superuser_client, "/admin/ledger/posting/"), "1,400.05 EUR", "1,399.50 EUR")
    posting = Posting.objects.get(entry=transfer.entry, account=payer_ledger)
    _reads_as_money(_page(superuser_client, f"/admin/ledger/posting/{posting.pk}/change/"), "1,400.05 EUR")
    _reads_as_money(_page(superuser_client, f"/admin/ledger/journalentry/{transfer.entry_id}/change/"),
                    "1,400.05 EUR", "1,399.50 EUR", "0.55 EUR")


@pytest.mark.parametrize("path", ["/admin/ledger/ledgeraccount/", "/admin/ledger/posting/",
                                  "/admin/payments/transfer/", "/admin/payments/outgoingpayment/",
                                  "/admin/payments/paymentreview/", "/admin/payments/feeschedule/",
                                  "/admin/payments/transferlimit/", "/admin/payments/fraudrule/"])
def test_currency_filters_offer_only_the_currencies_in_use(payments, superuser_client, path):
    page = _page(superuser_client, path)
    assert "?currency=EUR" in page
    assert "currency=USD" not in page and "currency__exact=USD" not in page and "currency=JPY" not in page


def test_the_currency_filter_filters(payments, superuser_client):
    transfer, _ = payments
    assert f"/admin/payments/transfer/{transfer.pk}/change/" in _page(superuser_client,
                                                                     "/admin/payments/transfer/?currency=EUR")
    assert Transfer.objects.count() == 1
    assert f"/admin/payments/transfer/{transfer.pk}/change/" not in _page(
        superuser_client, "/admin/payments/transfer/?currency=USD")
