from rest_framework import serializers

from apps.ledger.models import JournalEntry, LedgerAccount, Posting


class LedgerAccountSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(source="current_balance", max_digits=30, decimal_places=4, read_only=True)
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LedgerAccount
        fields = ["id", "code", "name", "type", "currency", "status", "balance_tracking", "balance",
                  "allow_overdraft", "overdraft_limit", "branch"]


class PostingSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
