"""Real races on PostgreSQL: concurrent transfers never overdraw, never pass a daily limit, conserve money."""

import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import DomainError
from apps.ledger.models import LedgerAccount
from apps.ledger.selectors import account_balance
from apps.money import Money
from apps.payments.models import Channel, FeeSchedule, Transfer, TransferLimit
from apps.payments.selectors import payer_accounts_of
from apps.payments.services.transfers import transfer_between_accounts
from tests.races import run_in_threads

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
THREADS = 16


@pytest.fixture
def bank_with_customers(branch_a, branch_b, teller_a):
    install_chart()
    product = savings_product(rate="0")
    FeeSchedule.objects.create(product=None, channel=Channel.API, currency="EUR", fixed_fee=Decimal("0.10"))
    customers = [verified_customer(branch=branch_a, user=__import__(
        "apps.organization.tests.factories", fromlist=["CustomerUserFactory"]).CustomerUserFactory())
        for _ in range(4)]
    accounts = [open_funded_account(c, product, "200.00", teller=teller_a) for c in customers]
    return customers, accounts


def test_concurrent_transfers_conserve_money_and_never_overdraw(bank_with_customers):
    customers, accounts = bank_with_customers
    refused = []

    def work(index):
        rng = random.Random(index)
        for n in range(15):
            payer_index, payee_index = rng.sample(range(len(accounts)), 2)
            customer = customers[payer_index]
            try:
                transfer_between_accounts(
                    from_account_number=accounts[payer_index].number, to_account_number=accounts[payee_index].number,
                    money=Money(f"{rng.randint(100, 9000) / 100:.2f}", "EUR"), initiated_by=customer.user,
                    idempotency_key=f"{index}-{n}", payer_accounts=payer_accounts_of(customer.user),
                )
            except DomainError as error:
                assert error.code == "insufficient_available_balance", error
                refused.append(error)

    errors = run_in_threads(work, threads=THREADS)

    assert errors == []
    balances = [LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in accounts]
    fees = account_balance(LedgerAccount.objects.get(code="4000")).amount
    assert all(balance >= 0 for balance in balances)
    assert sum(balances) + fees == Decimal("800.00")
    assert fees == Decimal("0.10") * Transfer.objects.count()
    assert Transfer.objects.count() + len(refused) == THREADS * 15
    call_command("ledger_check")


def test_concurrent_transfers_never_pass_the_daily_limit(bank_with_customers):
    customers, accounts = bank_with_customers
    TransferLimit.objects.create(customer_tier="standard", currency="EUR", per_transaction=Decimal("10.00"),
                                 per_day=Decimal("55.00"))
    payer = customers[0]

    def work(index):
        try:
            transfer_between_accounts(
                from_account_number=accounts[0].number, to_account_number=accounts[1 + index % 3].number,
                money=Money("10.00", "EUR"), initiated_by=payer.user, idempotency_key=f"limit-{index}",
                payer_accounts=payer_accounts_of(payer.user),
            )
        except DomainError as error:
            assert error.code == "daily_limit_exceeded", error

    errors = run_in_threads(work, threads=THREADS)

    assert errors == []
    sent = Transfer.objects.filter(from_account=accounts[0])
    assert sent.count() == 5  # 5 x 10.00 fits in 55.00; the sixth would not, whichever thread came first
    assert sum(t.amount for t in sent) <= Decimal("55.00")
