"""The selection rules of a transfer, each checked over both readers of its facts: PostgreSQL's one statement
(``facts.pg.sql``) and the ORM's queries with the rule functions it mirrors (what the SQLite demo runs)."""

import datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from apps.accounts.models import Account
from apps.accounts.services.holds import place_hold
from apps.accounts.tests.factories import savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import kyc_document
from apps.kyc.models import KycDocument
from apps.kyc.rules import DocumentType
from apps.kyc.selectors import documents_that_count
from apps.money import Money
from apps.organization.selectors import current_business_date
from apps.organization.tests.factories import StaffFactory
from apps.payments.models import Channel, CustomerTier, FeeSchedule, Transfer, TransferLimit
from apps.payments.pricing import (
    applicable_fee_schedule,
    applicable_transfer_limit,
    customer_tier,
    spent_on,
    transfers_counting_toward_daily_limit,
)
from apps.payments.services.transfers import facts as transfer_facts
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["sql", "orm"])
def facts_reader(request, monkeypatch):
    monkeypatch.setattr(transfer_facts, "USE_SQL", request.param == "sql")
    return request.param


def _facts(account, *, channel=Channel.API, currency="EUR"):
    payer = Account.objects.select_related("customer", "product").get(pk=account.pk)
    return transfer_facts.read_transfer_facts(payer=payer, channel=channel, currency=currency, initiated_by_id=0,
                                              idempotency_key="none", beneficiary_destination=None)


def _fee(product=None, channel=Channel.API, currency="EUR", fixed="0.10", active=True):
    return FeeSchedule.objects.create(product=product, channel=channel, currency=currency, fixed_fee=Decimal(fixed),
                                      is_active=active)


def _limit(product=None, tier=CustomerTier.STANDARD, currency="EUR", per_transaction="100.00"):
    return TransferLimit.objects.create(product=product, customer_tier=tier, currency=currency,
                                        per_transaction=Decimal(per_transaction), per_day=Decimal("1000.00"))


def test_the_products_own_active_fee_schedule_applies_before_the_default_one(alice_account, savings):
    # given a default schedule, the product's own one, an inactive and another channel's for the product
    _fee(fixed="0.50")
    own = _fee(product=savings, fixed="0.20")
    _fee(product=savings, fixed="0.01", active=False)
    _fee(product=savings, channel=Channel.BRANCH, fixed="0.02")
    # then the product's own active one for the channel applies, on both readers
    assert _facts(alice_account).fee_schedule.pk == own.pk
    assert applicable_fee_schedule(product_id=savings.pk, channel=Channel.API, currency="EUR").pk == own.pk
    assert _facts(alice_account).fee_schedule.fixed_fee == Decimal("0.20")


def test_the_default_fee_schedule_applies_when_the_product_has_none(alice_account, savings):
    other_product = savings_product(code="OTH", rate="0")
    _fee(product=other_product, fixed="0.30")
    default = _fee(fixed="0.50")
    _fee(currency="USD", fixed="0.70")
    assert _facts(alice_account).fee_schedule.pk == default.pk
    assert applicable_fee_schedule(product_id=savings.pk, channel=Channel.API, currency="EUR").pk == default.pk


def test_no_fee_schedule_for_the_channel_and_currency_is_none(alice_account, savings):
    _fee(channel=Channel.BRANCH)
    _fee(active=False)
    assert _facts(alice_account).fee_schedule is None
    assert applicable_fee_schedule(product_id=savings.pk, channel=Channel.API, currency="EUR") is None


