"""Holds and debits race on PostgreSQL: both are checked under the account's row lock, so available balance
(ledger balance - active holds + overdraft limit) never goes below zero, whatever the interleaving."""

import random
import threading
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db.models import Sum

from apps.accounts.errors import HoldNotActive, InsufficientAvailableBalance
from apps.accounts.models import Hold
from apps.accounts.services.holds import place_hold, release_hold
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import current_product, open_funded_account
from apps.money import Money
from tests.races import run_in_threads

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
THREADS = 8
OPERATIONS = 25


def test_concurrent_holds_and_withdrawals_never_break_the_available_balance(customer, chart, teller_a):
    # given a current account with 300.00 and a 200.00 overdraft: 500.00 available
    account = open_funded_account(customer, current_product(overdraft_limit="200"), "300.00", teller=teller_a)
    outcomes = {"done": 0, "refused": 0}
    lock = threading.Lock()

    def work(index):
        rng = random.Random(index)
        for n in range(OPERATIONS):
            amount = Money(f"{rng.randint(1, 6000) / 100:.2f}", "EUR")
            try:
                if n % 3 == 0:
                    place_hold(account=account, amount=amount, reason="race", actor=teller_a,
                               idempotency_key=uuid4().hex)
                elif n % 3 == 1:
                    cash_withdrawal(account=account, amount=amount, teller=teller_a,
                                    idempotency_key=f"race-{index}-{n}")
                else:
                    hold = Hold.objects.filter(account=account, status="active").order_by("?").first()
                    if hold is not None:
                        release_hold(hold=hold, actor=teller_a)
                with lock:
                    outcomes["done"] += 1
            except InsufficientAvailableBalance:
                with lock:
                    outcomes["refused"] += 1
            except HoldNotActive:
                pass  # two threads released the same hold: one wins

    # when eight threads place holds, withdraw and release at once
    errors = run_in_threads(work, threads=THREADS)

    # then nothing failed but for the available balance, and the rule held at the end
    assert errors == []
    assert outcomes["refused"] > 0, "the race never reached the limit; raise the amounts"
    account.ledger_account.refresh_from_db()
    held = Hold.objects.filter(account=account, status="active").aggregate(total=Sum("amount"))["total"] or 0
    assert account.ledger_account.balance - held + Decimal("200") >= 0
    assert account.ledger_account.balance >= Decimal("-200")


def test_one_hold_request_sent_by_eight_threads_at_once_sets_the_money_aside_once(customer, chart, teller_a):
    # given
    account = open_funded_account(customer, current_product(), "100.00", teller=teller_a)
    placed: list[int] = []

    def work(index):
        hold = place_hold(account=account, amount=Money("60.00", "EUR"), reason="card", actor=teller_a,
                          idempotency_key="admin:double-click")
        placed.append(hold.pk)

    # when the same request (one key) arrives eight times at once
    errors = run_in_threads(work, threads=THREADS)

    # then every request got the first hold, and only 60.00 is set aside (a second hold would not even fit)
    assert errors == []
    assert len(placed) == THREADS and len(set(placed)) == 1
    assert list(Hold.objects.filter(account=account).values_list("amount", flat=True)) == [Decimal("60.00")]
