"""The rules of post_journal_entry, the only way money moves."""

from decimal import Decimal

import pytest

from apps.ledger.errors import (
    AccountCurrencyMismatch,
    AccountNotOpen,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    UnbalancedEntry,
)
from apps.ledger.models import AccountType, JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import account_balance
from apps.ledger.services import credit, debit, post_journal_entry, set_ledger_account_status
from apps.ledger.tests.factories import fund, ledger_account, transfer
from apps.money import Money

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(bank):
    account = ledger_account(name="Alice")
    fund(account, "100.00")
    return account


@pytest.fixture
def bob(bank):
    return ledger_account(name="Bob")


def _snapshot():
    return (JournalEntry.objects.count(), Posting.objects.count(),
            sorted(LedgerAccount.objects.values_list("code", "balance")))


def test_posting_moves_both_balances_in_their_normal_direction(alice, bob):
    # when
    entry = transfer(alice, bob, "30.00", key="t1")
    # then
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.balance, bob.balance) == (Decimal("70.00"), Decimal("30.00"))
    assert entry.postings.count() == 2
    assert entry.business_date.isoformat() == "2026-11-23"  # the bank's business date, not the clock
    assert entry.replayed is False


def test_asset_and_liability_balances_follow_their_normal_side(bank):
    cash = ledger_account(type=AccountType.ASSET)
    deposits = ledger_account(type=AccountType.LIABILITY)
    money = Money("10.00", "EUR")
    # given cash was brought in against deposits (debit cash = asset up, credit deposits = liability up)
    post_journal_entry(postings=[debit(cash, money), credit(deposits, money)], description="cash in",
                       source="test", idempotency_key="c1")
    cash.refresh_from_db()
    deposits.refresh_from_db()
    assert cash.balance == Decimal("10.00")
    assert deposits.balance == Decimal("10.00")


def test_unbalanced_entry_is_refused_and_writes_nothing(alice, bob):
    before = _snapshot()
    with pytest.raises(UnbalancedEntry):
        post_journal_entry(
            postings=[debit(alice, Money("10.00", "EUR")), credit(bob, Money("9.99", "EUR"))],
            description="bad", source="test", idempotency_key="u1",
        )
    assert _snapshot() == before


def test_entry_must_balance_in_each_currency(bank):
    eur_a, eur_b = ledger_account(derived=True), ledger_account(derived=True)
    usd_a, usd_b = ledger_account(currency="USD", derived=True), ledger_account(currency="USD", derived=True)
    # balanced in EUR and in USD: accepted
    post_journal_entry(
        postings=[debit(eur_a, Money("5", "EUR")), credit(eur_b, Money("5", "EUR")),
                  debit(usd_a, Money("6", "USD")), credit(usd_b, Money("6", "USD"))],
        description="two currencies", source="test", idempotency_key="m1",
    )
    # the same totals crossing currencies: refused
    with pytest.raises(UnbalancedEntry):
        post_journal_entry(
            postings=[debit(eur_a, Money("5", "EUR")), credit(usd_b, Money("5", "USD"))],
            description="cross", source="test", idempotency_key="m2",
        )


def test_single_posting_is_refused(alice):
    with pytest.raises(InvalidPosting) as refused:
        post_journal_entry(postings=[debit(alice, Money("1", "EUR"))], description="x", source="test",
                           idempotency_key="s1")
    assert refused.value.code == "too_few_postings"


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_zero_or_negative_posting_is_refused(alice, bob, amount):
    with pytest.raises(InvalidPosting):
        post_journal_entry(postings=[debit(alice, Money(amount, "EUR")), credit(bob, Money(amount, "EUR"))],
                           description="x", source="test", idempotency_key="z1")


def test_posting_in_another_currency_than_the_account_is_refused(alice, bank):
    usd = ledger_account(currency="USD")
    before = _snapshot()
    with pytest.raises(AccountCurrencyMismatch):
        post_journal_entry(postings=[debit(alice, Money("1", "USD")), credit(usd, Money("1", "USD"))],
                           description="x", source="test", idempotency_key="c1")
    assert _snapshot() == before


def test_overdraft_is_refused_without_permission(alice, bob):
    before = _snapshot()
    with pytest.raises(InsufficientFunds):
        transfer(alice, bob, "100.01", key="o1")
    assert _snapshot() == before


def test_overdraft_is_allowed_up_to_the_limit(bank, bob):
    current = ledger_account(allow_overdraft=True, overdraft_limit="50.00")
    transfer(current, bob, "50.00", key="o1")
    current.refresh_from_db()
    assert current.balance == Decimal("-50.00")
    with pytest.raises(InsufficientFunds):
        transfer(current, bob, "0.01", key="o2")


