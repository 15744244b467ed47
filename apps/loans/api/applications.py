"""Loan applications over the API, for customers: ``POST /loan-applications/`` (with an Idempotency-Key; a replay
returns the first application), their own applications with status and reasons (``GET``), and
``POST /loan-applications/{id}/withdraw/``. Staff enter and decide applications in the admin."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.customers.selectors import customer_of_login
from apps.loans.api.serializers import MAX_TERM_INPUT, RateInputField
from apps.loans.application_selectors import applications_of_customer_user, get_application
from apps.loans.models import LoanApplication
from apps.loans.product_terms import RepaymentFrequency
from apps.loans.selectors import get_loan_product
from apps.loans.services.applications import ApplicationTerms, submit_application, withdraw_application
from apps.money import CURRENCY_CHOICES, Money, round_to_currency
from config.api.fields import MoneyInputField
from config.api.idempotency import idempotent

_ZERO = re.compile(r"0+(\.0+)?", re.ASCII)


class ZeroOrMoneyInputField(MoneyInputField):
    """A declared amount that may be nothing ("0")."""

    def to_internal_value(self, data: Any) -> Money | Decimal:
        if isinstance(data, str) and _ZERO.fullmatch(data):
            currency = self._currency()
            return Money(Decimal("0"), currency) if currency else Decimal("0")
        return super().to_internal_value(data)


class LoanApplicationInputSerializer(serializers.Serializer):
    """An application on an active product. ``currency`` is the product's (given to check it is the one meant);
    rate, term and frequency default to the product's, the disbursement date to the business date."""

    product = serializers.IntegerField(min_value=1, help_text="The loan product's id (GET /loan-products/).")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    amount = MoneyInputField()
    annual_rate = RateInputField(required=False)
    term = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TERM_INPUT)
    repayment_frequency = serializers.ChoiceField(choices=RepaymentFrequency.choices, required=False)
    disbursement_date = serializers.DateField(required=False)
    first_repayment_date = serializers.DateField(required=False)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    declared_monthly_income = ZeroOrMoneyInputField()
    declared_monthly_obligations = ZeroOrMoneyInputField(required=False)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class LoanApplicationSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    amount = serializers.SerializerMethodField()
    annual_rate = serializers.SerializerMethodField()
    declared_monthly_income = serializers.SerializerMethodField()
    declared_monthly_obligations = serializers.SerializerMethodField()
    rejection_reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = LoanApplication
        fields = ["id", "product", "currency", "amount", "term", "annual_rate", "repayment_frequency",
                  "disbursement_date", "first_repayment_date", "purpose", "declared_monthly_income",
                  "declared_monthly_obligations", "status", "status_reason", "rejection_reasons", "channel",
                  "submitted_at", "decided_at"]

    def get_amount(self, application: LoanApplication) -> str:
        return str(round_to_currency(application.amount, application.currency))

    def get_annual_rate(self, application: LoanApplication) -> str:
        return str(application.annual_rate)

    def get_declared_monthly_income(self, application: LoanApplication) -> str:
        return str(round_to_currency(application.declared_monthly_income, application.currency))

    def get_declared_monthly_obligations(self, application: LoanApplication) -> str:
        return str(round_to_currency(application.declared_monthly_obligations, application.currency))


class LoanApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's own loan applications."""

    serializer_class = LoanApplicationSerializer
    queryset = LoanApplication.objects.none()

    def get_queryset(self):
        return applications_of_customer_user(self.request.user)

    def get_object(self) -> LoanApplication:
        return get_application(self.kwargs["pk"], within=self.get_queryset())

    def _customer(self):
        if self.request.user.is_staff:
            raise PermissionDenied("Staff enter loan applications in the admin.")
        return customer_of_login(self.request.user)

    @extend_schema(request=LoanApplicationInputSerializer, responses={201: LoanApplicationSerializer,
                                                                     200: LoanApplicationSerializer})
    @idempotent(scope="loans.submit_application")
    def create(self, request):
        customer = self._customer()
        product_id = request.data.get("product") if hasattr(request.data, "get") else None
        # Any product: an inactive one is the service's refusal (product_inactive), not an unknown product.
        product = get_loan_product(product_id) if product_id is not None else None
        data = LoanApplicationInputSerializer(
            data=request.data, context={"currency": product.currency if product else None})
        data.is_valid(raise_exception=True)
        given = data.validated_data
        terms = ApplicationTerms(
            product=product, amount=Money(given["amount"].amount, given["currency"]),
            declared_monthly_income=given["declared_monthly_income"],
            declared_monthly_obligations=given.get("declared_monthly_obligations"), term=given.get("term"),
            annual_rate=given.get("annual_rate"), repayment_frequency=given.get("repayment_frequency"),
            disbursement_date=given.get("disbursement_date"), first_repayment_date=given.get("first_repayment_date"),
            purpose=given["purpose"])
        application = submit_application(customer=customer, terms=terms, submitted_by=request.user,
                                         idempotency_key=f"api:{request.idempotency_key}")
        return Response(LoanApplicationSerializer(application).data,
                        status=status.HTTP_200_OK if application.replayed else status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=LoanApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        self._customer()
        application = withdraw_application(application=self.get_object(), actor=request.user)
        return Response(LoanApplicationSerializer(application).data)
