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
    assert "stored 76.00, postings give 75.00" in err


def test_admin_freeze_action_goes_through_the_service_and_history(ledger, ops_admin):
    from django.test import Client
    from django.urls import reverse

    from apps.ledger.models import LedgerAccount

    alice, _ = ledger
    client = Client()
    client.force_login(ops_admin)
    response = client.post(reverse("admin:ledger_ledgeraccount_changelist"),
                           {"action": "freeze", "_selected_action": [alice.pk]})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.status == LedgerAccount.Status.FROZEN
    assert alice.history.latest().history_user == ops_admin


def test_admin_cannot_tighten_an_overdraft_below_the_balance(bank, ops_admin):
    from django.core.exceptions import ValidationError

    from apps.ledger.tests.factories import ledger_account as make

    overdrawn = make(allow_overdraft=True, overdraft_limit="50.00")
    transfer(overdrawn, make(), "40.00", key="od")
    overdrawn.refresh_from_db()
    overdrawn.overdraft_limit = 10
    with pytest.raises(ValidationError):
        overdrawn.full_clean()
