"""The admin's "Trial balance and ledger check" page: the checks of ``manage.py ledger_check``, read-only, for
operations and auditors."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.eod.services import run_eod
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.tests.factories import fund, ledger_account, transfer
from apps.ledger.tests.tampering import triggers_off

pytestmark = pytest.mark.django_db
PAGE = reverse("admin:ledger_ledgercheck_changelist")


@pytest.fixture
def ledger(bank):
    alice, bob = ledger_account(name="Alice"), ledger_account(name="Bob")
    fund(alice, "1100.00")
    transfer(alice, bob, "25.00", key="t1")
    return alice, bob


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _ledger_state():
    return (sorted(LedgerAccount.objects.values_list("pk", "balance", "status")), JournalEntry.objects.count(),
            Posting.objects.count())


@pytest.mark.parametrize("role", ["ops_admin", "auditor"])
def test_operations_and_auditors_read_the_trial_balance_and_the_checks(ledger, role, request):
    # given
    client = _login(request.getfixturevalue(role))
    before = _ledger_state()
    # when
    index = client.get(reverse("admin:index")).content.decode()
    page = client.get(PAGE).content.decode()
    # then the ledger section links to the page, which shows the trial balance formatted for its currency
    assert f'href="{PAGE}"' in index and "Trial balance and ledger check" in index
    assert "Ledger check passed" in page
    assert page.count("1,100.00 EUR") == 2  # debit balances = credit balances
    assert "End-of-day seal chain" in page and "Intact" in page
    assert "Every stored balance matches its postings." in page and "Every journal entry balances." in page
    assert _ledger_state() == before


def test_tellers_have_neither_the_link_nor_the_page(ledger, teller_a):
    client = _login(teller_a)
    assert PAGE not in client.get(reverse("admin:index")).content.decode()
    assert client.get(PAGE).status_code == 403


def test_the_page_names_a_balance_that_drifted_from_its_postings(ledger, ops_admin):
    alice, _ = ledger
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgeraccount SET balance = balance + 1 WHERE id = %s", [alice.pk])
    before = _ledger_state()
    page = _login(ops_admin).get(PAGE).content.decode()
    assert "Ledger check FAILED: 1 problem." in page
    assert alice.code in page and "1,076.00 EUR" in page and "1,075.00 EUR" in page
    assert _ledger_state() == before  # the page only reads


def test_the_page_shows_a_broken_seal_chain(bank, ops_admin):
    account = ledger_account()
    entry = fund(account, "10.00")
    run_eod()
    with triggers_off("ledger_journalentry") as cursor:
        cursor.execute("UPDATE ledger_journalentry SET description = 'nothing to see' WHERE id = %s", [entry.pk])
    page = _login(ops_admin).get(PAGE).content.decode()
    assert "Ledger check FAILED" in page and "Broken" in page
    assert "SEAL BROKEN at business date" in page
