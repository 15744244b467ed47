"""Payments to and from other banks, through a gateway (apps/payments/gateway).

Money path: initiation moves the funds from the customer's account to payments clearing (1300) in one entry;
settlement moves them from clearing to the settlement account (1100); a rejection or failure reverses the
initiation entry, so the funds return. An incoming payment goes settlement -> clearing -> the beneficiary in one
entry. Network calls never run inside a transaction or under a lock: submitting is read, call, then apply.

A payment is never lost or settled twice whatever the gateway does: its reference is the gateway's idempotency
key (a resubmission cannot pay twice), every change of state goes through ``apply_gateway_outcome`` under the
payment's row lock and ignores news about a payment already final, webhooks are recorded once by event id, and
``poll_outgoing_payments`` asks the gateway about every payment left initiated or submitted too long (a worker
that died between steps, a timeout with an unknown outcome, a lost webhook).
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.house_accounts import house_account
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account
from apps.accounts.services.availability import ensure_available
from apps.customers.rules import ensure_customer_may_send
from apps.domain_errors import DomainError
from apps.kyc.selectors import ensure_kyc_verified
from apps.ledger.chart import PAYMENTS_CLEARING, SETTLEMENT_ACCOUNT
from apps.ledger.errors import IdempotencyConflict
from apps.ledger.models import JournalEntry
from apps.ledger.money_movements import MovementLeg, publish_money_movement
from apps.ledger.services import credit, debit, post_journal_entry, reverse_journal_entry
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.outbox.broker import send_task_on_commit
from apps.payments.bank_identifiers import validate_bic, validate_iban
from apps.payments.errors import AccountNotAvailable, TransferCurrencyMismatch, UnknownBeneficiaryAccount
from apps.payments.gateway.base import (
    GatewayOutcome,
    GatewayOutcomeUnknown,
    GatewayRefused,
    GatewayUnavailable,
    PaymentGateway,
    PaymentInstruction,
    PaymentNotFound,
)
from apps.payments.gateway.circuit_breaker import CircuitBreaker
from apps.payments.gateway.velocitypay import VelocityPayGateway
from apps.payments.models import FraudDecision, IncomingPayment, OutgoingPayment, Rail
from apps.payments.payment_outcome_hooks import run_payment_outcome_hooks
from apps.payments.pricing import ensure_positive_amount
from apps.payments.services.beneficiaries import beneficiary_for_payment, ensure_cooling_off_respected
from apps.payments.services.fraud import (
    PaymentUnderCheck,
    evaluate_fraud_rules,
    record_hold_decisions,
    recording_fraud_blocks,
    refuse_if_blocked,
)
from apps.payments.services.initiators import ensure_may_initiate_outgoing_payment
from apps.payments.services.transfers import resolve_payer_account

logger = logging.getLogger(__name__)

SOURCE = "external_payment"


def iban_country(account_identifier: str) -> str:
    """The country of the bank that holds an IBAN (its first two letters); empty for anything else."""
    try:
        return validate_iban(account_identifier)[:2]
    except DomainError:
        return ""


def get_gateway() -> PaymentGateway:
    return VelocityPayGateway(
        base_url=settings.VELOCITYPAY_BASE_URL, api_key=settings.VELOCITYPAY_API_KEY,
        read_timeout=settings.VELOCITYPAY_READ_TIMEOUT,
        breaker=CircuitBreaker("velocitypay", failure_threshold=settings.VELOCITYPAY_BREAKER_FAILURES,
                               reset_timeout=settings.VELOCITYPAY_BREAKER_RESET_SECONDS),
    )


def initiate_outgoing_payment(*, from_account_number: str, money: Money, rail: str, creditor_name: str,
                              creditor_account: str, creditor_country: str, initiated_by: User,
                              idempotency_key: str, remittance_information: str = "",
                              payer_accounts: QuerySet[Account] | None = None,
                              beneficiary_id: int | None = None, creditor_bic: str = "") -> OutgoingPayment:
    """Move the funds to clearing and record the payment; it is submitted to the gateway after commit.

    The creditor account must be a valid IBAN and the creditor bank's BIC, if given, a valid BIC (400
    ``invalid_iban`` / ``invalid_bic``, checked before anything else).

    Same refusals as an internal transfer for the payer (unknown, not active, currency, KYC, available balance),
    then the beneficiary cooling-off period and the fraud rules: a blocking rule refuses the payment (only the
    decision is recorded, in its own transaction); a holding rule records it ``held`` — the funds are in
    clearing but it is not submitted until a compliance officer releases it (a rejection reverses the
    initiation entry). A replay of the idempotency key by the same initiator returns the first payment.
    Staff initiate only if their role may (``initiators``).
    """
    ensure_may_initiate_outgoing_payment(initiated_by)
    with recording_fraud_blocks():
        return _initiate_outgoing_payment(
            from_account_number=from_account_number, money=money, rail=rail, creditor_name=creditor_name,
            creditor_account=creditor_account, creditor_country=creditor_country, initiated_by=initiated_by,
            idempotency_key=idempotency_key, remittance_information=remittance_information,
            payer_accounts=payer_accounts, beneficiary_id=beneficiary_id, creditor_bic=creditor_bic)


@transaction.atomic
def _initiate_outgoing_payment(*, from_account_number: str, money: Money, rail: str, creditor_name: str,
                               creditor_account: str, creditor_country: str, initiated_by: User,
                               idempotency_key: str, remittance_information: str,
                               payer_accounts: QuerySet[Account] | None, beneficiary_id: int | None,
                               creditor_bic: str) -> OutgoingPayment:
    creditor_account = validate_iban(creditor_account)
    creditor_bic = validate_bic(creditor_bic) if creditor_bic else ""
    if rail not in Rail.values:
        raise AccountNotAvailable(f"Unknown rail {rail!r}.", code="unknown_rail")
    ensure_positive_amount(money, of="payment")
    payer = lock_accounts([resolve_payer_account(from_account_number, payer_accounts)])[0]
    existing = OutgoingPayment.objects.filter(initiated_by=initiated_by, idempotency_key=idempotency_key).first()
    if existing is not None:
        if (existing.from_account_id, existing.amount, existing.creditor_account) != (
                payer.pk, money.amount, creditor_account):
            raise IdempotencyConflict(f"Idempotency key {idempotency_key!r} was used for payment {existing.reference}.")
        existing.replayed = True
        return existing
    if not payer.can_send:
        raise AccountNotAvailable(f"Account {payer.number} is {payer.status}: nothing may be sent from it.",
                                  code=payer.cannot_send_because)
    if money.currency != payer.currency:
        raise TransferCurrencyMismatch(f"{payer.number} is in {payer.currency}; the payment is in {money.currency}.")
    ensure_customer_may_send(payer.customer)
    ensure_kyc_verified(payer.customer)
    ensure_available(payer, money)

    now = timezone.now()
    beneficiary = beneficiary_for_payment(owner_id=payer.customer_id, beneficiary_id=beneficiary_id,
                                          destination=creditor_account)
    ensure_cooling_off_respected(beneficiary=beneficiary, money=money, customer_initiated=not initiated_by.is_staff,
                                 now=now)
    check = PaymentUnderCheck(
        payment_kind=FraudDecision.PaymentKind.OUTGOING_PAYMENT, from_account=payer, money=money,
        destination=creditor_account, destination_country=creditor_country.upper(),
        beneficiary=beneficiary, initiated_by=initiated_by, idempotency_key=idempotency_key, now=now)
    fired = evaluate_fraud_rules(check)
    refuse_if_blocked(check, fired)

    business_date = current_business_date()
    reference = f"OP{uuid.uuid4().hex[:18].upper()}"
    entry = post_journal_entry(
        postings=[debit(payer.ledger_account_id, money), credit(house_account(PAYMENTS_CLEARING), money)],
        description=f"Outgoing payment {reference} to {creditor_name}", source=SOURCE,
        idempotency_key=f"initiate:{reference}", posted_by=initiated_by, reference=reference,
        business_date=business_date,
    )
    # The money left the customer's account with this entry, held for review or not.
    publish_money_movement(
        kind="outgoing_payment", entry=entry, currency=money.currency,
        legs=[MovementLeg(account_id=payer.pk, customer_id=payer.customer_id, direction="out", amount=money.amount)],
        counterparty_name=creditor_name, counterparty_iban=creditor_account,
        counterparty_country=check.destination_country)
    payment = OutgoingPayment(
        reference=reference, from_account=payer, amount=money.amount, currency=money.currency, rail=rail,
        creditor_name=creditor_name, creditor_account=creditor_account, creditor_bic=creditor_bic,
        creditor_country=creditor_country.upper(), remittance_information=remittance_information,
        initiation_entry=entry, initiated_by=initiated_by, idempotency_key=idempotency_key,
        business_date=business_date, beneficiary=beneficiary,
        status=OutgoingPayment.Status.HELD if fired else OutgoingPayment.Status.INITIATED,
    )
    payment._history_user = initiated_by
    payment.save()
    payment.replayed = False
    if fired:
        record_hold_decisions(check, fired, outgoing_payment=payment)
        return payment
    submit_after_commit(payment)
    return payment


def submit_after_commit(payment: OutgoingPayment) -> None:
    """Submit the payment in a worker once the caller's transaction commits. The initiated payment is the record
    of the work: if the broker is down, the poller submits it later (``poll_outgoing_payments``)."""
    from apps.payments.tasks import send_to_gateway_task  # the tasks module imports this one: its tasks call it

    send_task_on_commit(send_to_gateway_task, payment.pk,
                        backstop="the poller (payments.poll_outgoing_payments) submits the initiated payment")


def return_funds(*, payment: OutgoingPayment, status: str, reason: str, actor: User | None = None) -> None:
    """Reverse the initiation entry (the funds go back from clearing to the payer) and close the payment as
    ``status`` (rejected or failed). The caller holds the payment's row lock."""
    payment.return_entry = reverse_journal_entry(
        entry=JournalEntry.objects.get(pk=payment.initiation_entry_id),
        reason=f"payment {payment.reference} {status}: {reason or 'no reason given'}"[:200],
        reversed_by=actor,
    )
    payment.status, payment.failure_reason, payment.finished_at = status, reason[:300], timezone.now()
    run_payment_outcome_hooks(payment=payment)


