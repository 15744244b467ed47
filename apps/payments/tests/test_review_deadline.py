"""End of day closes held payments nobody decided within PAYMENT_REVIEW_DEADLINE_DAYS: the funds come back."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from apps.accounts.models import Account, Hold
from apps.accounts.selectors import available_balance
from apps.money import Money
from apps.organization.selectors import current_business_date
from apps.payments.models import OutgoingPayment, PaymentReview, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.reviews import expire_undecided_reviews
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule

pytestmark = pytest.mark.django_db


def _available(account):
    return available_balance(Account.objects.select_related("ledger_account").get(pk=account.pk)).amount


@pytest.fixture
def held(alice, alice_account, bob_account):
    fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["PT", "IR"])
    transfer = transfer_between_accounts(from_account_number=alice_account.number,
                                         to_account_number=bob_account.number, money=Money("100.00", "EUR"),
                                         initiated_by=alice.user, idempotency_key="held")
    payment = initiate_outgoing_payment(
        from_account_number=alice_account.number, money=Money("50.00", "EUR"), rail="instant", creditor_name="Ana",
        creditor_account="PT50000201231234567890154", creditor_country="IR", initiated_by=alice.user,
        idempotency_key="held-abroad")
    assert transfer.status == Transfer.Status.HELD and payment.status == OutgoingPayment.Status.HELD
    return transfer, payment


@override_settings(PAYMENT_REVIEW_DEADLINE_DAYS=5)
def test_undecided_held_payments_expire_after_the_deadline_and_give_the_funds_back(held, alice_account):
    transfer, payment = held
    today = current_business_date()
    before = _available(alice_account)
    assert expire_undecided_reviews(today + datetime.timedelta(days=4)) == {"expired": 0}
    assert PaymentReview.objects.filter(status=PaymentReview.Status.PENDING).count() == 2

    assert expire_undecided_reviews(today + datetime.timedelta(days=5)) == {"expired": 2}
    for review in PaymentReview.objects.all():
        assert review.status == PaymentReview.Status.EXPIRED and review.decided_by is None
        assert review.decided_at is not None and "not decided within 5 days" in review.decision_reason
    transfer.refresh_from_db()
    payment.refresh_from_db()
    assert transfer.status == Transfer.Status.REJECTED and transfer.entry_id is None
    assert Hold.objects.get(pk=transfer.hold_id).status == Hold.Status.RELEASED
    assert payment.status == OutgoingPayment.Status.REJECTED and payment.return_entry_id is not None
    assert _available(alice_account) == before + Decimal("100.00") + Decimal("50.00")
    history = PaymentReview.history.filter(status=PaymentReview.Status.EXPIRED)
    assert history.count() == 2 and all(h.history_user is None for h in history)

    # a second end of day changes nothing
    assert expire_undecided_reviews(today + datetime.timedelta(days=6)) == {"expired": 0}
    assert _available(alice_account) == before + Decimal("150.00")


@override_settings(PAYMENT_REVIEW_DEADLINE_DAYS=0)
def test_a_deadline_of_zero_keeps_held_payments_waiting(held):
    assert expire_undecided_reviews(current_business_date() + datetime.timedelta(days=365)) == {"expired": 0}
    assert PaymentReview.objects.filter(status=PaymentReview.Status.PENDING).count() == 2


@override_settings(PAYMENT_REVIEW_DEADLINE_DAYS=5)
def test_the_deadline_counts_from_the_business_date_of_the_hold_not_the_wall_clock(bank, alice, alice_account,
                                                                                   bob_account):
    # given a bank whose business date is months behind the calendar's (a catch-up, a date that lags)
    bank.current_business_date = datetime.date(2026, 6, 10)
    bank.save(update_fields=["current_business_date"])
    fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["PT"])
    transfer = transfer_between_accounts(from_account_number=alice_account.number,
                                         to_account_number=bob_account.number, money=Money("100.00", "EUR"),
                                         initiated_by=alice.user, idempotency_key="held-in-june")
    review = PaymentReview.objects.get(transfer=transfer)
    # then the review records the business date it was held on
    assert review.held_on == datetime.date(2026, 6, 10)
    # and the deadline is five days after it, whatever today's date is
    assert expire_undecided_reviews(datetime.date(2026, 6, 14)) == {"expired": 0}
    assert PaymentReview.objects.get(pk=review.pk).status == PaymentReview.Status.PENDING
    assert expire_undecided_reviews(datetime.date(2026, 6, 15)) == {"expired": 1}
    assert PaymentReview.objects.get(pk=review.pk).status == PaymentReview.Status.EXPIRED


@override_settings(PAYMENT_REVIEW_DEADLINE_DAYS=5)
def test_the_end_of_day_screen_shows_held_payments_and_how_many_this_end_of_day_expires(held, ops_admin):
    from django.test import Client

    from apps.eod.services import advance_business_date

    client = Client()
    client.force_login(ops_admin)

    def held_item():
        page = client.get("/admin/eod/eodrun/close/")
        return next(item for item in page.context["day"].open_items if item.label == "Payments held for review")

    item = held_item()
    assert item.count == 2 and "stay held" in item.note
    advance_business_date(to=current_business_date() + datetime.timedelta(days=5))
    item = held_item()
    assert item.count == 2 and item.note.startswith("2 held past the deadline")
    assert PaymentReview.objects.filter(status=PaymentReview.Status.PENDING).count() == 2  # the screen only reads
