"""A completed transfer's creation is in its history, made by its initiator, whichever way it was written.

``save_new_transfer`` writes the row and its history row in one statement on PostgreSQL and through the ORM
elsewhere: this runs in both test runs, so both ways are proven.
"""

from decimal import Decimal

import pytest

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.money import Money
from apps.payments.models import Channel, FeeSchedule, Transfer
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


def test_a_completed_transfer_is_in_its_history_as_created_by_its_initiator(branch_a, teller_a):
    install_chart()
    product = savings_product(rate="0")
    FeeSchedule.objects.create(product=None, channel=Channel.API, currency="EUR", fixed_fee=Decimal("0.10"))
    payer, payee = (open_funded_account(verified_customer(branch=branch_a), product, "100.00", teller=teller_a)
                    for _ in range(2))

    transfer = transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                         money=Money("1.00", "EUR"), channel=Channel.API, initiated_by=teller_a,
                                         idempotency_key="history")

    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.amount, stored.fee, stored.status) == (Decimal("1.00"), Decimal("0.10"), Transfer.Status.COMPLETED)
    assert stored.entry.postings.count() == 3
    history = Transfer.history.get(id=transfer.pk)
    assert (history.history_type, history.history_user, history.amount, history.fee, history.status) == (
        "+", teller_a, Decimal("1.00"), Decimal("0.10"), Transfer.Status.COMPLETED)
    assert history.created_at == stored.created_at
