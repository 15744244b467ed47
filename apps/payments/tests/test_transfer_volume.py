"""The home's transfer chart: transfers that moved money per business date and currency, for a branch's payer
accounts or the whole bank."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.eod.services import advance_business_date
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.selectors import transfer_volume_per_day
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


def test_transfer_volume_per_day_counts_and_sums_by_payer_branch(bank, branch_a, branch_b, teller_a, teller_b,
                                                                  django_assert_num_queries):
    # given: Lisbon pays 10.00 and 15.50 on the first date, Porto 7.25 on the second
    install_chart()
    product = savings_product(rate="0")
    ana = open_funded_account(verified_customer(branch=branch_a, user=CustomerUserFactory()), product, "500.00",
                              teller=teller_a)
    rui = open_funded_account(verified_customer(branch=branch_b, user=CustomerUserFactory()), product, "500.00",
                              teller=teller_b)
    first = bank.current_business_date
    for key, amount in (("a", "10.00"), ("b", "15.50")):
        transfer_between_accounts(from_account_number=ana.number, to_account_number=rui.number,
                                  money=Money(amount, "EUR"), initiated_by=ana.customer.user, idempotency_key=key)
    second = first + datetime.timedelta(days=1)
    advance_business_date(to=second)
    transfer_between_accounts(from_account_number=rui.number, to_account_number=ana.number,
                              money=Money("7.25", "EUR"), initiated_by=rui.customer.user, idempotency_key="c")
    # when
    with django_assert_num_queries(1):
        bank_wide = transfer_volume_per_day(branches=None, business_date=second, days=3)
    lisbon = transfer_volume_per_day(branches=[branch_a], business_date=second, days=3)
    # then
    assert bank_wide.dates == [first - datetime.timedelta(days=1), first, second]
    assert bank_wide.amounts == {"EUR": [Decimal("0"), Decimal("25.50"), Decimal("7.25")]}
    assert bank_wide.counts == {"EUR": [0, 2, 1]}
    assert lisbon.amounts == {"EUR": [Decimal("0"), Decimal("25.50"), Decimal("0")]}
    assert lisbon.counts == {"EUR": [0, 2, 0]}
