"""Fraud rules: each kind fires when it should and only then; a block refuses the payment and leaves only
the decision; a hold records the payment for review."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Hold
from apps.accounts.tests.factories import open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.payments.errors import PaymentBlockedByFraudRule
from apps.payments.models import FraudDecision, FraudRule, OutgoingPayment, PaymentReview, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule, saved_beneficiary
from tests.database_refusals import refused_by

TRANSFERS = reverse("v1:transfer-list")
EXTERNAL_IBAN = "PT50000201231234567890154"


@pytest.fixture
def rich_alice(alice, savings, teller_a):
    return open_funded_account(alice, savings, "5000.00", teller=teller_a)


def _pay(alice, payer, payee, amount="10.00", key="k1"):
    return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                     money=Money(amount, "EUR"), initiated_by=alice.user, idempotency_key=key)


def _pay_abroad(alice, payer, amount="10.00", key="p1", country="PT"):
    return initiate_outgoing_payment(
        from_account_number=payer.number, money=Money(amount, "EUR"), rail="instant", creditor_name="Ana",
        creditor_account=EXTERNAL_IBAN, creditor_country=country, initiated_by=alice.user, idempotency_key=key)


@pytest.mark.django_db
class TestVelocity:
    def test_fires_on_more_than_n_payments_in_the_window(self, alice, rich_alice, bob_account):
        fraud_rule("velocity", max_payments=2, window_minutes=10)
        _pay(alice, rich_alice, bob_account, key="a")
        _pay(alice, rich_alice, bob_account, key="b")
        with pytest.raises(PaymentBlockedByFraudRule):
            _pay(alice, rich_alice, bob_account, key="c")
        decision = FraudDecision.objects.get()
        assert decision.figures == {"payments_in_window": 3, "max_payments": 2, "window_minutes": 10}

    def test_does_not_fire_for_payments_outside_the_window(self, alice, rich_alice, bob_account):
        fraud_rule("velocity", max_payments=1, window_minutes=10)
        _pay(alice, rich_alice, bob_account, key="a")
        Transfer.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        _pay(alice, rich_alice, bob_account, key="b")
        assert not FraudDecision.objects.exists()

    def test_own_account_transfers_are_exempt(self, alice, rich_alice, alice_account):
        fraud_rule("velocity", max_payments=1, window_minutes=10)
        for key in "abc":
            _pay(alice, rich_alice, alice_account, key=key)
        assert Transfer.objects.count() == 3
        assert not FraudDecision.objects.exists()


@pytest.mark.django_db
class TestUnusualAmount:
    def test_fires_above_the_multiple_of_the_usual(self, alice, rich_alice, bob_account):
        fraud_rule("unusual_amount", multiple="3", history_size=5, minimum_history=3)
        for i, amount in enumerate(["10.00", "20.00", "30.00"]):
            _pay(alice, rich_alice, bob_account, amount, key=f"h{i}")
        _pay(alice, rich_alice, bob_account, "60.00", key="ok")  # average 20: 60 is not above 3 x 20
        with pytest.raises(PaymentBlockedByFraudRule):
            _pay(alice, rich_alice, bob_account, "91.00", key="big")  # average of last 4 is 30: 91 > 90
        assert FraudDecision.objects.get().figures == {"amount": "91.00", "average": "30.00", "history": 4,
                                                       "multiple": "3"}

    def test_needs_a_minimum_history(self, alice, rich_alice, bob_account):
        fraud_rule("unusual_amount", multiple="2", history_size=5, minimum_history=3)
        _pay(alice, rich_alice, bob_account, "1.00", key="a")
        _pay(alice, rich_alice, bob_account, "1.00", key="b")
        _pay(alice, rich_alice, bob_account, "900.00", key="c")
        assert not FraudDecision.objects.exists()


@pytest.mark.django_db
class TestNewBeneficiaryLargeAmount:
    def test_fires_for_a_young_beneficiary_and_a_large_amount(self, alice, rich_alice, bob_account):
        fraud_rule("new_beneficiary_large_amount", max_age_hours=72, amount_above="500.00")
        saved_beneficiary(alice, bob_account.number, hours_ago=48)
        with pytest.raises(PaymentBlockedByFraudRule):
            _pay(alice, rich_alice, bob_account, "500.01")
        assert FraudDecision.objects.get().figures["max_age_hours"] == 72

    def test_does_not_fire_for_an_old_beneficiary_or_a_small_amount(self, alice, rich_alice, bob_account):
        fraud_rule("new_beneficiary_large_amount", max_age_hours=72, amount_above="500.00")
        young = saved_beneficiary(alice, bob_account.number, hours_ago=1)
        _pay(alice, rich_alice, bob_account, "500.00", key="small")
        from apps.payments.models import Beneficiary

        Beneficiary.objects.filter(pk=young.pk).update(created_at=young.created_at - datetime.timedelta(hours=72))
        _pay(alice, rich_alice, bob_account, "900.00", key="old")
        assert not FraudDecision.objects.exists()


def _check(payer, amount, currency, *, beneficiary=None):
    """A payment of ``amount`` in ``currency`` from ``payer``'s customer, as the rules see it."""
    from django.utils import timezone

    from apps.payments.services.fraud import PaymentUnderCheck

    return PaymentUnderCheck(payment_kind="transfer", from_account=payer, money=Money(amount, currency),
                             destination=EXTERNAL_IBAN, destination_country="PT", beneficiary=beneficiary,
                             initiated_by=payer.customer.user, idempotency_key="check", now=timezone.now())


