"""The review queue: payments a fraud rule held are released (posted once) or rejected (funds back) by a
compliance officer, with who and why recorded."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.errors import InsufficientAvailableBalance
from apps.accounts.models import Hold
from apps.accounts.selectors import available_balance
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import PermissionRefused
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance
from apps.money import Money
from apps.organization import roles
from apps.organization.models import User
from apps.organization.services import assign_role
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.errors import ReviewNotPending, ReviewReasonMissing
from apps.payments.models import OutgoingPayment, PaymentReview, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.reviews import reject_held_payment, release_held_payment
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule

TRANSFERS = reverse("v1:transfer-list")
EXTERNAL_IBAN = "PT50000201231234567890154"


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _pay(customer, payer, payee, amount="100.00", key="k1"):
    return transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                     money=Money(amount, "EUR"), initiated_by=customer.user, idempotency_key=key)


def _pay_abroad(customer, payer, amount="100.00", key="p1"):
    return initiate_outgoing_payment(
        from_account_number=payer.number, money=Money(amount, "EUR"), rail="instant", creditor_name="Ana",
        creditor_account=EXTERNAL_IBAN, creditor_country="IR", initiated_by=customer.user, idempotency_key=key)


@pytest.fixture
def hold_everything(db):
    return fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["PT", "IR"])


@pytest.mark.django_db
def test_held_transfer_answers_202_and_a_replay_returns_the_same(alice, alice_account, bob_account, hold_everything):
    client = APIClient()
    client.force_authenticate(alice.user)
    body = {"from_account": alice_account.number, "to_account": bob_account.number, "amount": "100.00",
            "currency": "EUR"}
    first = client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY="h")
    again = client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY="h")
    assert first.status_code == again.status_code == 202
    assert first.json()["status"] == "held"
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Transfer.objects.count() == PaymentReview.objects.count() == 1
    assert _balance(alice_account) == Decimal("500.00")  # nothing posted
    assert available_balance(alice_account).amount == Decimal("400.00")  # but reserved
    assert client.get(TRANSFERS, {"status": "held"}).json()["count"] == 1
    assert client.get(TRANSFERS, {"status": "completed"}).json()["count"] == 0


@pytest.mark.django_db
def test_hold_then_release_posts_the_transfer_once(alice, alice_account, bob_account, hold_everything,
                                                   compliance_officer):
    transfer = _pay(alice, alice_account, bob_account)
    review = PaymentReview.objects.get(transfer=transfer)
    release_held_payment(review=review, actor=compliance_officer, reason="customer confirmed by phone")
    with pytest.raises(ReviewNotPending):
        release_held_payment(review=review, actor=compliance_officer, reason="again")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.COMPLETED
    assert JournalEntry.objects.filter(source="transfer").count() == 1
    assert transfer.entry.posted_by == compliance_officer
    assert (_balance(alice_account), _balance(bob_account)) == (Decimal("400.00"), Decimal("200.00"))
    assert Hold.objects.get(pk=transfer.hold_id).status == Hold.Status.RELEASED
    assert available_balance(alice_account).amount == Decimal("400.00")  # the hold no longer counts twice
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.decision_reason) == (
        "released", compliance_officer, "customer confirmed by phone")
    assert review.history.first().history_user == compliance_officer


@pytest.mark.django_db
def test_a_decision_without_a_reason_is_refused_and_decides_nothing(alice, alice_account, bob_account,
                                                                   hold_everything, compliance_officer):
    transfer = _pay(alice, alice_account, bob_account)
    for decide in (release_held_payment, reject_held_payment):
        with pytest.raises(ReviewReasonMissing) as refused:
            decide(review=transfer.review, actor=compliance_officer, reason="  ")
        assert (refused.value.code, refused.value.status) == ("reason_required", 409)
    review = PaymentReview.objects.get(pk=transfer.review.pk)
    assert (review.status, review.decided_by, review.history.count()) == ("pending", None, 1)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.entry) == (Transfer.Status.HELD, None)
    assert Hold.objects.get(pk=transfer.hold_id).status == Hold.Status.ACTIVE
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert _balance(alice_account) == Decimal("500.00")


@pytest.mark.django_db
def test_hold_then_reject_releases_the_funds_and_posts_nothing(alice, alice_account, bob_account, hold_everything,
                                                               compliance_officer):
    transfer = _pay(alice, alice_account, bob_account)
    reject_held_payment(review=transfer.review, actor=compliance_officer, reason="mule account")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.entry) == (Transfer.Status.REJECTED, None)
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert available_balance(alice_account).amount == Decimal("500.00")
    assert Hold.objects.get(pk=transfer.hold_id).released_by == compliance_officer


@pytest.mark.django_db
def test_the_hold_reserves_the_funds_against_other_spending(alice, alice_account, bob_account, hold_everything):
    _pay(alice, alice_account, bob_account, "400.00", key="held")
    hold_everything.is_active = False
    hold_everything.save()
    with pytest.raises(InsufficientAvailableBalance):
        _pay(alice, alice_account, bob_account, "100.01", key="spend")
    assert (_balance(alice_account), _balance(bob_account)) == (Decimal("500.00"), Decimal("100.00"))
    assert not Transfer.objects.filter(idempotency_key="spend").exists()
    assert not JournalEntry.objects.filter(source="transfer").exists()
    assert _pay(alice, alice_account, bob_account, "100.00", key="rest").status == Transfer.Status.COMPLETED


@pytest.mark.django_db
def test_only_compliance_reviews_and_never_their_own_payment(alice, alice_account, bob_account, hold_everything,
                                                             teller_a, compliance_officer):
    transfer = _pay(alice, alice_account, bob_account)
    with pytest.raises(PermissionRefused):
        release_held_payment(review=transfer.review, actor=teller_a, reason="looks fine")
    # compliance moves no money; an officer who also works a counter (both roles) initiates this one
    assign_role(user=compliance_officer, role=roles.TELLER)
    compliance_officer = User.objects.get(pk=compliance_officer.pk)
    staff_transfer = transfer_between_accounts(
        from_account_number=alice_account.number, to_account_number=bob_account.number, money=Money("5.00", "EUR"),
        initiated_by=compliance_officer, idempotency_key="own", channel="branch",
        payer_accounts=None)
    with pytest.raises(PermissionRefused) as refused:
        release_held_payment(review=staff_transfer.review, actor=compliance_officer, reason="mine")
    assert refused.value.code == "reviewer_is_initiator"
    assert not JournalEntry.objects.filter(source="transfer").exists()


@pytest.mark.django_db
def test_outgoing_payment_held_is_not_submitted_until_released(alice, alice_account, hold_everything,
                                                               compliance_officer,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as submitted:
        payment = _pay_abroad(alice, alice_account)
    assert payment.status == OutgoingPayment.Status.HELD
    # nothing queued for the gateway (the one callback is the money movement's outbox delivery, for monitoring)
    assert [c.__qualname__ for c in submitted] == ["publish_event.<locals>.<lambda>"]
    assert account_balance(LedgerAccount.objects.get(code="1300")).amount == Decimal("-100.00")  # in clearing
    with django_capture_on_commit_callbacks() as submitted:
        release_held_payment(review=payment.review, actor=compliance_officer, reason="known payee")
    assert len(submitted) == 1
    payment.refresh_from_db()
    assert payment.status == OutgoingPayment.Status.INITIATED


@pytest.mark.django_db
def test_outgoing_payment_rejected_in_review_returns_the_funds(alice, alice_account, hold_everything,
                                                               compliance_officer):
    payment = _pay_abroad(alice, alice_account)
    reject_held_payment(review=payment.review, actor=compliance_officer, reason="sanctioned destination")
    payment.refresh_from_db()
    assert payment.status == OutgoingPayment.Status.REJECTED
    assert payment.return_entry.reverses_id == payment.initiation_entry_id
    assert _balance(alice_account) == Decimal("500.00")
    assert account_balance(LedgerAccount.objects.get(code="1300")).amount == Decimal("0.00")


@pytest.mark.django_db
def test_review_api_lists_the_queue_and_decides_with_constant_queries(alice, alice_account, bob_account,
                                                                      hold_everything, compliance_officer,
                                                                      django_assert_num_queries):
    for i in range(3):
        _pay(alice, alice_account, bob_account, "10.00", key=f"k{i}")
    _pay_abroad(alice, alice_account)
    client = APIClient()
    client.force_authenticate(compliance_officer)
    url = reverse("v1:payment-review-list")
    client.get(url)  # warm the user's permission caches
    with django_assert_num_queries(2):  # count and page, never one per row
        listed = client.get(url, {"status": "pending"})
    assert listed.json()["count"] == 4
    first = listed.json()["results"][0]
    decided = client.post(reverse("v1:payment-review-reject", args=[first["id"]]), {"reason": "fraud"},
                          format="json")
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("rejected", compliance_officer.username)
    customer = APIClient()
    customer.force_authenticate(alice.user)
    assert customer.get(url).json()["count"] == 0


@pytest.mark.django_db
def test_review_queue_in_the_admin(alice, alice_account, bob_account, hold_everything, compliance_officer,
                                   django_assert_max_num_queries):
    for i in range(3):
        _pay(alice, alice_account, bob_account, "10.00", key=f"k{i}")
    from django.test import Client

    client = Client()
    client.force_login(compliance_officer)
    url = reverse("admin:payments_paymentreview_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    review = PaymentReview.objects.first()
    change = reverse("admin:payments_paymentreview_change", args=[review.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"decision": "release", "decision_reason": "verified"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.decided_by) == ("released", compliance_officer)
    assert review.transfer.status == Transfer.Status.COMPLETED
    # a decided review is a record: it can be read, not decided again
    assert client.get(change).status_code == 200
    assert client.post(change, {"decision": "reject", "decision_reason": "changed my mind"}).status_code == 403
    assert PaymentReview.objects.get(pk=review.pk).status == "released"


@pytest.mark.django_db(transaction=True)
def test_a_held_transfer_and_a_concurrent_spend_never_both_use_the_funds(branch_a, branch_b, teller_a,
                                                                         compliance_officer):
    # given: 500 on the account, 400 of it held for review
    install_chart()
    payer = verified_customer(branch=branch_a, user=CustomerUserFactory())
    payee = verified_customer(branch=branch_a, user=CustomerUserFactory())
    savings = savings_product(rate="0")
    source = open_funded_account(payer, savings, "500.00", teller=teller_a)
    target = open_funded_account(payee, savings, "0.01", teller=teller_a)
    fraud_rule("high_risk_country", action="hold", countries=["PT"])
    held = _pay(payer, source, target, "400.00", key="held")
    from apps.payments.models import FraudRule

    FraudRule.objects.update(is_active=False)
    outcomes = []

    def release():
        try:
            release_held_payment(review=PaymentReview.objects.get(transfer=held), actor=compliance_officer,
                                 reason="ok")
            outcomes.append("released")
        finally:
            connection.close()

    def spend():
        try:
            _pay(payer, source, target, "400.00", key="spend")
            outcomes.append("spent")
        except InsufficientAvailableBalance:
            outcomes.append("refused")
        finally:
            connection.close()

    # when: the release and a second 400 spend race
    threads = [threading.Thread(target=release), threading.Thread(target=spend)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: the release went through, the spend was refused, the balance never went below zero
    assert sorted(outcomes) == ["refused", "released"]
    assert _balance(source) == Decimal("100.00")


@pytest.mark.django_db
def test_gateway_news_about_a_held_payment_changes_nothing(alice, alice_account, hold_everything):
    from apps.payments.gateway.base import GatewayOutcome
    from apps.payments.services.external import apply_gateway_outcome

    payment = _pay_abroad(alice, alice_account)
    for status in (GatewayOutcome.ACCEPTED, GatewayOutcome.SETTLED, GatewayOutcome.REJECTED):
        apply_gateway_outcome(reference=payment.reference, outcome=GatewayOutcome(status=status, reason="x"))
    payment.refresh_from_db()
    assert (payment.status, payment.settlement_entry, payment.return_entry) == ("held", None, None)
    assert payment.review.status == PaymentReview.Status.PENDING


@pytest.mark.django_db
def test_held_outgoing_payment_answers_202_over_the_api(alice, alice_account, hold_everything):
    client = APIClient()
    client.force_authenticate(alice.user)
    response = client.post(reverse("v1:outgoing-payment-list"), {
        "from_account": alice_account.number, "amount": "50.00", "currency": "EUR", "rail": "instant",
        "creditor_name": "Ana", "creditor_account": EXTERNAL_IBAN, "creditor_country": "IR"},
        format="json", HTTP_IDEMPOTENCY_KEY="out")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "held"
    assert PaymentReview.objects.get().outgoing_payment.reference == response.json()["reference"]
