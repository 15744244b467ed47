from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.organization import selectors, services
from apps.organization.api.serializers import ApprovalRequestSerializer, RejectionSerializer
from apps.organization.models import ApprovalRequest
from config.api.permissions import IsStaffUser, StaffModelPermissions


class ApprovalRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Maker-checker requests the staff member may see; checkers approve or reject them here."""

    serializer_class = ApprovalRequestSerializer
    permission_classes = [StaffModelPermissions]
    filterset_fields = ["state", "operation"]
    queryset = ApprovalRequest.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.approval_requests_for(self.request.user)

    def get_permissions(self):
        if self.action in ("approve", "reject"):
            return [IsStaffUser()]  # approve_request/reject_request decide who may decide
        return super().get_permissions()

    @extend_schema(request=None, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        decided = services.approve_request(request=self.get_object(), checker=request.user)
        return Response(ApprovalRequestSerializer(decided).data)

    @extend_schema(request=RejectionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        rejection = RejectionSerializer(data=request.data)
        rejection.is_valid(raise_exception=True)
        decided = services.reject_request(request=self.get_object(), checker=request.user,
                                          reason=rejection.validated_data["reason"])
        return Response(ApprovalRequestSerializer(decided).data)
