"""A compliance officer's day, in the browser: the KYC manual-review queue, a screening hit, and a payment a fraud
rule held for review."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document, verified_customer
from apps.kyc.models import KycReview, ScreeningHit
from apps.kyc.rules import required_document_types
from apps.kyc.tests.factories import ListRowFactory, import_list
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.models import PaymentReview, Transfer
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule
from tests.browser.admin_steps import follow, messages, rows, run_action


@pytest.fixture
def in_review(lisbon, staff):
    """Rui Pinto, resident in a high-risk country: the check sent him to manual review, his documents on file."""
    customer = CustomerFactory(branch=lisbon, actor=staff(roles.TELLER), legal_name="Rui Pinto", country="IR",
                               kyc_status=Customer.KycStatus.IN_PROGRESS)
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type)
    return customer


@pytest.fixture
def screening_hit(lisbon, staff):
    """Ivan Petrov, born 1990 in Portugal, matches the name of a listed Ivan Petrov."""
    import_list(ListRowFactory(name="Ivan Petrov", source_id="EU-1"))
    customer = CustomerFactory(branch=lisbon, actor=staff(roles.TELLER), legal_name="Ivan Petrov",
                               date_of_birth=datetime.date(1990, 2, 3))
    return ScreeningHit.objects.get(customer=customer, status=ScreeningHit.Status.OPEN)


@pytest.fixture
def held_transfer(lisbon, staff):
    """Alice pays Bob 300.00 EUR through the API; a fraud rule holds it for review."""
    teller = staff(roles.TELLER)
    savings = savings_product(rate="0")
    alice = verified_customer(branch=lisbon, user=CustomerUserFactory(), legal_name="Alice Almeida")
    bob = verified_customer(branch=lisbon, user=CustomerUserFactory(), legal_name="Bob Batista")
    payer = open_funded_account(alice, savings, "1000.00", teller=teller)
    payee = open_funded_account(bob, savings, "100.00", teller=teller)
    fraud_rule("high_risk_country", action="hold", name="Review payments to these countries", countries=["PT"])
    transfer = transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                         money=Money("300.00", "EUR"), initiated_by=alice.user,
                                         idempotency_key="alice-rent")
    assert transfer.status == Transfer.Status.HELD
    return transfer, payer, payee


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_a_compliance_officer_works_the_kyc_queue_a_screening_hit_and_a_held_payment(
        page, log_in, shot, staff, in_review, screening_hit, held_transfer):
    # given
    officer = staff(roles.COMPLIANCE_OFFICER)
    transfer, payer, payee = held_transfer
    log_in(page, officer)
    shot(page, "01-home")

    # when: the officer opens the manual review queue from the home page and approves Rui Pinto, saying why
    follow(page, "text=Manual review queue")
    assert any("Rui Pinto" in row for row in rows(page))
    shot(page, "02-kyc-queue")
    run_action(page, [in_review.pk], "approve_kyc", reason="Resident in Lisbon for 10 years, employer confirmed")
    # then
    assert messages(page) == [f"{in_review}: KYC approved."]
    in_review.refresh_from_db()
    assert in_review.kyc_status == Customer.KycStatus.VERIFIED
    assert KycReview.objects.get(customer=in_review).reviewer == officer
    assert not any("Rui Pinto" in row for row in rows(page))  # out of the queue
    shot(page, "03-kyc-approved")

    # when: the officer opens the open screening hits and dismisses Ivan Petrov's as a false positive
    follow(page, "#nav-sidebar >> a:text-is('Screening hits')")
    follow(page, "#changelist-filter >> a:text-is('Open')")
    assert len(rows(page)) == 1 and "Ivan Petrov" in rows(page)[0]
    shot(page, "04-open-screening-hits")
    run_action(page, [screening_hit.pk], "dismiss_hits", reason="Born 1990 in Porto; the listed person is not")
    # then
    assert messages(page) == [f"Hit #{screening_hit.pk}: dismissed."]
    screening_hit.refresh_from_db()
    assert screening_hit.status == ScreeningHit.Status.DISMISSED and screening_hit.decided_by == officer
    assert screening_hit.decision_reason == "Born 1990 in Porto; the listed person is not"
    shot(page, "05-hit-dismissed")

    # when: the officer opens the held payment from the review queue and releases it
    follow(page, "#nav-sidebar >> a:text-is('Payment reviews')")
    review = PaymentReview.objects.get(transfer=transfer)
    assert len(rows(page)) == 1 and payer.number in rows(page)[0]
    shot(page, "06-payment-reviews")
    follow(page, f"#result_list a[href*='/{review.pk}/change/']")
    page.select_option("#id_decision", "release")
    page.fill("#id_decision_reason", "Alice confirmed the rent payment by phone")
    shot(page, "07-payment-review")
    follow(page, "input[name=_save]")
    # then: the transfer is posted once, from Alice to Bob
    review.refresh_from_db()
    transfer.refresh_from_db()
    assert review.status == PaymentReview.Status.RELEASED and review.decided_by == officer
    assert transfer.status == Transfer.Status.COMPLETED
    assert (_balance(payer), _balance(payee)) == (Decimal("700.00"), Decimal("400.00"))
    assert len(messages(page)) == 1
    shot(page, "08-payment-released")