@pytest.mark.django_db
class TestAmountRulesPerCurrency:
    def test_an_amount_rule_checks_only_payments_in_its_currency(self, alice, rich_alice, bob_account):
        # given: a large amount in yen, which would be a small one in euros
        fraud_rule("new_beneficiary_large_amount", name="Large in JPY", currency="JPY", max_age_hours=72,
                   amount_above="500")
        # when a payment of 900 euros goes to a new payee
        transfer = _pay(alice, rich_alice, bob_account, "900.00")
        # then the yen rule did not look at it
        assert transfer.status == Transfer.Status.COMPLETED
        assert not FraudDecision.objects.exists()

    def test_each_currency_is_compared_with_its_own_rule(self, alice_account):
        # given one rule per currency
        from apps.payments.services.fraud import evaluate_fraud_rules

        fraud_rule("new_beneficiary_large_amount", name="Large in EUR", currency="EUR", max_age_hours=72,
                   amount_above="2000.00")
        fraud_rule("new_beneficiary_large_amount", name="Large in JPY", currency="JPY", max_age_hours=72,
                   amount_above="300000")

        def fired(amount, currency):
            return [f.rule.name for f in evaluate_fraud_rules(_check(alice_account, amount, currency))]

        # then
        assert fired("150000", "JPY") == []
        assert fired("300001", "JPY") == ["Large in JPY"]
        assert fired("2000.01", "EUR") == ["Large in EUR"]
        assert fired("1000000.00", "USD") == []  # no rule in dollars

    def test_the_usual_amount_is_the_average_of_payments_in_the_same_currency(self, alice, rich_alice,
                                                                             bob_account):
        # given: a history of small euro payments
        from apps.payments.services.fraud import evaluate_fraud_rules

        fraud_rule("unusual_amount", multiple="3", history_size=5, minimum_history=3)
        for i in range(3):
            _pay(alice, rich_alice, bob_account, "10.00", key=f"h{i}")
        # then: 5,000 yen is not compared with 10 euros (no yen history yet), 31 euros is
        assert evaluate_fraud_rules(_check(rich_alice, "5000", "JPY")) == []
        assert evaluate_fraud_rules(_check(rich_alice, "31.00", "EUR"))[0].figures["average"] == "10.00"

    @pytest.mark.parametrize(("kind", "parameters", "currency"), [
        ("new_beneficiary_large_amount", {"max_age_hours": 24, "amount_above": "1000.00"}, ""),
        ("velocity", {"max_payments": 3, "window_minutes": 5}, "EUR"),
        ("high_risk_country", {"countries": ["KP"]}, "EUR"),
    ])
    def test_only_a_rule_with_an_amount_has_a_currency_and_it_must(self, kind, parameters, currency):
        # when
        with pytest.raises(ValidationError) as invalid:
            FraudRule(name="r", kind=kind, action="block", parameters=parameters, currency=currency).full_clean()
        # then
        assert list(invalid.value.message_dict) == ["currency"]

    def test_the_database_refuses_an_amount_rule_without_a_currency(self):
        with refused_by("fraud_rule_currency_only_with_an_amount"):
            FraudRule.objects.create(name="r", kind="new_beneficiary_large_amount", action="hold",
                                     parameters={"max_age_hours": 24, "amount_above": "1000.00"})
        assert not FraudRule.objects.exists()


