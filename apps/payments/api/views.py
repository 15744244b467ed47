import django_filters
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.ledger.money import Money
from apps.payments import selectors
from apps.payments.api.serializers import (
    OutgoingPaymentOrderSerializer,
    OutgoingPaymentSerializer,
    TransferOrderSerializer,
    TransferSerializer,
)
from apps.payments.models import Channel, OutgoingPayment, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.transfers import transfer_between_accounts
from config.api.idempotency import idempotent


class TransferFilter(django_filters.FilterSet):
    business_date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    business_date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")
    account = django_filters.CharFilter(method="filter_account")

    class Meta:
        model = Transfer
        fields = ["currency", "channel"]

    def filter_account(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(from_account__number=value) | Q(to_account__number=value))


class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Internal transfers. POST needs an ``Idempotency-Key`` header; GET lists the caller's own transfers."""

    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    queryset = Transfer.objects.none()

    def get_queryset(self):
        return selectors.transfers_visible_to(self.request.user).order_by("-id")

    def get_serializer_class(self):
        return TransferOrderSerializer if self.action == "create" else TransferSerializer

    @idempotent(scope="payments.create_transfer")
    def create(self, request, *args, **kwargs):
        order = TransferOrderSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        transfer = transfer_between_accounts(
            from_account_number=order.validated_data["from_account"],
            to_account_number=order.validated_data["to_account"],
            money=Money(order.validated_data["amount"], order.validated_data["currency"]),
            reference=order.validated_data["reference"],
            channel=Channel.BRANCH if request.user.is_staff else Channel.API,
            initiated_by=request.user,
            idempotency_key=request.idempotency_key,
            payer_accounts=selectors.payer_accounts_of(request.user),
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class OutgoingPaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payments to other banks. POST needs an ``Idempotency-Key`` header; GET lists the caller's own."""

    lookup_field = "reference"
    queryset = OutgoingPayment.objects.none()

    def get_queryset(self):
        return selectors.outgoing_payments_visible_to(self.request.user).order_by("-id")

    def get_serializer_class(self):
        return OutgoingPaymentOrderSerializer if self.action == "create" else OutgoingPaymentSerializer

    @idempotent(scope="payments.create_outgoing_payment")
    def create(self, request, *args, **kwargs):
        order = OutgoingPaymentOrderSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        data = order.validated_data
        payment = initiate_outgoing_payment(
            from_account_number=data["from_account"], money=Money(data["amount"], data["currency"]),
            rail=data["rail"], creditor_name=data["creditor_name"], creditor_account=data["creditor_account"],
            creditor_country=data["creditor_country"], remittance_information=data["remittance_information"],
            initiated_by=request.user, idempotency_key=request.idempotency_key,
            payer_accounts=selectors.payer_accounts_of(request.user),
        )
        return Response(OutgoingPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
