"""Ninety business days of end of day over a small demo-like bank: tellers working every day, every product
kind, month ends and a maturity; the ledger checks clean and the seal chain holds at the end."""

import datetime
import io
from decimal import Decimal
from uuid import uuid4

import pytest
from django.core.management import call_command

from apps.accounts.models import Account, AccrualRun, InterestAccrual
from apps.accounts.services.holds import place_hold
from apps.accounts.services.teller import cash_deposit, cash_withdrawal
from apps.accounts.tests.factories import (
    current_product,
    open_funded_account,
    product,
    savings_product,
    term_product,
)
from apps.customers.tests.factories import verified_customer
from apps.eod.models import EodRun, LedgerSeal
from apps.eod.services import run_eod
from apps.money import Money
from apps.organization.models import Bank

pytestmark = pytest.mark.django_db


def test_ninety_days_of_end_of_day_leave_the_ledger_clean(chart, branch_a, branch_b, teller_a, teller_b):
    savings = savings_product(rate="2", tiers={"5000": "2.5"})
    quarterly = product(code="SAVQ", rate="1.5", day_count="30_360_us", frequency="quarterly")
    current = current_product(overdraft_limit="1000", overdraft_rate="12", monthly_fee=Decimal("2.50"))
    term = term_product(rate="3.25", term_months=2)
    ana, rui = verified_customer(branch=branch_a), verified_customer(branch=branch_b)
    accounts = [
        open_funded_account(ana, savings, "8000.00", teller=teller_a),
        open_funded_account(ana, current, "500.00", teller=teller_a),
        open_funded_account(rui, quarterly, "3000.00", teller=teller_b),
        open_funded_account(rui, current, "50.00", teller=teller_b),
    ]
    deposit_account = open_funded_account(ana, term, None, teller=teller_a, maturity_instruction="pay_out",
                                          linked_account=accounts[0])
    cash_deposit(account=deposit_account, amount=Money("5000.00", "EUR"), teller=teller_a, idempotency_key="td")
    place_hold(account=accounts[0], amount=Money("100.00", "EUR"), reason="card", actor=teller_a,
               idempotency_key=uuid4().hex,
               expires_on=Bank.objects.get().current_business_date + datetime.timedelta(days=5))

    for day in range(90):
        tellers = {branch_a.pk: teller_a, branch_b.pk: teller_b}
        for index, account in enumerate(accounts):
            teller = tellers[account.branch_id]
            amount = Money(f"{(day * 7 + index * 13) % 90 + 1}.{day % 100:02d}", "EUR")
            if (day + index) % 3 == 0:
                cash_withdrawal(account=account, amount=amount, teller=teller, idempotency_key=f"w-{day}-{index}")
            elif (day + index) % 3 == 1:
                cash_deposit(account=account, amount=amount, teller=teller, idempotency_key=f"d-{day}-{index}")
        run = run_eod()
        assert run.status == EodRun.Status.COMPLETED, [(s.name, s.error) for s in run.steps.all() if s.error]

    # then ninety dates are closed, accrued and sealed
    assert EodRun.objects.filter(status="completed").count() == 90
    assert AccrualRun.objects.count() == 90 and LedgerSeal.objects.count() == 90
    deposit_account.refresh_from_db()
    assert deposit_account.status == Account.Status.CLOSED  # matured after two months, paid to the savings
    assert InterestAccrual.objects.filter(kind="overdraft").exists()
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger check passed" in out.getvalue() and "90 sealed business date(s) verified" in out.getvalue()
