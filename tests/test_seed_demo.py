import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import Bank, Branch, User
from apps.organization.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_creates_the_demo_bank_and_running_it_again_changes_nothing(capsys):
    """One seeding (it takes seconds) and a second run, checked for everything the demo promises: the bank, its
    branches and a user in every role, the payments with one held for review, the loan products and the holidays;
    the second run adds and replays nothing."""
    from apps.loans.models import Loan, LoanApplication, LoanEodRun, LoanProduct, ScoringDecision
    from apps.loans.services.products import check_product_rules
    from apps.loans.services.schedule_preview import preview_schedule
    from apps.money import Money
    from apps.organization.models import Holiday
    from apps.organization.selectors import current_business_date
    from apps.payments.models import FraudRule, PaymentReview, StandingOrder, Transfer

    # when the demo is seeded
    call_command("seed_demo")
    out = capsys.readouterr().out
    counts = (Bank.objects.count(), Branch.objects.count(), User.objects.count(), LedgerAccount.objects.count(),
              JournalEntry.objects.count(), Transfer.objects.count(), LoanProduct.objects.count(),
              Holiday.objects.count(), LoanApplication.objects.count())
    # then the bank has its branches, with a user in every role at each
    assert Bank.objects.get().name == "OgPgy Bank"
    assert Branch.objects.filter(is_head_office=False).count() >= 2
    for branch in Branch.objects.all():
        for role in ALL_ROLES:
            assert User.objects.filter(home_branch=branch, groups__name=role).exists(), (branch, role)
    assert "teller.lis01" in out
    # and payments, one of them held for review
    transfers = dict(Transfer.objects.values_list("idempotency_key", "status"))
    assert [transfers[f"demo-transfer-{i}"] for i in range(1, 6)] == ["completed"] * 4 + ["held"]
    assert PaymentReview.objects.filter(status=PaymentReview.Status.PENDING, transfer__isnull=False).count() == 1
    assert FraudRule.objects.filter(is_active=True).count() == 4 and StandingOrder.objects.count() == 1
    assert "Demo payments: Ana Sousa pays João Almeida" in out
    # and loan products the service would accept, each with a schedule, and the bank's holidays
    assert sorted(LoanProduct.objects.values_list("code", flat=True)) == ["MICRO", "PL", "SME"]
    assert "Demo loans: 3 loan products added" in out
    for product in LoanProduct.objects.all():
        check_product_rules(product)
        schedule = preview_schedule(product=product, amount=Money(product.minimum_amount, product.currency),
                                    disbursement_date=current_business_date())
        assert schedule.total_principal >= product.minimum_amount
    # and loan applications in every state of the queue, one of them left without a complete score, and the
    # demo's booked loans, each from its disbursed application
    assert sorted(LoanApplication.objects.exclude(status="disbursed").values_list("status", flat=True)) == [
        "approved", "rejected", "submitted", "under_review", "under_review", "under_review", "withdrawn"]
    assert LoanApplication.objects.filter(status="disbursed").count() == Loan.objects.count() == 4
    assert ScoringDecision.objects.filter(outcome="incomplete").count() == 1
    # and booked loans in every state, with their weeks of history, interest accrued to yesterday
    loans = {(loan.customer.legal_name.split()[0], loan.product.code): loan
             for loan in Loan.objects.select_related("customer", "product")}
    on_time, overdue = loans[("Ana", "PL")], loans[("Inês", "PL")]
    prepaid, paid_off = loans[("Tasca", "SME")], loans[("Ana", "MICRO")]
    assert on_time.status == overdue.status == prepaid.status == "active" and paid_off.status == "closed"
    assert on_time.instalments.filter(status="paid").count() == 2
    assert not on_time.instalments.filter(status="overdue").exists()
    assert list(overdue.instalments.filter(status="overdue").values_list("number", flat=True)) == [1]
    assert prepaid.transactions.filter(kind="prepayment").count() == 1
    assert prepaid.instalments.filter(status="rescheduled").exists()
    assert paid_off.transactions.filter(kind="payoff").count() == 1 and paid_off.closed_on < current_business_date()
    yesterday = current_business_date() - datetime.timedelta(days=1)
    assert LoanEodRun.objects.filter(step="loans.accrue_interest").latest("business_date").business_date == yesterday
    assert on_time.instalments.filter(interest_accrued__gt=0).exists()
    assert "Demo loans: 4 loans disbursed: Ana Sousa PL (on time)" in out
    call_command("ledger_check")

    # when it is seeded again
    call_command("seed_demo")
    # then nothing was added or replayed
    again = (Bank.objects.count(), Branch.objects.count(), User.objects.count(), LedgerAccount.objects.count(),
             JournalEntry.objects.count(), Transfer.objects.count(), LoanProduct.objects.count(),
             Holiday.objects.count(), LoanApplication.objects.count())
    assert counts == again and Loan.objects.count() == 4
    assert "Demo loans: 0 loans disbursed" in capsys.readouterr().out
    assert Transfer.objects.count() == 5
    assert Holiday.objects.filter(name="Christmas Day").count() == 2
    call_command("ledger_check")


@override_settings(DEMO_DATA_ALLOWED=False)
def test_seed_demo_is_refused_in_production_mode():
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)  # the seeding really commits, and its after-commit work runs
@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_needs_no_broker_and_leaves_every_kyc_state_it_shows(broker_down, settings, tmp_path):
    from apps.customers.models import Customer
    from apps.outbox.models import OutboxEvent

    settings.MEDIA_ROOT = tmp_path
    # given a broker that does not answer
    with broker_down():
        # when the demo is loaded
        call_command("seed_demo")
    # then it finished, with the KYC states it promises, and no KYC check is left to run later
    states = dict(Customer.objects.filter(email__endswith="@demo.ogpgy.example").values_list("email", "kyc_status"))
    assert (states["marta.silva@demo.ogpgy.example"], states["pedro.nunes@demo.ogpgy.example"],
            states["carla.mendes@demo.ogpgy.example"], states["rui.pinto@demo.ogpgy.example"],
            states["ana.sousa@demo.ogpgy.example"]) == ("pending", "expired", "in_progress", "rejected", "verified")
    assert not OutboxEvent.objects.filter(event_type="kyc.check_requested").exclude(state="delivered").exists()
    call_command("ledger_check")
