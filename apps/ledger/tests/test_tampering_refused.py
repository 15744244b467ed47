"""PostgreSQL and SQLite refuse the same tampering with the ledger (tests/test_database_guards_installed.py proves
both carry the guards after the migrations).

Run in both test runs (``make test`` on PostgreSQL, ``make test-sqlite``). The tampering goes through
``connection.cursor()``, around the ORM's own guards; each refusal leaves the ledger as it was (ledger_check passes).
"""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.tests.factories import fund, ledger_account, transfer


def _ledger_check_passes() -> bool:
    try:
        call_command("ledger_check", stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code == 0
    return True


@pytest.fixture
def ledger(bank):
    """Alice (100.00) has paid Bob 25.00: one committed, balanced transfer entry."""
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "100.00")
    entry = transfer(alice, bob, "25.00", key="paid")
    return alice, bob, entry


def _snapshot():
    return (list(JournalEntry.objects.order_by("pk").values_list("pk", "description")),
            list(Posting.objects.order_by("pk").values_list("pk", "entry_id", "account_id", "side", "amount",
                                                              "currency")),
            list(LedgerAccount.objects.order_by("pk").values_list("pk", "currency", "balance")))


def _insert_entry(cursor, key: str) -> int:
    cursor.execute(
        "INSERT INTO ledger_journalentry (business_date, description, reference, source, idempotency_key,"
        " fingerprint, posted_at) VALUES (%s, 'tampered', '', 'raw', %s, 'x', %s) RETURNING id",
        [timezone.now().date(), key, timezone.now()])
    return cursor.fetchone()[0]


def _insert_posting(cursor, entry_id: int, account: LedgerAccount, side: str, amount: str, currency: str = "EUR"):
    cursor.execute("INSERT INTO ledger_posting (entry_id, account_id, side, amount, currency)"
                   " VALUES (%s, %s, %s, %s, %s)", [entry_id, account.pk, side, amount, currency])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("postings", "refusal"), [
    ([("alice", "D", "10.00"), ("bob", "C", "9.99")], "does not balance"),
    ([("alice", "D", "10.00")], "at least two"),
    ([], "at least two"),
], ids=["unbalanced", "one posting", "no posting"])
def test_an_entry_inserted_by_raw_sql_that_does_not_balance_cannot_commit(ledger, postings, refusal):
    alice, bob, _ = ledger
    accounts = {"alice": alice, "bob": bob}
    before = _snapshot()
    with pytest.raises(IntegrityError, match=refusal):
        with transaction.atomic(), connection.cursor() as cursor:
            entry_id = _insert_entry(cursor, "unbalanced")
            for name, side, amount in postings:
                _insert_posting(cursor, entry_id, accounts[name], side, amount)
    assert _snapshot() == before
    assert _ledger_check_passes()


@pytest.mark.django_db(transaction=True)
def test_a_posting_added_by_raw_sql_to_a_committed_entry_cannot_commit(ledger):
    _, bob, entry = ledger
    before = _snapshot()
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_posting(cursor, entry.pk, bob, "C", "1000.00")
    assert _snapshot() == before
    assert _ledger_check_passes()


@pytest.mark.django_db
@pytest.mark.parametrize(("statement", "refusal"), [
    ("UPDATE ledger_posting SET amount = 1860 WHERE entry_id = %s", "immutable"),
    ("UPDATE ledger_posting SET account_id = account_id WHERE entry_id = %s", "immutable"),
    ("DELETE FROM ledger_posting WHERE entry_id = %s", "immutable"),
    ("UPDATE ledger_journalentry SET description = 'edited' WHERE id = %s", "immutable"),
    ("DELETE FROM ledger_journalentry WHERE id = %s", "immutable"),
], ids=["posting amount", "posting account", "posting delete", "entry description", "entry delete"])
def test_raw_sql_cannot_edit_or_delete_a_posted_entry(ledger, statement, refusal):
    _, _, entry = ledger
    before = _snapshot()
    with pytest.raises(DatabaseError, match=refusal):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert _snapshot() == before
    assert _ledger_check_passes()


@pytest.mark.django_db(transaction=True)
def test_a_balanced_entry_in_another_currency_than_its_accounts_cannot_commit(ledger):
    alice, bob, _ = ledger
    before = _snapshot()
    with pytest.raises(IntegrityError, match="its account is not"):
        with transaction.atomic(), connection.cursor() as cursor:
            entry_id = _insert_entry(cursor, "usd")
            _insert_posting(cursor, entry_id, alice, "D", "10.00", "USD")
            _insert_posting(cursor, entry_id, bob, "C", "10.00", "USD")
    assert _snapshot() == before


@pytest.mark.django_db
def test_raw_sql_cannot_change_the_currency_of_an_account_with_postings(ledger):
    alice, _, _ = ledger
    before = _snapshot()
    with pytest.raises(DatabaseError, match="currency cannot change"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_ledgeraccount SET currency = 'USD' WHERE id = %s", [alice.pk])
    assert _snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_balanced_entry_inserted_by_raw_sql_commits(ledger):
    """The guards refuse tampering, not SQL: a balanced entry in the accounts' currency commits on both."""
    alice, bob, _ = ledger
    with transaction.atomic(), connection.cursor() as cursor:
        entry_id = _insert_entry(cursor, "balanced")
        _insert_posting(cursor, entry_id, alice, "D", "0.11")
        _insert_posting(cursor, entry_id, alice, "D", "0.06")
        _insert_posting(cursor, entry_id, alice, "D", "0.05")
        _insert_posting(cursor, entry_id, bob, "C", "0.22")  # 0.11 + 0.06 + 0.05 - 0.22 is not 0 in floats
    assert Posting.objects.filter(entry_id=entry_id).count() == 4
