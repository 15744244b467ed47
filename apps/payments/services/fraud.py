"""Fraud rules, evaluated before a payment to someone else is accepted.

``evaluate_fraud_rules`` runs every active rule (in priority order) under the payer account's row lock and
returns what fired. Any blocking rule: the caller raises ``PaymentBlockedByFraudRule``, its transaction rolls
back, and ``recording_fraud_blocks`` (wrapped around the service's transaction) records the decisions in a
transaction of their own before letting the refusal through. Holding rules only: the caller records the payment
as held and ``record_hold_decisions`` writes the decisions and the review-queue entry in the payment's
transaction.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from apps.accounts.models import Account
from apps.advisory_locks import lock_for_transaction
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.payments.errors import PaymentBlockedByFraudRule
from apps.payments.models import (
    Beneficiary,
    FraudDecision,
    FraudRule,
    OutgoingPayment,
    PaymentReview,
    Transfer,
)
from apps.payments.services.beneficiaries import beneficiary_age


@dataclass
class PaymentUnderCheck:
    """What the rules look at: who pays how much from which account, to whom and where."""

    payment_kind: str
    from_account: Account
    money: Money
    destination: str
    destination_country: str
    beneficiary: Beneficiary | None
    initiated_by: User
    idempotency_key: str
    now: datetime.datetime

    @property
    def customer_id(self) -> int:
        return self.from_account.customer_id


@dataclass
class FiredRule:
    rule: FraudRule
    figures: dict[str, Any]


def _transfers_to_others(customer_id: int):
    """Payments a customer made to someone else (own-account transfers are exempt), not rejected in review."""
    return Transfer.objects.filter(from_account__customer_id=customer_id).exclude(
        to_account__customer_id=customer_id).exclude(status=Transfer.Status.REJECTED)


def _outgoing(customer_id: int):
    return OutgoingPayment.objects.filter(from_account__customer_id=customer_id).exclude(
        review__status=PaymentReview.Status.REJECTED)


def _velocity(rule: FraudRule, payment: PaymentUnderCheck) -> dict | None:
    params = rule.parameters
    since = payment.now - datetime.timedelta(minutes=params["window_minutes"])
    earlier = (_transfers_to_others(payment.customer_id).filter(created_at__gte=since).count()
               + _outgoing(payment.customer_id).filter(created_at__gte=since).count())
    if earlier + 1 <= params["max_payments"]:
        return None
    return {"payments_in_window": earlier + 1, "max_payments": params["max_payments"],
            "window_minutes": params["window_minutes"]}


def _unusual_amount(rule: FraudRule, payment: PaymentUnderCheck) -> dict | None:
    """The customer's usual is the average of their last payments *in the payment's currency*: an average of
    euros and yen means nothing."""
    params = rule.parameters
    size, currency = params["history_size"], payment.money.currency
    recent = sorted(
        [*_transfers_to_others(payment.customer_id).filter(currency=currency).order_by("-created_at")
            .values_list("created_at", "amount")[:size],
         *_outgoing(payment.customer_id).filter(currency=currency).order_by("-created_at")
            .values_list("created_at", "amount")[:size]],
        reverse=True)[:size]
    if len(recent) < params["minimum_history"]:
        return None
    average = sum((amount for _, amount in recent), Decimal("0")) / len(recent)
    multiple = Decimal(params["multiple"])
    if payment.money.amount <= average * multiple:
        return None
    return {"amount": str(payment.money.amount), "average": str(Money.rounded(average, payment.money.currency).amount),
            "history": len(recent), "multiple": params["multiple"]}


def _new_beneficiary_large_amount(rule: FraudRule, payment: PaymentUnderCheck) -> dict | None:
    params = rule.parameters
    age = beneficiary_age(payment.beneficiary, payment.now)
    if age >= datetime.timedelta(hours=params["max_age_hours"]):
        return None
    if payment.money.amount <= Decimal(params["amount_above"]):
        return None
    return {"amount": str(payment.money.amount), "amount_above": params["amount_above"],
            "beneficiary": payment.beneficiary.pk if payment.beneficiary else None,
            "beneficiary_age_hours": round(age.total_seconds() / 3600, 2), "max_age_hours": params["max_age_hours"]}


def _high_risk_country(rule: FraudRule, payment: PaymentUnderCheck) -> dict | None:
    if payment.destination_country.upper() not in rule.parameters["countries"]:
        return None
    return {"destination_country": payment.destination_country.upper()}


CHECKS = {
    FraudRule.Kind.VELOCITY: _velocity,
    FraudRule.Kind.UNUSUAL_AMOUNT: _unusual_amount,
    FraudRule.Kind.NEW_BENEFICIARY_LARGE_AMOUNT: _new_beneficiary_large_amount,
    FraudRule.Kind.HIGH_RISK_COUNTRY: _high_risk_country,
}


# Rules that count the customer's other payments: two payments of one customer from two of their accounts
# must be counted one after the other, and the account locks alone do not order them.
HISTORY_KINDS = (FraudRule.Kind.VELOCITY, FraudRule.Kind.UNUSUAL_AMOUNT)
CUSTOMER_LOCK_CLASS = 0x46524155  # "FRAU": the first key of the advisory lock, the customer id the second


def _serialise_customer_payments(customer_id: int) -> None:
    """A transaction-scoped advisory lock on the customer, taken after the account locks and before nothing
    else (so it cannot close a cycle with them): concurrent payments of one customer are evaluated in turn.
    On SQLite the payment's transaction already runs alone (apps.advisory_locks)."""
    lock_for_transaction(CUSTOMER_LOCK_CLASS, customer_id)


