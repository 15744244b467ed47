"""One active fee per product, channel and currency, and one limit per product, tier and currency, the default line
(no product) included: the database refuses a second one on PostgreSQL (UNIQUE NULLS NOT DISTINCT) and on SQLite
(triggers, payments migration 0008), even for a write that skips the admin's validation."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.accounts.tests.factories import savings_product
from apps.payments.models import Channel, CustomerTier, FeeSchedule, TransferLimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(chart):
    return savings_product(rate="0")


@pytest.fixture
def chart(branch_a):
    from apps.accounts.tests.factories import install_chart

    install_chart()


@pytest.mark.parametrize("for_product", [False, True], ids=["default line", "product line"])
def test_a_second_active_fee_for_one_product_channel_and_currency_is_refused(product, for_product):
    line = {"product": product if for_product else None, "channel": Channel.API, "currency": "EUR"}
    first = FeeSchedule.objects.create(**line, fixed_fee=Decimal("0.10"))
    with pytest.raises(IntegrityError, match="one_active_fee_per_product_channel"), transaction.atomic():
        FeeSchedule.objects.create(**line, fixed_fee=Decimal("0.20"))
    assert list(FeeSchedule.objects.values_list("pk", "fixed_fee")) == [(first.pk, Decimal("0.10"))]


def test_an_inactive_fee_may_sit_beside_the_active_one_but_not_be_reactivated(product):
    line = {"product": None, "channel": Channel.API, "currency": "EUR"}
    FeeSchedule.objects.create(**line, fixed_fee=Decimal("0.10"))
    old = FeeSchedule.objects.create(**line, fixed_fee=Decimal("0.05"), is_active=False)
    with pytest.raises(IntegrityError, match="one_active_fee_per_product_channel"), transaction.atomic():
        FeeSchedule.objects.filter(pk=old.pk).update(is_active=True)
    assert FeeSchedule.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize("for_product", [False, True], ids=["default line", "product line"])
def test_a_second_limit_for_one_product_tier_and_currency_is_refused(product, for_product):
    line = {"product": product if for_product else None, "customer_tier": CustomerTier.STANDARD, "currency": "EUR"}
    TransferLimit.objects.create(**line, per_transaction=Decimal("100.00"), per_day=Decimal("500.00"))
    with pytest.raises(IntegrityError, match="one_limit_per_product_tier_currency"), transaction.atomic():
        TransferLimit.objects.create(**line, per_transaction=Decimal("200.00"), per_day=Decimal("900.00"))
    assert TransferLimit.objects.count() == 1
