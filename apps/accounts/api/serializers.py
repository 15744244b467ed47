from rest_framework import serializers

from apps.accounts.models import Account, Hold, MaturityInstruction, TellerTransaction
from config.api.fields import MoneyAmountField, MoneyInputField


class AccountSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    currency = serializers.CharField(source="product.currency")
    balance = MoneyAmountField(source="ledger_balance", currency_attribute="product.currency")
    available_balance = MoneyAmountField(currency_attribute="product.currency")

    class Meta:
        model = Account
        fields = ["number", "product", "currency", "balance", "available_balance", "status"]


class StaffAccountSerializer(AccountSerializer):
    branch = serializers.CharField(source="branch.code")
    customer = serializers.IntegerField(source="customer_id")
    held = MoneyAmountField(currency_attribute="product.currency")

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "branch", "customer", "held", "opened_on", "closed_on",
                  "maturity_date", "maturity_instruction"]


class OpenAccountSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    product = serializers.CharField()
    joint_holders = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    maturity_instruction = serializers.ChoiceField(choices=MaturityInstruction.choices, required=False, default="")
    linked_account = serializers.CharField(required=False, default="")


class TransactionSerializer(serializers.Serializer):
    business_date = serializers.DateField(source="entry.business_date")
    entry = serializers.IntegerField(source="entry_id")
    description = serializers.CharField(source="entry.description")
    reference = serializers.CharField(source="entry.reference")
    direction = serializers.SerializerMethodField()
    amount = MoneyAmountField()

    def get_direction(self, posting) -> str:
        return "credit" if posting.side == "C" else "debit"


class AmountSerializer(serializers.Serializer):
    """An amount in the account's currency (the view passes it in the context)."""

    amount = MoneyInputField()


class HoldInputSerializer(AmountSerializer):
    reason = serializers.CharField(max_length=200)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class HoldSerializer(serializers.ModelSerializer):
    amount = MoneyAmountField(currency_attribute="account.product.currency")

    class Meta:
        model = Hold
        fields = ["id", "amount", "reason", "status", "purpose", "placed_on", "expires_on", "released_on"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ClosureSerializer(serializers.Serializer):
    payout_to = serializers.CharField(required=False, default="cash")
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ReceiptSerializer(serializers.ModelSerializer):
    receipt_number = serializers.CharField(read_only=True)
    account = serializers.CharField(source="account.number")
    amount = MoneyAmountField()
    teller = serializers.CharField(source="teller.username")

    class Meta:
        model = TellerTransaction
        fields = ["receipt_number", "kind", "account", "amount", "currency", "business_date", "teller", "entry"]


class ApprovalPendingSerializer(serializers.Serializer):
    approval_request = serializers.IntegerField(source="pk")
    state = serializers.CharField()
    summary = serializers.CharField()