def test_closed_account_takes_no_posting(alice, bob, teller_a):
    set_ledger_account_status(account=bob, status=LedgerAccount.Status.CLOSED, changed_by=teller_a)
    with pytest.raises(AccountNotOpen) as refused:
        transfer(alice, bob, "1.00", key="x1")
    assert refused.value.code == "account_closed"


def test_frozen_account_lets_nothing_leave_but_may_receive(alice, bob, teller_a):
    set_ledger_account_status(account=alice, status=LedgerAccount.Status.FROZEN, changed_by=teller_a)
    before = _snapshot()
    with pytest.raises(AccountNotOpen) as refused:
        transfer(alice, bob, "1.00", key="f1")
    assert refused.value.code == "account_frozen"
    assert _snapshot() == before
    fund(alice, "5.00")
    alice.refresh_from_db()
    assert alice.balance == Decimal("105.00")


def test_closing_needs_a_zero_balance(alice, teller_a):
    with pytest.raises(InvalidPosting) as refused:
        set_ledger_account_status(account=alice, status=LedgerAccount.Status.CLOSED, changed_by=teller_a)
    assert refused.value.code == "balance_not_zero"


def test_unknown_account_is_refused(alice):
    with pytest.raises(InvalidPosting) as refused:
        post_journal_entry(postings=[debit(alice, Money("1", "EUR")), credit(999999, Money("1", "EUR"))],
                           description="x", source="test", idempotency_key="k1")
    assert refused.value.code == "unknown_account"


def test_replay_with_same_content_returns_the_first_entry_and_moves_nothing(alice, bob):
    first = transfer(alice, bob, "10.00", key="same")
    before = _snapshot()
    # when the same request arrives again
    again = transfer(alice, bob, "10.00", key="same")
    # then
    assert again.pk == first.pk
    assert again.replayed is True
    assert _snapshot() == before


def test_replay_with_different_content_is_a_conflict(alice, bob):
    transfer(alice, bob, "10.00", key="same")
    before = _snapshot()
    with pytest.raises(IdempotencyConflict):
        transfer(alice, bob, "11.00", key="same")
    assert _snapshot() == before


def test_the_same_key_from_another_source_is_another_entry(alice, bob):
    first = transfer(alice, bob, "10.00", key="k", source="teller")
    second = transfer(alice, bob, "10.00", key="k", source="transfer")
    assert first.pk != second.pk


def test_derived_house_account_is_not_stored_but_summed(bank, alice):
    fees = ledger_account(type=AccountType.INCOME, derived=True)
    post_journal_entry(postings=[debit(alice, Money("2.50", "EUR")), credit(fees, Money("2.50", "EUR"))],
                       description="fee", source="test", idempotency_key="fee1")
    fees.refresh_from_db()
    assert fees.balance == 0
    assert account_balance(fees) == Money("2.50", "EUR")


def test_idempotency_key_is_required(alice, bob):
    with pytest.raises(InvalidPosting) as refused:
        transfer(alice, bob, "1.00", key="")
    assert refused.value.code == "idempotency_key_missing"


def test_a_replay_after_the_first_request_spent_the_funds_is_still_the_first_answer(alice, bob):
    first = transfer(alice, bob, "100.00", key="all-of-it")
    before = _snapshot()
    # alice has nothing left: the same request again is answered with the first entry, not "insufficient funds"
    again = transfer(alice, bob, "100.00", key="all-of-it")
    assert again.pk == first.pk and again.replayed is True
    assert _snapshot() == before


def test_a_refusal_inside_the_callers_transaction_writes_nothing_and_leaves_it_usable(alice, bob):
    from django.db import transaction

    before = _snapshot()
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            transfer(alice, bob, "100.01", key="too-much")
        # the caller goes on in the same transaction (no savepoint was needed for the refusal)
        done = transfer(alice, bob, "1.00", key="fine")
    assert done.replayed is False
    assert not JournalEntry.objects.filter(idempotency_key="too-much").exists()
    assert _snapshot()[0] == before[0] + 1


def test_without_a_bank_there_is_no_business_date_and_nothing_is_posted(db):
    from apps.organization.selectors import BankNotConfigured

    cash, deposits = ledger_account(type=AccountType.ASSET), ledger_account(type=AccountType.LIABILITY)
    with pytest.raises(BankNotConfigured):
        post_journal_entry(postings=[debit(cash, Money("1.00", "EUR")), credit(deposits, Money("1.00", "EUR"))],
                           description="no bank yet", source="test", idempotency_key="nb")
    assert not JournalEntry.objects.exists()