@pytest.mark.django_db
class TestHighRiskCountry:
    def test_fires_for_a_listed_destination(self, alice, rich_alice):
        fraud_rule("high_risk_country", countries=["kp", "IR"])
        with pytest.raises(PaymentBlockedByFraudRule):
            _pay_abroad(alice, rich_alice, country="IR")
        assert FraudDecision.objects.get().figures == {"destination_country": "IR"}

    def test_does_not_fire_for_other_destinations(self, alice, rich_alice):
        fraud_rule("high_risk_country", countries=["KP", "IR"])
        assert _pay_abroad(alice, rich_alice, country="PT").status == OutgoingPayment.Status.INITIATED
        assert not FraudDecision.objects.exists()


@pytest.mark.django_db
def test_block_is_a_422_naming_only_the_rule_and_writes_nothing_but_the_decision(alice, rich_alice, bob_account):
    fraud_rule("velocity", name="Too many payments", max_payments=1, window_minutes=60)
    client = APIClient()
    client.force_authenticate(alice.user)
    body = {"from_account": rich_alice.number, "to_account": bob_account.number, "amount": "10.00",
            "currency": "EUR"}
    assert client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    before = LedgerAccount.objects.get(pk=rich_alice.ledger_account_id).balance
    entries = JournalEntry.objects.count()
    response = client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert response.status_code == 422
    assert response.json()["code"] == "payment_blocked_by_fraud_rule"
    assert "Too many payments" in response.json()["detail"]
    assert "60" not in response.json()["detail"] and "max" not in response.json()["detail"]
    assert Transfer.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    assert LedgerAccount.objects.get(pk=rich_alice.ledger_account_id).balance == before
    decision = FraudDecision.objects.get()
    assert (decision.action, decision.transfer, decision.idempotency_key) == ("block", None, "b")


@pytest.mark.django_db(transaction=True)
def test_block_decision_is_committed_on_its_own_while_the_payment_rolls_back(alice, rich_alice, bob_account):
    # given: real transactions (no test-wide transaction), so a rolled-back write would be gone
    fraud_rule("high_risk_country", countries=["PT"])
    entries = JournalEntry.objects.count()
    # when
    with pytest.raises(PaymentBlockedByFraudRule):
        _pay(alice, rich_alice, bob_account, "10.00")
    # then
    assert FraudDecision.objects.filter(action="block").count() == 1
    assert not Transfer.objects.exists()
    assert not Hold.objects.exists()
    assert JournalEntry.objects.count() == entries


@pytest.mark.django_db
def test_a_block_wins_over_a_hold_and_every_rule_that_fired_is_recorded(alice, rich_alice, bob_account):
    fraud_rule("high_risk_country", action="hold", countries=["PT"], priority=1)
    fraud_rule("velocity", action="block", max_payments=0 + 1, window_minutes=5, priority=2)
    _pay(alice, rich_alice, bob_account, key="first")  # held (country)
    balances = [LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in (rich_alice, bob_account)]
    with pytest.raises(PaymentBlockedByFraudRule):
        _pay(alice, rich_alice, bob_account, key="second")
    # the blocked transfer moved nothing: no row, no hold, no entry (only its decisions are recorded)
    assert list(Transfer.objects.values_list("idempotency_key", flat=True)) == ["first"]
    assert Hold.objects.filter(account=rich_alice).count() == 1
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert [LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in (rich_alice, bob_account)] == balances
    assert sorted(FraudDecision.objects.filter(transfer__isnull=True).values_list("action", flat=True)) == [
        "block", "hold"]


