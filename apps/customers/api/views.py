"""Customers API: staff manage their branch's customers; a customer's login sees only its own profile. KYC adds
its sub-resources of a customer (``/customers/{id}/kyc/`` and ``/documents/``) in apps/kyc/api/views.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.customers import selectors, services
from apps.customers.api.serializers import (
    ApplicationSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    OwnProfileSerializer,
    PremiumUpgradeSerializer,
)
from apps.customers.errors import InvalidCustomerData
from apps.customers.models import Customer
from apps.organization.models import User
from config.api.permissions import IsStaffUser, StaffModelPermissions


class StaffCustomerViewSet(viewsets.GenericViewSet):
    """The staff member's customers (their branch's; all for head-office roles)."""

    serializer_class = CustomerSerializer
    permission_classes = [StaffModelPermissions]
    queryset = Customer.objects.none()
    filter_backends = [*viewsets.GenericViewSet.filter_backends, filters.SearchFilter]
    filterset_fields = ["customer_type", "kyc_status", "risk_rating", "status", "is_premium", "branch", "country"]
    search_fields = ["legal_name", "email", "phone", "=id"]
    ordering_fields = ["id", "legal_name", "created_at", "kyc_review_due"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"
    # POSTs that any active staff reaches: the service decides (a 403 problem for a role that may not); reads
    # and edits keep the model permissions.
    actions_the_service_decides: tuple[str, ...] = ()

    def get_permissions(self):
        if self.request.method == "POST" and self.action in self.actions_the_service_decides:
            return [IsStaffUser()]
        return super().get_permissions()

    def get_queryset(self):
        action_name = "change" if self.request.method in ("PATCH", "POST") and self.action != "create" else "view"
        return selectors.customers_for(self.request.user, action_name).order_by("pk")


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, StaffCustomerViewSet):
    """The staff member's customers (their branch's; all for head-office roles)."""

    actions_the_service_decides = ("create", "upgrade")  # onboarding and the premium upgrade

    @extend_schema(request=ApplicationSerializer, responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        application = ApplicationSerializer(data=request.data)
        application.is_valid(raise_exception=True)
        fields = dict(application.validated_data)
        branch = fields.pop("branch", None) or request.user.home_branch
        if branch is None:
            raise InvalidCustomerData("Give the customer's home branch.", code="branch_required")
        customer = services.onboard_customer(actor=request.user, branch=branch, channel="staff_api", **fields)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerUpdateSerializer, responses=CustomerSerializer)
    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        changes = CustomerUpdateSerializer(customer, data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        updated = services.update_customer(customer=customer, actor=request.user, **changes.validated_data)
        return Response(CustomerSerializer(updated).data)

    @extend_schema(request=PremiumUpgradeSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        """Upgrade to premium with a relationship manager (a staff member); refused if already premium."""
        customer = get_object_or_404(selectors.customers_for(request.user, "view"), pk=pk)
        # who may upgrade this customer is upgrade_to_premium's rule (a 403 problem otherwise)
        upgrade = PremiumUpgradeSerializer(data=request.data)
        upgrade.is_valid(raise_exception=True)
        manager = User.objects.filter(pk=upgrade.validated_data["relationship_manager"]).first()
        upgraded = services.upgrade_to_premium(customer=customer, relationship_manager=manager, actor=request.user)
        return Response(CustomerSerializer(upgraded).data)


class OnboardingView(APIView):
    """Web and mobile applications. Anyone may apply (throttled); a signed-in channel login is linked to the
    new customer. Staff use POST /customers/ instead."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "onboarding"

    @extend_schema(request=ApplicationSerializer, responses={201: OwnProfileSerializer})
    def post(self, request):
        application = ApplicationSerializer(data=request.data)
        application.is_valid(raise_exception=True)
        fields = dict(application.validated_data)
        if fields.get("branch") is None:
            raise InvalidCustomerData("Choose the branch that will serve you.", code="branch_required")
        user = request.user if request.user.is_authenticated else None
        if user is not None and (user.is_staff or Customer.objects.filter(user=user).exists()):
            user = None  # staff apply through the staff API; a login already linked stays with its customer
        customer = services.onboard_customer(actor=user, user=user, channel="web", **fields)
        return Response(OwnProfileSerializer(customer).data, status=status.HTTP_201_CREATED)


class OwnProfileView(APIView):
    """GET /me/: the signed-in customer's own profile, and nobody else's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OwnProfileSerializer)
    def get(self, request):
        return Response(OwnProfileSerializer(selectors.customer_of_login(request.user)).data)
