import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import Bank, Branch, User
from apps.organization.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_creates_the_demo_bank_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    counts = (Bank.objects.count(), Branch.objects.count(), User.objects.count(), LedgerAccount.objects.count(),
              JournalEntry.objects.count())
    call_command("seed_demo")
    again = (Bank.objects.count(), Branch.objects.count(), User.objects.count(), LedgerAccount.objects.count(),
             JournalEntry.objects.count())
    assert counts == again
    assert Bank.objects.get().name == "OgPgy Bank"
    assert Branch.objects.filter(is_head_office=False).count() >= 2
    for branch in Branch.objects.all():
        for role in ALL_ROLES:
            assert User.objects.filter(home_branch=branch, groups__name=role).exists(), (branch, role)
    out = capsys.readouterr().out
    assert "teller.lis01" in out
    call_command("ledger_check")


@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_shows_payments_with_one_held_for_review_and_replays_nothing_the_second_time(capsys):
    from apps.payments.models import FraudRule, PaymentReview, StandingOrder, Transfer

    call_command("seed_demo")
    transfers = dict(Transfer.objects.values_list("idempotency_key", "status"))
    assert [transfers[f"demo-transfer-{i}"] for i in range(1, 6)] == ["completed"] * 4 + ["held"]
    assert PaymentReview.objects.filter(status=PaymentReview.Status.PENDING, transfer__isnull=False).count() == 1
    assert FraudRule.objects.filter(is_active=True).count() == 4 and StandingOrder.objects.count() == 1
    entries = JournalEntry.objects.count()
    call_command("seed_demo")
    assert Transfer.objects.count() == 5 and JournalEntry.objects.count() == entries
    assert "Demo payments: Ana Sousa pays João Almeida" in capsys.readouterr().out
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


@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_offers_loan_products_and_keeps_the_banks_holidays(capsys):
    from apps.loans.models import LoanProduct
    from apps.loans.services.products import check_product_rules
    from apps.loans.services.schedule_preview import preview_schedule
    from apps.money import Money
    from apps.organization.models import Holiday
    from apps.organization.selectors import current_business_date

    call_command("seed_demo")
    call_command("seed_demo")
    assert sorted(LoanProduct.objects.values_list("code", flat=True)) == ["MICRO", "PL", "SME"]
    assert Holiday.objects.filter(name="Christmas Day").count() == 2
    assert "Demo loans: 3 loan products added" in capsys.readouterr().out
    for product in LoanProduct.objects.all():  # each one a product the service would accept, with a schedule
        check_product_rules(product)
        schedule = preview_schedule(product=product, amount=Money(product.minimum_amount, product.currency),
                                    disbursement_date=current_business_date())
        assert schedule.total_principal >= product.minimum_amount


@override_settings(DEMO_DATA_ALLOWED=True)
def test_seed_demo_shows_loan_applications_in_every_state_of_the_queue(capsys):
    from apps.loans.models import LoanApplication, ScoringDecision

    call_command("seed_demo")
    states = sorted(LoanApplication.objects.values_list("status", flat=True))
    assert states == ["approved", "rejected", "submitted", "under_review", "under_review", "under_review",
                      "withdrawn"]
    assert ScoringDecision.objects.filter(outcome="incomplete").count() == 1
    call_command("seed_demo")
    assert LoanApplication.objects.count() == 7
