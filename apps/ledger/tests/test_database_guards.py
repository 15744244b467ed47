"""The database refuses what the service would refuse, even for code that bypasses the service."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from apps.ledger.errors import ImmutableRecord
from apps.ledger.models import JournalEntry, LedgerAccount, Posting, Side
from apps.ledger.tests.factories import fund, ledger_account, transfer
from tests.database_refusals import refused_by


@pytest.fixture
def funded_pair(bank):
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "100.00")
    return alice, bob


def _bypass_insert(entry_key, postings):
    """Write an entry and postings straight through the ORM, skipping post_journal_entry's checks."""
    entry = JournalEntry.objects.create(business_date="2026-11-23", description="bypass", source="test",
                                        idempotency_key=entry_key, fingerprint="x")
    Posting.objects.bulk_create(Posting(entry=entry, account=a, side=s, amount=Decimal(v), currency=c)
                                for a, s, v, c in postings)
    return entry


@pytest.mark.django_db(transaction=True)
def test_unbalanced_entry_written_around_the_service_cannot_commit(funded_pair):
    alice, bob = funded_pair
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _bypass_insert("b1", [(alice, Side.DEBIT, "10.00", "EUR"), (bob, Side.CREDIT, "9.00", "EUR")])
    assert not JournalEntry.objects.filter(idempotency_key="b1").exists()


@pytest.mark.django_db(transaction=True)
def test_entry_with_a_single_posting_cannot_commit(funded_pair):
    alice, _ = funded_pair
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        _bypass_insert("b2", [(alice, Side.DEBIT, "10.00", "EUR")])


@pytest.mark.django_db(transaction=True)
def test_entry_without_postings_cannot_commit(funded_pair):
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        _bypass_insert("b3", [])


@pytest.mark.django_db(transaction=True)
def test_posting_in_a_currency_other_than_its_account_cannot_commit(funded_pair):
    alice, bob = funded_pair
    with pytest.raises(IntegrityError, match="its account is not"), transaction.atomic():
        _bypass_insert("b4", [(alice, Side.DEBIT, "10.00", "USD"), (bob, Side.CREDIT, "10.00", "USD")])


@pytest.mark.django_db
def test_posting_amount_must_be_positive_in_the_database(funded_pair):
    alice, bob = funded_pair
    with refused_by("posting_amount_positive"):
        _bypass_insert("b5", [(alice, Side.DEBIT, "-1.00", "EUR"), (bob, Side.CREDIT, "-1.00", "EUR")])


@pytest.mark.django_db
def test_stored_balance_cannot_break_its_rule_in_the_database(funded_pair):
    alice, _ = funded_pair
    with refused_by("ledger_balance_respects_rule"):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_ledgeraccount SET balance = -0.01 WHERE id = %s", [alice.pk])


@pytest.mark.django_db
def test_duplicate_idempotency_key_is_refused_by_the_database(funded_pair):
    alice, bob = funded_pair
    transfer(alice, bob, "1.00", key="dup")
    with refused_by("entry_idempotency_key_per_source"):
        JournalEntry.objects.create(business_date="2026-11-23", description="x", source="test",
                                    idempotency_key="dup", fingerprint="y")


@pytest.mark.django_db
def test_orm_refuses_to_change_or_delete_postings_and_entries(funded_pair):
    alice, bob = funded_pair
    entry = transfer(alice, bob, "1.00", key="imm")
    posting = entry.postings.first()
    posting.amount = Decimal("2.00")
    with pytest.raises(ImmutableRecord):
        posting.save()
    with pytest.raises(ImmutableRecord):
        posting.delete()
    with pytest.raises(ImmutableRecord):
        Posting.objects.filter(pk=posting.pk).update(amount=Decimal("3.00"))
    with pytest.raises(ImmutableRecord):
        Posting.objects.filter(pk=posting.pk).delete()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    entry.description = "changed"
    with pytest.raises(ImmutableRecord):
        entry.save()


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "UPDATE ledger_posting SET amount = amount + 1 WHERE entry_id = %s",
    "DELETE FROM ledger_posting WHERE entry_id = %s",
    "UPDATE ledger_journalentry SET description = 'edited' WHERE id = %s",
    "DELETE FROM ledger_journalentry WHERE id = %s",
])
def test_database_trigger_refuses_raw_update_and_delete(funded_pair, statement):
    alice, bob = funded_pair
    entry = transfer(alice, bob, "1.00", key="raw")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert Posting.objects.filter(entry=entry).count() == 2


@pytest.mark.django_db
def test_account_currency_cannot_change_once_it_has_postings(funded_pair):
    alice, _ = funded_pair
    with pytest.raises(DatabaseError, match="currency cannot change"), transaction.atomic():
        LedgerAccount.objects.filter(pk=alice.pk).update(currency="USD")
