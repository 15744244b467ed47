from rest_framework import serializers

from apps.organization.models import ApprovalRequest


class ApprovalRequestSerializer(serializers.ModelSerializer):
    maker = serializers.SlugRelatedField(slug_field="username", read_only=True)
    checker = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                           help_text="Null until someone decides the request.")
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = ["id", "operation", "summary", "parameters", "branch", "maker", "checker", "state",
                  "decision_reason", "result", "created_at", "expires_at", "decided_at"]


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
