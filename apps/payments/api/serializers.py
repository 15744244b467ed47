from rest_framework import serializers

from apps.money import CURRENCY_CHOICES
from apps.payments.models import Channel, Transfer
from config.api.fields import MoneyAmountField, MoneyInputField


class TransferOrderSerializer(serializers.Serializer):
    """What the channel sends. The amount is a string of digits in ``currency`` (see MoneyInputField)."""

    from_account = serializers.CharField(max_length=40)
    to_account = serializers.CharField(max_length=40)
    amount = MoneyInputField()
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")
    beneficiary = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           help_text="Id of one of your saved beneficiaries (optional).")


class TransferSerializer(serializers.Serializer):
    """A transfer as the API shows it (read only). Declared field by field rather than as a ModelSerializer: it
    answers every POST of the busiest endpoint, and a ModelSerializer rebuilds its fields from the model on
    every instance."""

    id = serializers.IntegerField(read_only=True)
    from_account = serializers.CharField(source="from_account.number", read_only=True)
    to_account = serializers.CharField(source="to_account.number", read_only=True)
    amount = MoneyAmountField()
    fee = MoneyAmountField()
    currency = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    status = serializers.ChoiceField(choices=Transfer.Status.choices, read_only=True)
    business_date = serializers.DateField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class OutgoingPaymentOrderSerializer(serializers.Serializer):
    from_account = serializers.CharField(max_length=40)
    amount = MoneyInputField()
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    rail = serializers.ChoiceField(choices=["instant", "same_day", "high_value"])
    creditor_name = serializers.CharField(max_length=140)
    creditor_account = serializers.CharField(max_length=42, help_text="The creditor's IBAN (spaces allowed).")
    creditor_bic = serializers.CharField(max_length=11, required=False, allow_blank=True, default="",
                                         help_text="The creditor bank's BIC (8 or 11 characters), optional.")
    creditor_country = serializers.RegexField(r"^[A-Za-z]{2}$")
    remittance_information = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")
    beneficiary = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           help_text="Id of one of your saved beneficiaries (optional).")


class OutgoingPaymentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    from_account = serializers.CharField(source="from_account.number")
    amount = MoneyAmountField()
    currency = serializers.CharField()
    rail = serializers.CharField()
    creditor_name = serializers.CharField()
    creditor_account = serializers.CharField()
    creditor_bic = serializers.CharField()
    status = serializers.CharField()
    failure_reason = serializers.CharField()
    business_date = serializers.DateField()
    created_at = serializers.DateTimeField()


class BeneficiaryInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=140)
    account_identifier = serializers.CharField(max_length=42, help_text="An account number of this bank or an IBAN.")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True, default="",
                                     help_text="Defaults to the IBAN's country.")
    bank_name = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")


class BeneficiarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account_identifier = serializers.CharField()
    country = serializers.CharField()
    bank_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True)
    outgoing_payment = serializers.CharField(source="outgoing_payment.reference", allow_null=True, default=None)
    from_account = serializers.CharField(source="from_account.number")
    amount = MoneyAmountField()
    currency = serializers.CharField()
    rules_fired = serializers.CharField()
    status = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
