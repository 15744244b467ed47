"""Real races on PostgreSQL: many threads post at once on a few accounts, to force contention."""

import random
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.ledger.errors import InsufficientFunds
from apps.ledger.models import AccountType, JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance
from apps.ledger.services import credit, debit, post_journal_entry
from apps.ledger.tests.factories import fund, ledger_account
from apps.money import Money
from tests.races import run_in_threads

THREADS = 16
TRANSFERS_PER_THREAD = 40
ACCOUNTS = 6
OPENING = Decimal("100.00")
FEE = Money("0.10", "EUR")

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_concurrent_transfers_conserve_money_and_never_overdraw(bank):
    # given a few funded customer accounts and a busy fee income account
    accounts = [ledger_account(name=f"Customer {i}") for i in range(ACCOUNTS)]
    for account in accounts:
        fund(account, str(OPENING))
    fees = ledger_account(type=AccountType.INCOME, derived=True, name="Fee income")
    ids = [a.pk for a in accounts]
    outcomes = {"posted": 0, "refused": 0}
    lock = threading.Lock()

    def transfer_randomly(index):
        rng = random.Random(index)
        for n in range(TRANSFERS_PER_THREAD):
            payer, payee = rng.sample(ids, 2)
            amount = Money(Decimal(rng.randint(1, 6000)) / 100, "EUR")
            try:
                post_journal_entry(
                    postings=[debit(payer, amount + FEE), credit(payee, amount), credit(fees, FEE)],
                    description="race transfer", source="race", idempotency_key=f"{index}-{n}",
                )
                with lock:
                    outcomes["posted"] += 1
            except InsufficientFunds:
                with lock:
                    outcomes["refused"] += 1

    # when 16 threads post 640 transfers at once
    errors = run_in_threads(transfer_randomly, threads=THREADS)

    print(f"race: {THREADS} threads, {outcomes['posted']} posted, {outcomes['refused']} refused for funds")
    # then nothing failed but for insufficient funds (no deadlock, no serialization error)
    assert errors == []
    assert outcomes["posted"] + outcomes["refused"] == THREADS * TRANSFERS_PER_THREAD
    assert outcomes["posted"] > THREADS * TRANSFERS_PER_THREAD // 2
    balances = list(LedgerAccount.objects.filter(pk__in=ids).values_list("balance", flat=True))
    assert all(balance >= 0 for balance in balances)
    fee_income = account_balance(fees).amount
    assert fee_income == FEE.amount * outcomes["posted"]
    assert sum(balances) + fee_income == OPENING * ACCOUNTS  # money is conserved
    assert JournalEntry.objects.filter(source="race").count() == outcomes["posted"]
    call_command("ledger_check")  # exits non-zero (SystemExit) on any drift


def test_concurrent_replays_of_one_key_post_exactly_once(bank):
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "100.00")
    entry_ids = []

    def replay(index):
        entry = post_journal_entry(
            postings=[debit(alice, Money("25.00", "EUR")), credit(bob, Money("25.00", "EUR"))],
            description="one payment", source="race", idempotency_key="same-key",
        )
        entry_ids.append(entry.pk)

    errors = run_in_threads(replay, threads=THREADS)

    assert errors == []
    assert len(set(entry_ids)) == 1
    alice.refresh_from_db()
    assert alice.balance == Decimal("75.00")


def test_concurrent_replays_on_derived_accounts_only_post_once(bank):
    # no stored-balance account is touched, so no row lock orders the requests: the unique key does
    suspense = ledger_account(type=AccountType.ASSET, derived=True)
    clearing = ledger_account(type=AccountType.ASSET, derived=True)
    entry_ids = []

    def replay(index):
        entry = post_journal_entry(
            postings=[debit(suspense, Money("5.00", "EUR")), credit(clearing, Money("5.00", "EUR"))],
            description="sweep", source="race", idempotency_key="sweep-1",
        )
        entry_ids.append(entry.pk)

    errors = run_in_threads(replay, threads=THREADS)

    assert errors == []
    assert len(set(entry_ids)) == 1
    assert JournalEntry.objects.filter(idempotency_key="sweep-1").count() == 1
