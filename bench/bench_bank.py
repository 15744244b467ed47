"""The scratch bank the transfer benchmarks share: one branch, the chart of accounts, a teller, a savings product
with a fee on every API transfer, and verified customers with funded accounts."""

import datetime
from decimal import Decimal


def open_bench_bank():
    """Migrate the scratch database and open the bank; returns (branch, teller, product)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.accounts.tests.factories import install_chart, savings_product
    from apps.organization import roles
    from apps.organization.models import Bank
    from apps.organization.services import create_staff_user, open_branch
    from apps.payments.models import Channel, FeeSchedule

    Bank.objects.create(code="BENCH", name="Bench bank", current_business_date=datetime.date(2026, 11, 23))
    branch = open_branch(bank=Bank.objects.get(), code="B01", name="Bench branch")
    install_chart()
    teller = create_staff_user(username="bench.teller", password="bench-password-long-enough",  # noqa: S106
                               role=roles.TELLER, home_branch=branch)
    product = savings_product(rate="1.5")
    FeeSchedule.objects.create(channel=Channel.API, currency="EUR", fixed_fee=Decimal("0.10"),
                               percentage=Decimal("0.001"), maximum_fee=Decimal("5.00"))
    return branch, teller, product


def open_funded_customer_account(index: int, *, branch, teller, product, user=None):
    """A verified customer (with ``user`` as their login, if given) and an account holding 100,000.00."""
    from apps.accounts.services.opening import open_account
    from apps.accounts.tests.factories import deposit
    from apps.customers.tests.factories import verified_customer

    customer = verified_customer(branch=branch, legal_name=f"Bench Customer {index}", user=user)
    account = open_account(customer=customer, product=product, actor=teller)
    deposit(account, "100000.00", teller=teller)
    return account