def evaluate_fraud_rules(payment: PaymentUnderCheck) -> list[FiredRule]:
    """Every active rule that fires on the payment, in priority order: rules without a currency and those in the
    payment's (an amount rule checks payments in its own currency only). The caller holds the payer account's
    row lock; rules that count the customer's payments also take the customer's advisory lock, so concurrent
    payments of one customer, from any of their accounts, are counted one after the other."""
    rules = list(FraudRule.objects.filter(Q(currency="") | Q(currency=payment.money.currency), is_active=True)
                 .order_by("priority", "id"))
    if any(rule.kind in HISTORY_KINDS for rule in rules):
        _serialise_customer_payments(payment.customer_id)
    fired = []
    for rule in rules:
        figures = CHECKS[rule.kind](rule, payment)
        if figures is not None:
            fired.append(FiredRule(rule=rule, figures=figures))
    return fired


def _decision(payment: PaymentUnderCheck, fired: FiredRule, **links: Any) -> FraudDecision:
    return FraudDecision(
        rule=fired.rule, action=fired.rule.action, payment_kind=payment.payment_kind,
        customer_id=payment.customer_id, from_account=payment.from_account, destination=payment.destination[:34],
        amount=payment.money.amount, currency=payment.money.currency, initiated_by=payment.initiated_by,
        idempotency_key=payment.idempotency_key, figures=fired.figures, **links,
    )


def refuse_if_blocked(payment: PaymentUnderCheck, fired: list[FiredRule]) -> None:
    """Raise the refusal if any rule that fired blocks; it carries every decision to record."""
    blocking = [f for f in fired if f.rule.action == FraudRule.Action.BLOCK]
    if blocking:
        raise PaymentBlockedByFraudRule(
            f"The payment was blocked by the rule \"{blocking[0].rule.name}\".",
            decisions=[_decision(payment, f) for f in fired])


def record_hold_decisions(payment: PaymentUnderCheck, fired: list[FiredRule], *, transfer: Transfer | None = None,
                          outgoing_payment: OutgoingPayment | None = None) -> PaymentReview:
    """Record why the payment is held and put it in the review queue (the payment's own transaction)."""
    decisions = [_decision(payment, f, transfer=transfer, outgoing_payment=outgoing_payment) for f in fired]
    for decision in decisions:
        decision._history_user = payment.initiated_by
        decision.save()
    review = PaymentReview(transfer=transfer, outgoing_payment=outgoing_payment, from_account=payment.from_account,
                           amount=payment.money.amount, currency=payment.money.currency,
                           rules_fired=", ".join(f.rule.name for f in fired)[:300],
                           held_on=current_business_date())
    review._history_user = payment.initiated_by
    review.save()
    return review


@contextlib.contextmanager
def recording_fraud_blocks() -> Iterator[None]:
    """Around a payment service's transaction: a block's decisions are saved after that transaction rolled
    back, in their own, so the refusal leaves its audit trail and nothing else. (Called inside a caller's
    transaction, they are saved in it: they last if the caller handles the refusal.)"""
    try:
        yield
    except PaymentBlockedByFraudRule as blocked:
        with transaction.atomic():
            for decision in blocked.decisions:
                decision._history_user = decision.initiated_by
                decision.save()
        raise
