"""Fraud rules and the decisions they made on payments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES, format_amount
from apps.payments.fraud_parameters import ParameterError, validated_parameters
from apps.payments.models.external import OutgoingPayment
from apps.payments.models.transfers import Transfer

# Kinds of fraud rule whose parameters hold an amount: such a rule is in one currency.
KINDS_WITH_AN_AMOUNT = ["new_beneficiary_large_amount"]


class FraudRule(models.Model):
    """A rule checked before a payment to someone else is accepted; compliance keeps them in the admin.

    ``parameters`` by kind (validated in ``clean``, see ``FRAUD_RULE_PARAMETERS``):

    - velocity: ``{"max_payments": N, "window_minutes": M}`` fires on more than N payments in M minutes by the
      same customer (this one included);
    - unusual_amount: ``{"multiple": "5", "history_size": K, "minimum_history": H}`` fires when the amount is
      more than ``multiple`` times the average of the customer's last K payments in the payment's currency,
      once they have at least H;
    - new_beneficiary_large_amount: ``{"max_age_hours": H, "amount_above": "A"}`` fires when the payee was saved
      less than H hours ago (or is not saved at all) and the amount is above A;
    - high_risk_country: ``{"countries": ["KP", "IR"]}`` fires when the payee's bank is in one of them.

    A rule with an amount (``KINDS_WITH_AN_AMOUNT``) has the ``currency`` of that amount and checks only payments
    in it (1,000 EUR and 1,000 JPY are different payments: a bank sets one rule per currency); the other kinds
    have none and check payments in every currency.
    """

    class Kind(models.TextChoices):
        VELOCITY = "velocity", "Velocity (too many payments in a window)"
        UNUSUAL_AMOUNT = "unusual_amount", "Amount far above the customer's usual"
        NEW_BENEFICIARY_LARGE_AMOUNT = "new_beneficiary_large_amount", "Large amount to a new beneficiary"
        HIGH_RISK_COUNTRY = "high_risk_country", "High-risk destination country"

    class Action(models.TextChoices):
        BLOCK = "block", "Block (refuse the payment)"
        HOLD = "hold", "Hold for review"

    name = models.CharField(max_length=100, unique=True, help_text="Shown to the customer when it blocks.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    parameters = models.JSONField(default=dict)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True,
                                help_text="Rules with an amount (large amount to a new beneficiary): the currency "
                                          "of that amount; the rule checks only payments in it. Empty for the "
                                          "other kinds, which check payments in every currency.")
    action = models.CharField(max_length=10, choices=Action.choices)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers are evaluated first.")
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["velocity", "unusual_amount", "new_beneficiary_large_amount",
                                                         "high_risk_country"]), name="fraud_rule_kind_known"),
            models.CheckConstraint(condition=Q(action__in=["block", "hold"]), name="fraud_rule_action_known"),
            models.CheckConstraint(condition=Q(kind__in=KINDS_WITH_AN_AMOUNT) & ~Q(currency="")
                                   | ~Q(kind__in=KINDS_WITH_AN_AMOUNT) & Q(currency=""),
                                   name="fraud_rule_currency_only_with_an_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.action}{', ' + self.currency if self.currency else ''})"

    def clean(self) -> None:
        errors = {}
        try:
            self.parameters = validated_parameters(self.kind, self.parameters)
        except ParameterError as error:
            errors["parameters"] = str(error)
        if self.kind in KINDS_WITH_AN_AMOUNT and not self.currency:
            errors["currency"] = "Give the currency of the rule's amount: it checks only payments in it."
        elif self.kind not in KINDS_WITH_AN_AMOUNT and self.currency:
            errors["currency"] = "Only a rule with an amount has a currency; this kind checks every currency."
        if errors:
            raise ValidationError(errors)


class FraudDecision(models.Model):
    """A fraud rule that fired on a payment, with the figures that made it fire. Blocked payments leave only
    this row (recorded in its own transaction, the payment's having been rolled back); held ones point at the
    payment."""

    class PaymentKind(models.TextChoices):
        TRANSFER = "transfer", "Internal transfer"
        OUTGOING_PAYMENT = "outgoing_payment", "Outgoing payment"

    rule = models.ForeignKey(FraudRule, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=10, choices=FraudRule.Action.choices)
    payment_kind = models.CharField(max_length=20, choices=PaymentKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=34)
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=255)
    figures = models.JSONField(default=dict, help_text="The inputs and thresholds that made the rule fire.")
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="fraud_decisions")
    outgoing_payment = models.ForeignKey(OutgoingPayment, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="fraud_decisions")
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["block", "hold"]), name="fraud_decision_action_known"),
            models.CheckConstraint(condition=~Q(action="block") | Q(transfer__isnull=True,
                                                                    outgoing_payment__isnull=True),
                                   name="blocked_payment_was_not_recorded"),
            models.CheckConstraint(condition=Q(transfer__isnull=True) | Q(outgoing_payment__isnull=True),
                                   name="fraud_decision_at_most_one_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.action} {format_amount(self.amount, self.currency)}"
