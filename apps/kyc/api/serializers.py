"""KYC's sub-resources of a customer in the API: the KYC summary and the documents."""

from rest_framework import serializers

from apps.kyc.models import KycDocument
from apps.kyc.rules import DocumentType


class KycDocumentSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number_masked", read_only=True)

    class Meta:
        model = KycDocument
        fields = ["id", "document_type", "number", "issuing_country", "issue_date", "expiry_date", "content_type",
                  "size", "status", "uploaded_at"]
        read_only_fields = fields


class KycDocumentUploadSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField(allow_empty_file=True)
    issuing_country = serializers.CharField(max_length=2)
    number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    issue_date = serializers.DateField(required=False, allow_null=True, default=None)
    expiry_date = serializers.DateField(required=False, allow_null=True, default=None)


class KycStatusSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    kyc_status = serializers.CharField()
    kyc_review_due = serializers.DateField(allow_null=True)
    risk_rating = serializers.CharField()
    is_verified = serializers.BooleanField(help_text="What accounts, loans and payments will accept today.")
    not_verified_because = serializers.CharField(allow_null=True)
    required_documents = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    open_screening_hits = serializers.IntegerField()
    latest_check = serializers.DictField(allow_null=True)