def _instruction(payment: OutgoingPayment) -> PaymentInstruction:
    account = payment.from_account
    return PaymentInstruction(
        reference=payment.reference, rail=payment.rail, amount=payment.amount, currency=payment.currency,
        creditor_name=payment.creditor_name, creditor_account=payment.creditor_account,
        creditor_country=payment.creditor_country, creditor_bic=payment.creditor_bic,
        debtor_name=account.customer.legal_name if account else payment.debtor_name,
        debtor_account=account.number if account else payment.reference,
        remittance_information=payment.remittance_information,
    )


def send_to_gateway(*, payment_id: int, gateway: PaymentGateway | None = None) -> str:
    """Send an initiated payment to the gateway and apply its answer. Runs outside any transaction (network
    I/O holds no lock). Safe to run any number of times: the gateway deduplicates by reference, and a payment
    that is no longer initiated is left alone. Returns the payment's status, or "unknown"/"unavailable"."""
    payment = OutgoingPayment.objects.select_related("from_account__customer").get(pk=payment_id)
    if payment.status != OutgoingPayment.Status.INITIATED:
        return payment.status
    OutgoingPayment.objects.filter(pk=payment.pk).update(submission_attempts=F("submission_attempts") + 1,
                                                         last_checked_at=timezone.now())
    gateway = gateway or get_gateway()
    try:
        outcome = gateway.submit(_instruction(payment))
    except GatewayOutcomeUnknown as error:
        OutgoingPayment.objects.filter(pk=payment.pk).update(outcome_unknown=True)
        logger.warning("Outcome of %s unknown after submission: %s", payment.reference, error)
        return "unknown"
    except GatewayUnavailable as error:
        logger.warning("Could not submit %s: %s", payment.reference, error)
        return "unavailable"
    except GatewayRefused as error:
        outcome = GatewayOutcome(status=GatewayOutcome.REJECTED, reason=str(error)[:300])
    return apply_gateway_outcome(reference=payment.reference, outcome=outcome).status


