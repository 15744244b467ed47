import pytest
from django.core.management import call_command
from django.db import connection

from apps.ledger.tests.factories import fund, ledger_account, transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(bank):
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "100.00")
    transfer(alice, bob, "25.00", key="t1")
    return alice, bob


def test_ledger_check_passes_and_prints_a_balanced_trial_balance(ledger, capsys):
    call_command("ledger_check")
    out = capsys.readouterr().out
    assert "Ledger check passed" in out
    assert "EUR" in out


def test_ledger_check_fails_on_a_stored_balance_that_drifted_from_its_postings(ledger, capsys):
    alice, _ = ledger
    # given someone changed a balance behind the ledger's back
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgeraccount SET balance = balance + 1 WHERE id = %s", [alice.pk])
    # then
    with pytest.raises(SystemExit) as exit_:
        call_command("ledger_check")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"DRIFT {alice.code}" in err
    assert "stored 76.0000, postings give 75.0000" in err
