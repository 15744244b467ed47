from collections.abc import Mapping

from rest_framework import serializers

from apps.customers.models import Customer
from apps.customers.services import EDITABLE_FIELDS, refuse_fields_not_editable
from apps.organization.models import Branch

APPLICATION_FIELDS = ["customer_type", "legal_name", "email", "phone", "date_of_birth", "national_id_last4",
                      "business_registration_number", "tax_id", "address", "country"]


class CustomerSerializer(serializers.ModelSerializer):
    """What staff see. The national id is only ever its masked last four."""

    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)
    national_id = serializers.CharField(source="national_id_masked", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "customer_type", "legal_name", "email", "phone", "date_of_birth", "national_id",
                  "business_registration_number", "tax_id", "address", "country", "branch", "status",
                  "risk_rating", "kyc_status", "kyc_review_due", "is_premium", "relationship_manager",
                  "premium_since", "created_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.Serializer):
    """An onboarding application: by staff (branch defaults to theirs) or from a channel (branch required)."""

    customer_type = serializers.ChoiceField(choices=Customer.Type.choices)
    legal_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=16)
    country = serializers.CharField(max_length=2)
    branch = serializers.SlugRelatedField(slug_field="code", queryset=Branch.objects.filter(is_active=True),
                                          required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    national_id_last4 = serializers.CharField(max_length=4, required=False, allow_blank=True, default="",
                                              help_text="Only the last four characters; never the full number.")
    business_registration_number = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                                         default="")
    tax_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")


class CustomerUpdateSerializer(serializers.ModelSerializer):
    """A PATCH of the customer's details. A field that ``update_customer`` does not change (status, KYC outcome,
    branch, ...) is refused with a ``customer_field_not_editable`` problem rather than silently ignored."""

    class Meta:
        model = Customer
        fields = list(EDITABLE_FIELDS)
        extra_kwargs = {field: {"required": False, "validators": []} for field in fields}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            refuse_fields_not_editable(data.keys())
        return super().to_internal_value(data)


class OwnProfileSerializer(serializers.ModelSerializer):
    """What a customer sees of themselves (no internal risk rating)."""

    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)
    national_id = serializers.CharField(source="national_id_masked", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "customer_type", "legal_name", "email", "phone", "date_of_birth", "national_id",
                  "business_registration_number", "tax_id", "address", "country", "branch", "status",
                  "kyc_status", "kyc_review_due", "is_premium", "premium_since"]
        read_only_fields = fields


class PremiumUpgradeSerializer(serializers.Serializer):
    relationship_manager = serializers.IntegerField(help_text="Id of the staff member who will manage the customer.")