@pytest.mark.django_db
def test_inactive_rules_do_not_fire(alice, rich_alice, bob_account):
    rule = fraud_rule("high_risk_country", countries=["PT"])
    FraudRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert _pay(alice, rich_alice, bob_account).status == Transfer.Status.COMPLETED


@pytest.mark.django_db
def test_standing_orders_are_exempt(alice, rich_alice, bob_account):
    fraud_rule("high_risk_country", countries=["PT"])
    from apps.payments.models import Channel

    transfer = transfer_between_accounts(from_account_number=rich_alice.number, to_account_number=bob_account.number,
                                         money=Money("10.00", "EUR"), initiated_by=alice.user, idempotency_key="so",
                                         channel=Channel.STANDING_ORDER)
    assert transfer.status == Transfer.Status.COMPLETED


@pytest.mark.django_db
def test_hold_records_the_payment_for_review_with_its_funds_reserved(alice, rich_alice, bob_account):
    fraud_rule("high_risk_country", action="hold", countries=["PT"])
    transfer = _pay(alice, rich_alice, bob_account, "100.00")
    assert (transfer.status, transfer.entry) == (Transfer.Status.HELD, None)
    assert Hold.objects.get(pk=transfer.hold_id).amount == Decimal("100.00")
    assert PaymentReview.objects.get().transfer == transfer
    assert FraudDecision.objects.get().transfer == transfer


@pytest.mark.parametrize(("kind", "parameters"), [
    ("velocity", {"max_payments": 0, "window_minutes": 5}),
    ("velocity", {"max_payments": 3}),
    ("unusual_amount", {"multiple": 2.5, "history_size": 5, "minimum_history": 3}),
    ("unusual_amount", {"multiple": "2", "history_size": 3, "minimum_history": 5}),
    ("new_beneficiary_large_amount", {"max_age_hours": 24, "amount_above": "-1"}),
    ("high_risk_country", {"countries": ["Iran"]}),
    ("high_risk_country", {"countries": ["IR"], "extra": 1}),
])
def test_rule_parameters_are_validated(kind, parameters):
    with pytest.raises(ValidationError):
        FraudRule(name="r", kind=kind, action="block", parameters=parameters).clean()


@pytest.mark.django_db(transaction=True)
def test_velocity_counts_concurrent_payments_from_two_accounts_of_one_customer(branch_a, branch_b, teller_a):
    # given: a customer with two accounts, and at most 1 payment in the window
    import threading

    from django.db import connection

    from apps.accounts.tests.factories import install_chart, savings_product
    from apps.customers.tests.factories import verified_customer
    from apps.organization.tests.factories import CustomerUserFactory

    install_chart()
    savings = savings_product(rate="0")
    payer = verified_customer(branch=branch_a, user=CustomerUserFactory())
    payee = verified_customer(branch=branch_a, user=CustomerUserFactory())
    first, second = (open_funded_account(payer, savings, "100.00", teller=teller_a) for _ in range(2))
    # two payee accounts too, so that no account row lock orders the two payments
    targets = [open_funded_account(payee, savings, "1.00", teller=teller_a) for _ in range(2)]
    fraud_rule("velocity", max_payments=1, window_minutes=10)
    outcomes, start = [], threading.Barrier(2)

    def pay(account, target, key):
        try:
            start.wait()
            _pay(payer, account, target, "10.00", key=key)
            outcomes.append("paid")
        except PaymentBlockedByFraudRule:
            outcomes.append("blocked")
        finally:
            connection.close()

    # when: both accounts pay at the same moment
    threads = [threading.Thread(target=pay, args=(first, targets[0], "a")),
               threading.Thread(target=pay, args=(second, targets[1], "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: one was counted before the other
    assert sorted(outcomes) == ["blocked", "paid"]
    assert Transfer.objects.filter(to_account__in=targets).count() == 1
    assert FraudDecision.objects.count() == 1
