import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.api.serializers import ApprovalPendingSerializer  # one component for every 202 of maker-checker
from apps.domain_errors import PermissionRefused
from apps.organization.models import ApprovalRequest
from apps.payments import selectors
from apps.payments.api.serializers import (
    BeneficiaryInputSerializer,
    BeneficiarySerializer,
    OutgoingPaymentOrderSerializer,
    OutgoingPaymentSerializer,
    PaymentReviewSerializer,
    ReviewDecisionSerializer,
    TransferOrderSerializer,
    TransferSerializer,
)
from apps.payments.models import Beneficiary, Channel, OutgoingPayment, PaymentReview, Transfer
from apps.payments.services import beneficiaries, reviews
from apps.payments.services.staff_payments import submit_outgoing_payment, submit_transfer
from config.api.idempotency import idempotent


def _created_held_or_pending(result, serializer_class, *, held: str) -> Response:
    """201 with the payment; 202 with the payment when a fraud rule held it for review; 202 with the approval
    request when a staff payment waits for its checker."""
    if isinstance(result, ApprovalRequest):
        return Response(ApprovalPendingSerializer(result).data, status=status.HTTP_202_ACCEPTED)
    code = status.HTTP_202_ACCEPTED if result.status == held else status.HTTP_201_CREATED
    return Response(serializer_class(result).data, status=code)


class TransferFilter(django_filters.FilterSet):
    business_date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    business_date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")
    account = django_filters.CharFilter(method="filter_account")

    class Meta:
        model = Transfer
        fields = ["currency", "channel", "status"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(Q(from_account__number=value) | Q(to_account__number=value))


class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Internal transfers. POST needs an ``Idempotency-Key`` header; GET lists the caller's own transfers."""

    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    queryset = Transfer.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.transfers_visible_to(self.request.user).order_by("-id")

    def get_serializer_class(self):
        return TransferOrderSerializer if self.action == "create" else TransferSerializer

    @extend_schema(request=TransferOrderSerializer, responses={
        201: TransferSerializer,
        202: OpenApiResponse(
            response=PolymorphicProxySerializer(component_name="TransferAccepted", resource_type_field_name=None,
                                                serializers=[TransferSerializer, ApprovalPendingSerializer]),
            description="Held for review by a fraud rule (the transfer, status `held`), or a staff transfer above "
                        "the threshold waiting for a checker (the approval request): nothing has moved yet."),
    })
    @idempotent(scope="payments.create_transfer")
    def create(self, request, *args, **kwargs):
        order = TransferOrderSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        result = submit_transfer(
            from_account_number=order.validated_data["from_account"],
            to_account_number=order.validated_data["to_account"],
            money=order.validated_data["amount"],
            reference=order.validated_data["reference"],
            channel=Channel.BRANCH if request.user.is_staff else Channel.API,
            initiated_by=request.user,
            idempotency_key=request.idempotency_key,
            payer_accounts=selectors.payer_accounts_of(request.user),
            beneficiary_id=order.validated_data["beneficiary"],
        )
        return _created_held_or_pending(result, TransferSerializer, held=Transfer.Status.HELD)


class OutgoingPaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payments to other banks. POST needs an ``Idempotency-Key`` header; GET lists the caller's own."""

    lookup_field = "reference"
    queryset = OutgoingPayment.objects.none()

    def get_queryset(self):
        return selectors.outgoing_payments_visible_to(self.request.user).order_by("-id")

    def get_serializer_class(self):
        return OutgoingPaymentOrderSerializer if self.action == "create" else OutgoingPaymentSerializer

    @extend_schema(request=OutgoingPaymentOrderSerializer, responses={
        201: OutgoingPaymentSerializer,
        202: OpenApiResponse(
            response=PolymorphicProxySerializer(component_name="OutgoingPaymentAccepted",
                                                resource_type_field_name=None,
                                                serializers=[OutgoingPaymentSerializer, ApprovalPendingSerializer]),
            description="Held for review by a fraud rule, or a staff payment above the threshold waiting for a "
                        "checker: nothing has left the account yet."),
    })
    @idempotent(scope="payments.create_outgoing_payment")
    def create(self, request, *args, **kwargs):
        order = OutgoingPaymentOrderSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        data = order.validated_data
        result = submit_outgoing_payment(
            from_account_number=data["from_account"], money=data["amount"],
            rail=data["rail"], creditor_name=data["creditor_name"], creditor_account=data["creditor_account"],
            creditor_bic=data["creditor_bic"],
            creditor_country=data["creditor_country"], remittance_information=data["remittance_information"],
            initiated_by=request.user, idempotency_key=request.idempotency_key,
            payer_accounts=selectors.payer_accounts_of(request.user), beneficiary_id=data["beneficiary"],
        )
        return _created_held_or_pending(result, OutgoingPaymentSerializer, held=OutgoingPayment.Status.HELD)


class BeneficiaryViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """A customer's saved payees: list, save, remove. Only the caller's own; another's is "not found"."""

    queryset = Beneficiary.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.beneficiaries_of(self.request.user)

    def get_serializer_class(self):
        return BeneficiaryInputSerializer if self.action == "create" else BeneficiarySerializer

    @extend_schema(request=BeneficiaryInputSerializer, responses={201: BeneficiarySerializer})
    def create(self, request, *args, **kwargs):
        customer = getattr(request.user, "customer", None) if not request.user.is_staff else None
        if customer is None:
            raise PermissionRefused("Beneficiaries are kept by customers; staff use the admin.")
        data = BeneficiaryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        beneficiary = beneficiaries.add_beneficiary(owner=customer, actor=request.user, **data.validated_data)
        return Response(BeneficiarySerializer(beneficiary).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        beneficiaries.remove_beneficiary(beneficiary=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaymentReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff: the review queue of payments fraud rules held (``?status=pending``); release or reject one."""

    serializer_class = PaymentReviewSerializer
    queryset = PaymentReview.objects.none()
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.payment_reviews_visible_to(self.request.user).order_by("created_at", "id")

    def _decide(self, request, decide) -> Response:
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = decide(review=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return Response(PaymentReviewSerializer(selectors.payment_reviews_visible_to(request.user)
                                                .get(pk=review.pk)).data)

    @extend_schema(request=ReviewDecisionSerializer, responses={200: PaymentReviewSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._decide(request, reviews.release_held_payment)

    @extend_schema(request=ReviewDecisionSerializer, responses={200: PaymentReviewSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, reviews.reject_held_payment)