@transaction.atomic
def apply_gateway_outcome(*, reference: str, outcome: GatewayOutcome) -> OutgoingPayment:
    """Move the payment to what the gateway says, under its row lock. Accepted: submitted. Settled: clearing
    to the settlement account. Rejected or failed: the initiation entry is reversed and the funds return.
    News about a payment already settled, rejected or failed changes nothing (duplicates, late answers)."""
    payment = OutgoingPayment.objects.select_for_update().get(reference=reference)
    if payment.status == OutgoingPayment.Status.HELD:
        # Never submitted while held: news about it is not ours to act on (the review decides).
        logger.error("Gateway says held payment %s is %s: left as it is, to investigate.", reference, outcome.status)
        return payment
    if payment.status in OutgoingPayment.FINAL_STATUSES:
        if outcome.status != payment.status and outcome.status != GatewayOutcome.ACCEPTED:
            logger.error("Gateway says %s is %s, but it is already %s: left as it is, to investigate.",
                         reference, outcome.status, payment.status)
        return payment
    now = timezone.now()
    if outcome.gateway_id:
        payment.gateway_id = outcome.gateway_id
    payment.outcome_unknown = False
    payment.last_checked_at = now
    money = Money(payment.amount, payment.currency)
    if outcome.status == GatewayOutcome.ACCEPTED:
        payment.status = OutgoingPayment.Status.SUBMITTED
        payment.submitted_at = payment.submitted_at or now
    elif outcome.status == GatewayOutcome.SETTLED:
        payment.settlement_entry = post_journal_entry(
            postings=[debit(house_account(PAYMENTS_CLEARING), money), credit(house_account(SETTLEMENT_ACCOUNT), money)],
            description=f"Outgoing payment {reference} settled", source=SOURCE, idempotency_key=f"settle:{reference}",
            reference=reference,
        )
        payment.status, payment.finished_at = OutgoingPayment.Status.SETTLED, now
        run_payment_outcome_hooks(payment=payment)
    elif outcome.status in (GatewayOutcome.REJECTED, GatewayOutcome.FAILED):
        return_funds(payment=payment, reason=outcome.reason,
                     status=(OutgoingPayment.Status.REJECTED if outcome.status == GatewayOutcome.REJECTED
                             else OutgoingPayment.Status.FAILED))
    else:
        raise ValueError(f"Unknown gateway status {outcome.status!r}")
    payment.save()
    return payment


