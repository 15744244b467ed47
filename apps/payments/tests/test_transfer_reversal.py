"""A transfer whose journal entry is reversed (admin request, then a checker's approval) reads ``reversed``."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.selectors import available_balance
from apps.ledger.models import JournalEntry
from apps.ledger.services import reverse_journal_entry
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.payments.models import Channel, Transfer
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def _transfer(alice_account, bob_account, teller_a):
    return transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                                     money=Money("40.00", "EUR"), initiated_by=teller_a, idempotency_key="rev-1",
                                     channel=Channel.BRANCH)


def test_a_transfer_whose_entry_is_reversed_reads_reversed_in_the_api(alice, alice_account, bob_account, teller_a,
                                                                      ops_admin, manager_a):
    # given: a completed transfer
    transfer = _transfer(alice_account, bob_account, teller_a)
    # when: operations requests the reversal of its entry in the admin, and a manager approves it
    response = _admin(ops_admin).post(reverse("admin:ledger_journalentry_changelist"), {
        "action": "request_reversal", ACTION_CHECKBOX_NAME: [transfer.entry_id], "reason": "wrong payee"})
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get(operation="ledger.reverse_journal_entry")
    response = _admin(manager_a).post(reverse("admin:organization_approvalrequest_changelist"), {
        "action": "approve", ACTION_CHECKBOX_NAME: [approval.pk]})
    assert response.status_code == 302
    # then: the transfer reads reversed, through the API, and its history says by whom
    reversal = JournalEntry.objects.get(reverses_id=transfer.entry_id)
    client = APIClient()
    client.force_authenticate(alice.user)
    body = client.get(reverse("v1:transfer-detail", args=[transfer.pk])).json()
    assert body["status"] == "reversed"
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.reversal_entry_id) == (Transfer.Status.REVERSED, reversal.pk)
    assert stored.history.first().history_user == manager_a
    assert available_balance(alice_account).amount == Decimal("500.00")


def test_asking_again_for_the_same_reversal_changes_nothing(alice_account, bob_account, teller_a, ops_admin):
    transfer = _transfer(alice_account, bob_account, teller_a)
    first = reverse_journal_entry(entry=transfer.entry, reason="dup", reversed_by=ops_admin)
    history_rows = Transfer.history.filter(id=transfer.pk).count()
    again = reverse_journal_entry(entry=transfer.entry, reason="dup", reversed_by=ops_admin)
    assert first.pk == again.pk
    assert Transfer.history.filter(id=transfer.pk).count() == history_rows
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.REVERSED
