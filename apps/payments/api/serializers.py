from rest_framework import serializers

from apps.ledger.money import CURRENCY_CHOICES
from apps.payments.models import Transfer


class TransferOrderSerializer(serializers.Serializer):
    """What the channel sends. The amount is a string: it is read as an exact decimal, never a float."""

    from_account = serializers.CharField(max_length=40)
    to_account = serializers.CharField(max_length=40)
    amount = serializers.RegexField(r"^-?\d{1,16}(\.\d{1,8})?$", max_length=30,
                                    error_messages={"invalid": "Give the amount as a decimal string, e.g. \"12.34\"."})
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.ModelSerializer):
    from_account = serializers.CharField(source="from_account.number")
    to_account = serializers.CharField(source="to_account.number")
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    fee = serializers.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        model = Transfer
        fields = ["id", "from_account", "to_account", "amount", "fee", "currency", "reference", "channel",
                  "business_date", "created_at"]


class OutgoingPaymentOrderSerializer(serializers.Serializer):
    from_account = serializers.CharField(max_length=40)
    amount = serializers.RegexField(r"^-?\d{1,16}(\.\d{1,8})?$", max_length=30)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    rail = serializers.ChoiceField(choices=["instant", "same_day", "high_value"])
    creditor_name = serializers.CharField(max_length=140)
    creditor_account = serializers.CharField(max_length=40)
    creditor_country = serializers.RegexField(r"^[A-Za-z]{2}$")
    remittance_information = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")


class OutgoingPaymentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    from_account = serializers.CharField(source="from_account.number")
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.CharField()
    rail = serializers.CharField()
    creditor_name = serializers.CharField()
    creditor_account = serializers.CharField()
    status = serializers.CharField()
    failure_reason = serializers.CharField()
    business_date = serializers.DateField()
    created_at = serializers.DateTimeField()