def test_the_limit_of_the_customers_tier_applies_the_products_own_line_first(alice, alice_account, savings,
                                                                            branch_a):
    # given standard and premium lines, by default and for the product
    _limit(per_transaction="10.00")
    own_standard = _limit(product=savings, per_transaction="20.00")
    default_premium = _limit(tier=CustomerTier.PREMIUM, per_transaction="500.00")
    # then a standard customer gets the product's standard line
    assert customer_tier(alice) == CustomerTier.STANDARD
    assert _facts(alice_account).limit.pk == own_standard.pk
    assert applicable_transfer_limit(product_id=savings.pk, tier=CustomerTier.STANDARD,
                                     currency="EUR").pk == own_standard.pk
    # and a premium customer the default premium line (the product has no premium line)
    Customer.objects.filter(pk=alice.pk).update(is_premium=True, premium_since="2026-01-01",
                                                 relationship_manager=StaffFactory(home_branch=branch_a))
    assert customer_tier(Customer.objects.get(pk=alice.pk)) == CustomerTier.PREMIUM
    assert _facts(alice_account).limit.pk == default_premium.pk
    assert _facts(alice_account).limit.per_transaction == Decimal("500.00")
    assert applicable_transfer_limit(product_id=savings.pk, tier=CustomerTier.PREMIUM,
                                     currency="EUR").pk == default_premium.pk


def test_no_limit_line_for_the_tier_and_currency_is_none(alice_account, savings):
    _limit(tier=CustomerTier.PREMIUM)
    _limit(currency="USD")
    assert _facts(alice_account).limit is None
    assert applicable_transfer_limit(product_id=savings.pk, tier=CustomerTier.STANDARD, currency="EUR") is None


def test_todays_total_counts_completed_and_held_transfers_of_the_day_not_rejected_nor_other_days(
        alice_account, bob_account, teller_a):
    # given alice's completed transfers today and yesterday, a held one and a rejected one today
    today = current_business_date()

    def pay(amount, key):
        return transfer_between_accounts(from_account_number=alice_account.number,
                                         to_account_number=bob_account.number, money=Money(amount, "EUR"),
                                         initiated_by=teller_a, idempotency_key=key, channel=Channel.BRANCH)

    pay("10.00", "today")
    yesterday = pay("20.00", "yesterday")
    Transfer.objects.filter(pk=yesterday.pk).update(business_date=today - datetime.timedelta(days=1))
    common = {"from_account": alice_account, "to_account": bob_account, "currency": "EUR",
              "channel": Channel.BRANCH, "business_date": today, "initiated_by": teller_a}
    hold = place_hold(account=alice_account, amount=Money("4.00", "EUR"), reason="review", actor=teller_a,
                      idempotency_key=uuid4().hex)
    held = Transfer.objects.create(amount=Decimal("4.00"), status=Transfer.Status.HELD, hold=hold,
                                   idempotency_key="held", **common)
    Transfer.objects.create(amount=Decimal("8.00"), status=Transfer.Status.REJECTED, idempotency_key="rejected",
                            **common)
    # then today's total is the completed and the held one of today
    assert _facts(alice_account).spent_today == Decimal("14.00")
    assert spent_on(account_id=alice_account.pk, business_date=today) == Decimal("14.00")
    counted = set(transfers_counting_toward_daily_limit(account_id=alice_account.pk, business_date=today)
                  .values_list("idempotency_key", flat=True))
    assert counted == {"today", held.idempotency_key}


def test_the_kyc_documents_that_count_are_the_required_types_not_rejected(alice, alice_account):
    # given alice's documents on file (verified_customer): a government id and a proof of address, accepted
    on_file = set(KycDocument.objects.filter(customer=alice).values_list("pk", flat=True))
    expired = kyc_document(alice, DocumentType.GOVERNMENT_ID, status=KycDocument.Status.EXPIRED)
    received = kyc_document(alice, DocumentType.PROOF_OF_ADDRESS, status=KycDocument.Status.RECEIVED)
    kyc_document(alice, DocumentType.GOVERNMENT_ID, status=KycDocument.Status.REJECTED)
    kyc_document(alice, DocumentType.BUSINESS_LICENSE)  # not a type an individual must provide
    # then the accepted, received and expired ones of a required type count, the oldest first
    counted = KycDocument.objects.filter(pk__in=on_file | {expired.pk, received.pk}).order_by("id")
    expected = list(counted.values_list("document_type", "expiry_date", "status"))
    assert _facts(alice_account).kyc_documents == expected
    assert list(documents_that_count(alice).values_list("document_type", "expiry_date", "status")) == expected