def poll_outgoing_payments(*, gateway: PaymentGateway | None = None, now: datetime.datetime | None = None) -> dict:
    """Beat task: ask the gateway about payments initiated or submitted too long ago. One the gateway has never
    seen (a worker died before sending it) is submitted again — safe, by its reference."""
    now = now or timezone.now()
    gateway = gateway or get_gateway()
    stale_before = now - settings.OUTGOING_PAYMENT_POLL_AFTER
    stale = OutgoingPayment.objects.filter(
        status__in=[OutgoingPayment.Status.INITIATED, OutgoingPayment.Status.SUBMITTED],
        created_at__lte=stale_before,
    ).filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=stale_before))
    counts = {"checked": 0, "resubmitted": 0, "changed": 0, "unavailable": 0}
    for payment in stale.order_by("pk")[: settings.OUTGOING_PAYMENT_POLL_BATCH]:
        counts["checked"] += 1
        try:
            outcome = gateway.fetch_status(payment.reference)
        except PaymentNotFound:
            if payment.status == OutgoingPayment.Status.INITIATED:
                counts["resubmitted"] += 1
                send_to_gateway(payment_id=payment.pk, gateway=gateway)
            continue
        except GatewayUnavailable:
            counts["unavailable"] += 1
            break  # the gateway is down: the next poll tries again
        before = payment.status
        OutgoingPayment.objects.filter(pk=payment.pk).update(last_checked_at=now)
        if apply_gateway_outcome(reference=payment.reference, outcome=outcome).status != before:
            counts["changed"] += 1
    return counts


@transaction.atomic
def receive_incoming_payment(*, gateway: str, gateway_id: str, account_number: str, money: Money,
                             debtor_name: str = "", debtor_account: str = "",
                             remittance_information: str = "") -> IncomingPayment:
    """Credit the beneficiary through clearing (settlement -> clearing -> beneficiary, one entry). Once per
    gateway id: a repeated notification returns the first payment."""
    existing = IncomingPayment.objects.filter(gateway=gateway, gateway_id=gateway_id).first()
    if existing is not None:
        return existing
    account = Account.objects.filter(number=validate_account_number(account_number)).select_related(
        "product").first()
    if account is None or account.status in (Account.Status.CLOSED, Account.Status.PENDING):
        raise UnknownBeneficiaryAccount(f"No open account {account_number} to credit.")
    if money.currency != account.currency:
        raise TransferCurrencyMismatch(
            f"{account.number} is in {account.currency}; the payment is in {money.currency}.")
    clearing = house_account(PAYMENTS_CLEARING)
    entry = post_journal_entry(
        postings=[debit(house_account(SETTLEMENT_ACCOUNT), money), credit(clearing, money),
                  debit(clearing, money), credit(account.ledger_account_id, money)],
        description=f"Incoming payment {gateway_id} from {debtor_name or 'another bank'}", source=SOURCE,
        idempotency_key=f"incoming:{gateway}:{gateway_id}", reference=gateway_id[:100],
    )
    publish_money_movement(
        kind="incoming_payment", entry=entry, currency=money.currency,
        legs=[MovementLeg(account_id=account.pk, customer_id=account.customer_id, direction="in",
                          amount=money.amount)],
        counterparty_name=debtor_name, counterparty_iban=debtor_account[:34],
        counterparty_country=iban_country(debtor_account))
    return IncomingPayment.objects.create(
        gateway=gateway, gateway_id=gateway_id, to_account=account, amount=money.amount, currency=money.currency,
        debtor_name=debtor_name, debtor_account=debtor_account, remittance_information=remittance_information,
        entry=entry, business_date=entry.business_date,
    )
