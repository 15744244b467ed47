"""Standing orders: due dates across month ends, idempotent execution per date, short funds, suspension; an
order the transfer would always refuse (payer that cannot send, payee that cannot receive) is refused at set-up."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import Account
from apps.accounts.tests.factories import deposit
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.payments.errors import AccountNotAvailable, TransferCurrencyMismatch
from apps.payments.models import StandingOrder, StandingOrderExecution, Transfer
from apps.payments.schedules import first_due_date, following_due_date
from apps.payments.services.standing_orders import create_standing_order, execute_due_standing_orders

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(("due", "following"), [
    (D(2026, 1, 31), D(2026, 2, 28)),
    (D(2026, 2, 28), D(2026, 3, 31)),
    (D(2026, 3, 31), D(2026, 4, 30)),
    (D(2027, 12, 31), D(2028, 1, 31)),
])
def test_monthly_on_the_31st_falls_on_each_months_last_day(due, following):
    assert following_due_date(frequency="monthly", due=due, day_of_month=31) == following


def test_monthly_on_the_31st_in_a_leap_february():
    assert following_due_date(frequency="monthly", due=D(2028, 1, 31), day_of_month=31) == D(2028, 2, 29)


def test_first_due_date_is_on_or_after_the_start():
    assert first_due_date(frequency="monthly", start=D(2026, 2, 10), day_of_month=31, weekday=None) == D(2026, 2, 28)
    assert first_due_date(frequency="monthly", start=D(2026, 3, 5), day_of_month=1, weekday=None) == D(2026, 4, 1)
    assert first_due_date(frequency="weekly", start=D(2026, 11, 23), day_of_month=None, weekday=4) == D(2026, 11, 27)


@pytest.fixture
def rent(alice, alice_account, bob_account):
    return create_standing_order(from_account=alice_account, to_account_number=bob_account.number,
                                 money=Money("100.00", "EUR"), frequency="monthly", day_of_month=31,
                                 start_date=D(2026, 1, 1), created_by=alice.user, reference="rent")


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_executes_once_per_due_date_even_if_end_of_day_runs_twice(rent, alice_account):
    assert execute_due_standing_orders(D(2026, 1, 31))["executed"] == 1
    assert execute_due_standing_orders(D(2026, 1, 31))["executed"] == 0
    assert Transfer.objects.count() == 1
    assert _balance(alice_account) == Decimal("400.00")
    rent.refresh_from_db()
    assert rent.next_due_date == D(2026, 2, 28)


def test_catching_up_pays_each_missed_due_date_once(rent, alice_account):
    execute_due_standing_orders(D(2026, 3, 31))
    assert list(StandingOrderExecution.objects.values_list("due_date", "status")) == [
        (D(2026, 1, 31), "executed"), (D(2026, 2, 28), "executed"), (D(2026, 3, 31), "executed")]
    assert _balance(alice_account) == Decimal("200.00")


def test_short_funds_fail_retry_the_next_day_then_succeed(rent, alice_account, bob_account, teller_a):
    # given alice spent her money
    from apps.payments.services.transfers import transfer_between_accounts

    transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                              money=Money("450.00", "EUR"), initiated_by=alice_account.customer.user,
                              idempotency_key="spend")
    # when the 31st comes, the payment fails and is recorded
    assert execute_due_standing_orders(D(2026, 1, 31))["failed"] == 1
    execution = StandingOrderExecution.objects.get()
    assert (execution.status, execution.attempts, execution.failure_code) == (
        "failed", 1, "insufficient_available_balance")
    # a second run the same day does not try again
    assert execute_due_standing_orders(D(2026, 1, 31))["failed"] == 0
    # she is paid, and the next day the payment goes through
    deposit(alice_account, "100.00", teller=teller_a)
    assert execute_due_standing_orders(D(2026, 2, 1))["executed"] == 1
    execution.refresh_from_db()
    assert (execution.status, execution.attempts) == ("executed", 2)


def test_repeated_failures_suspend_the_order(rent, alice_account, bob_account, settings):
    settings.STANDING_ORDER_MAX_ATTEMPTS = 3
    from apps.payments.services.transfers import transfer_between_accounts

    transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                              money=Money("450.00", "EUR"), initiated_by=alice_account.customer.user,
                              idempotency_key="spend")
    for day in (D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 2)):
        execute_due_standing_orders(day)
    rent.refresh_from_db()
    assert rent.status == StandingOrder.Status.SUSPENDED
    assert StandingOrderExecution.objects.get().status == "abandoned"
    assert execute_due_standing_orders(D(2026, 2, 3)) == {"executed": 0, "failed": 0, "suspended": 0,
                                                          "nothing_due": 0}


def test_an_order_with_a_count_completes(alice, alice_account, bob_account):
    order = create_standing_order(from_account=alice_account, to_account_number=bob_account.number,
                                  money=Money("10.00", "EUR"), frequency="weekly", weekday=0,
                                  start_date=D(2026, 11, 23), count=2, created_by=alice.user)
    execute_due_standing_orders(D(2026, 12, 31))
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.COMPLETED
    assert Transfer.objects.count() == 2


def test_an_order_stops_at_its_end_date(alice, alice_account, bob_account):
    order = create_standing_order(from_account=alice_account, to_account_number=bob_account.number,
                                  money=Money("10.00", "EUR"), frequency="monthly", day_of_month=15,
                                  start_date=D(2026, 1, 1), end_date=D(2026, 3, 1), created_by=alice.user)
    execute_due_standing_orders(D(2026, 6, 30))
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.COMPLETED
    assert Transfer.objects.count() == 2  # 15 January and 15 February


def _set_up_rent(payer, payee, created_by):
    return create_standing_order(from_account=payer, to_account_number=payee.number, money=Money("100.00", "EUR"),
                                 frequency="monthly", day_of_month=1, start_date=D(2026, 1, 1),
                                 created_by=created_by, reference="rent")


def _with_status(account, status):
    closed_on = account.opened_on if status == Account.Status.CLOSED else None
    Account.objects.filter(pk=account.pk).update(status=status, closed_on=closed_on)
    return Account.objects.get(pk=account.pk)


def _nothing_set_up():
    return not StandingOrder.objects.exists() and not StandingOrder.history.exists()


@pytest.mark.parametrize("status", ["frozen", "closed", "dormant", "pending"])
def test_an_order_from_an_account_that_cannot_send_is_refused_at_set_up(alice, alice_account, bob_account, status):
    # given
    payer = _with_status(alice_account, status)
    # when
    with pytest.raises(AccountNotAvailable) as refusal:
        _set_up_rent(payer, bob_account, alice.user)
    # then: the transfer service's code, and nothing written
    assert refusal.value.code == f"account_{status}"
    assert _nothing_set_up()


@pytest.mark.parametrize("status", ["closed", "pending"])
def test_an_order_to_an_account_that_cannot_receive_is_refused_at_set_up(alice, alice_account, bob_account, status):
    # given
    _with_status(bob_account, status)
    # when
    with pytest.raises(AccountNotAvailable) as refusal:
        _set_up_rent(alice_account, bob_account, alice.user)
    # then
    assert refusal.value.code == f"beneficiary_account_{status}"
    assert _nothing_set_up()


@pytest.mark.parametrize("status", ["frozen", "dormant"])
def test_an_order_to_a_frozen_or_dormant_account_is_accepted_as_the_transfer_accepts_it(
        alice, alice_account, bob_account, status):
    # given: the transfer service credits a frozen or dormant payee (nothing leaves a frozen account; it may receive)
    _with_status(bob_account, status)
    # when
    order = _set_up_rent(alice_account, bob_account, alice.user)
    # then
    assert order.pk and order.status == StandingOrder.Status.ACTIVE


def test_an_order_to_an_account_in_another_currency_is_refused_at_set_up(alice, alice_account, bob, teller_a):
    # given: bob's account in dollars
    from apps.accounts.services.opening import open_account
    from apps.accounts.tests.factories import product

    dollars = _with_status(open_account(customer=bob, product=product(code="USDSAV", currency="USD"),
                                        actor=teller_a), Account.Status.ACTIVE)
    # when
    with pytest.raises(TransferCurrencyMismatch) as refusal:
        _set_up_rent(alice_account, dollars, alice.user)
    # then
    assert refusal.value.code == "currency_mismatch"
    assert _nothing_set_up()


def test_an_order_refused_at_set_up_is_the_refusal_its_executions_would_get(alice, alice_account, bob_account):
    # given an order set up while the payee could receive, whose payee was closed since
    order = _set_up_rent(alice_account, bob_account, alice.user)
    _with_status(bob_account, Account.Status.CLOSED)
    # when end of day tries it, and someone sets up the same order again
    execute_due_standing_orders(D(2026, 1, 1))
    with pytest.raises(AccountNotAvailable) as refusal:
        _set_up_rent(alice_account, bob_account, alice.user)
    # then: the same code, now at set-up
    assert StandingOrderExecution.objects.get(order=order).failure_code == refusal.value.code
    assert StandingOrder.objects.count() == 1
