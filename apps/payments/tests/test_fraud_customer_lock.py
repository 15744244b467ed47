"""The fraud rules that count a customer's payments take the customer's advisory lock (apps.advisory_locks), so
concurrent payments of one customer are counted one after the other.

PostgreSQL: the lock is seen from a second session here. SQLite: the lock is a no-op by design, as SQLite runs
one writing transaction at a time; test_fraud_rules.py's
``test_velocity_counts_concurrent_payments_from_two_accounts_of_one_customer`` runs in both suites and proves the
payments are counted in turn on each."""

import pytest

from apps.money import Money
from apps.payments.services.fraud import CUSTOMER_LOCK_CLASS
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule
from tests.database_sessions import another_session, can_lock_for_transaction

pytestmark = [pytest.mark.django_db,
              pytest.mark.postgresql_only(reason="PostgreSQL's advisory lock, seen from a second session")]


def _pay(alice, payer, payee):
    return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                     money=Money("10.00", "EUR"), initiated_by=alice.user, idempotency_key="k1")


def test_a_payment_under_a_rule_counting_payments_holds_the_customers_lock_until_it_commits(
        alice, alice_account, bob_account):
    # given a rule that counts the customer's payments
    fraud_rule("velocity", max_payments=5, window_minutes=10)
    # when alice pays, inside the (test's) transaction
    _pay(alice, alice_account, bob_account)
    # then another session cannot take alice's lock, and bob's is free
    with another_session() as other:
        assert not can_lock_for_transaction(other, CUSTOMER_LOCK_CLASS, alice.pk)
        assert can_lock_for_transaction(other, CUSTOMER_LOCK_CLASS, bob_account.customer_id)


def test_a_payment_under_no_rule_counting_payments_takes_no_customer_lock(alice, alice_account, bob_account):
    # given only a rule that does not count payments
    fraud_rule("high_risk_country", countries=["KP"])
    # when alice pays
    _pay(alice, alice_account, bob_account)
    # then her lock is free
    with another_session() as other:
        assert can_lock_for_transaction(other, CUSTOMER_LOCK_CLASS, alice.pk)
