"""The transfer path's statement budget on PostgreSQL: what the throughput benchmark relies on."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.money import Money
from apps.payments.models import Channel, FeeSchedule, Transfer
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql_only(reason="counts the statements of the PostgreSQL path (transfer_facts, journal_sql, "
                                       "transfer_sql); other databases take the ORM path, which has no budget"),
]


def test_a_transfer_with_a_fee_to_another_customer_takes_six_statements_and_its_commit(branch_a, teller_a):
    install_chart()
    product = savings_product(rate="0")
    FeeSchedule.objects.create(product=None, channel=Channel.API, currency="EUR", fixed_fee=Decimal("0.10"))
    payer, payee = (open_funded_account(verified_customer(branch=branch_a), product, "100.00", teller=teller_a)
                    for _ in range(2))

    def pay(key):
        return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                         money=Money("1.00", "EUR"), channel=Channel.API, initiated_by=teller_a,
                                         idempotency_key=key)

    pay("first")  # the first transfer of the day also records the payer's activity (dormancy clock)
    with CaptureQueriesContext(connection) as statements:
        transfer = pay("second")
    sql = [" ".join(s["sql"].split())[:40] for s in statements.captured_queries
           if s["sql"] not in ("BEGIN", "COMMIT") and not s["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # lock the two accounts (with product, customer, fee income id); lock their ledger accounts; read the
    # facts; write the entry with its postings and balance moves; the money movement's outbox row (for
    # monitoring, apps/ledger/money_movements.py: one more than before it, evaluated after commit, never here);
    # insert the transfer and its history row.
    assert len(sql) == 6, sql
    assert sql[4].startswith('INSERT INTO "outbox_outboxevent"'), sql
    assert transfer.fee == Decimal("0.10") and transfer.entry.postings.count() == 3
    history = Transfer.history.get(id=transfer.pk)
    assert history.history_type == "+" and history.history_user == teller_a and history.amount == Decimal("1.00")


def test_a_customers_transfer_checks_what_they_may_debit_in_the_locking_statement(branch_a, teller_a):
    from apps.organization.models import User
    from apps.payments.selectors import payer_accounts_of

    install_chart()
    product = savings_product(rate="0")
    user = User.objects.create_user(username="payer.online")
    payer = open_funded_account(verified_customer(branch=branch_a, user=user), product, "100.00", teller=teller_a)
    payee = open_funded_account(verified_customer(branch=branch_a), product, "100.00", teller=teller_a)

    def pay(key):
        return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                         money=Money("1.00", "EUR"), channel=Channel.API, initiated_by=user,
                                         idempotency_key=key, payer_accounts=payer_accounts_of(user))

    pay("first")
    with CaptureQueriesContext(connection) as statements:
        pay("second")
    sql = [s["sql"] for s in statements.captured_queries
           if s["sql"] not in ("BEGIN", "COMMIT") and not s["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # no separate look-up of the payer among the customer's accounts; the sixth is the money movement's outbox
    # row (monitoring, apps/ledger/money_movements.py), the one statement it adds to a transfer
    assert len(sql) == 6, sql
    assert 'FOR UPDATE OF "accounts_account"' in sql[0]
    assert "customers_customer" in sql[0].split('"accounts_account"."id" IN (', 1)[1]
