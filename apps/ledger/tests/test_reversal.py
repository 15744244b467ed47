from decimal import Decimal

import pytest

from apps.ledger.errors import AlreadyReversed, InsufficientFunds, InvalidPosting
from apps.ledger.models import JournalEntry, Side
from apps.ledger.services import reverse_journal_entry
from apps.ledger.tests.factories import fund, ledger_account, transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(bank):
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "100.00")
    return alice, bob


def test_reversal_posts_the_mirror_entry_and_restores_balances(pair, ops_admin):
    alice, bob = pair
    entry = transfer(alice, bob, "40.00", key="t1")
    # when
    reversal = reverse_journal_entry(entry=entry, reason="keyed to the wrong account", reversed_by=ops_admin)
    # then
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.balance, bob.balance) == (Decimal("100.00"), Decimal("0.00"))
    assert reversal.reverses == entry
    assert entry.reversed_by == reversal
    assert reversal.posted_by == ops_admin
    original = {(p.account_id, p.side, p.amount) for p in entry.postings.all()}
    mirrored = {(p.account_id, Side.DEBIT if p.side == Side.CREDIT else Side.CREDIT, p.amount)
                for p in reversal.postings.all()}
    assert original == mirrored


def test_asking_again_for_the_same_reversal_returns_it(pair, ops_admin):
    alice, bob = pair
    entry = transfer(alice, bob, "40.00", key="t1")
    first = reverse_journal_entry(entry=entry, reason="duplicate", reversed_by=ops_admin)
    again = reverse_journal_entry(entry=entry, reason="duplicate", reversed_by=ops_admin)
    assert again.pk == first.pk
    assert JournalEntry.objects.filter(reverses=entry).count() == 1


def test_an_entry_is_reversed_at_most_once(pair, ops_admin):
    alice, bob = pair
    entry = transfer(alice, bob, "40.00", key="t1")
    reverse_journal_entry(entry=entry, reason="duplicate", reversed_by=ops_admin)
    with pytest.raises(AlreadyReversed):
        reverse_journal_entry(entry=entry, reason="another reason", reversed_by=ops_admin)


def test_reversal_needs_a_reason(pair, ops_admin):
    alice, bob = pair
    entry = transfer(alice, bob, "40.00", key="t1")
    with pytest.raises(InvalidPosting):
        reverse_journal_entry(entry=entry, reason="  ", reversed_by=ops_admin)


def test_reversal_respects_balance_rules(pair, ops_admin):
    # given bob already spent what he received
    alice, bob = pair
    entry = transfer(alice, bob, "40.00", key="t1")
    transfer(bob, alice, "30.00", key="t2")
    # then the first transfer cannot be reversed without overdrawing bob
    with pytest.raises(InsufficientFunds):
        reverse_journal_entry(entry=entry, reason="mistake", reversed_by=ops_admin)
    assert not JournalEntry.objects.filter(reverses=entry).exists()
