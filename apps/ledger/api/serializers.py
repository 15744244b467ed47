from rest_framework import serializers

from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from config.api.fields import MoneyAmountField


class LedgerAccountSerializer(serializers.ModelSerializer):
    balance = MoneyAmountField(source="current_balance")
    overdraft_limit = MoneyAmountField(allow_null=True, help_text="Null: no overdraft limit.")
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LedgerAccount
        fields = ["id", "code", "name", "type", "currency", "status", "balance_tracking", "balance",
                  "allow_overdraft", "overdraft_limit", "branch"]


class PostingSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="code", read_only=True)
    amount = MoneyAmountField()

    class Meta:
        model = Posting
        fields = ["account", "side", "amount", "currency"]


class JournalEntrySerializer(serializers.ModelSerializer):
    postings = PostingSerializer(many=True, read_only=True)
    posted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                             help_text="Null for entries the system posted (end of day, batch).")

    class Meta:
        model = JournalEntry
        fields = ["id", "business_date", "description", "reference", "source", "posted_by", "posted_at",
                  "reverses", "postings"]
