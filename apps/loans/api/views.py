"""Loan products over the API, for the channels and staff alike: the active products, and the schedule a loan
on one would have (``POST /loan-products/{id}/schedule-preview/``; it writes nothing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.loans.api.serializers import LoanProductSerializer, SchedulePreviewInputSerializer, SchedulePreviewSerializer
from apps.loans.models import LoanProduct
from apps.loans.schedule import Schedule
from apps.loans.selectors import active_loan_products, get_loan_product
from apps.loans.services.schedule_preview import preview_schedule
from apps.money import round_to_currency
from apps.organization.selectors import current_business_date


def _amount(value: Decimal, currency: str) -> str:
    return str(round_to_currency(value, currency))


def schedule_body(*, product: LoanProduct, schedule: Schedule, annual_rate: Decimal, frequency: str,
                  disbursement_date: Any) -> dict[str, Any]:
    """A schedule as the API shows it: every amount a string with the currency's decimals."""
    currency = schedule.currency
    return {
        "product": product.code, "currency": currency, "amount": _amount(schedule.amount, currency),
        "annual_rate": str(annual_rate), "term": len(schedule.instalments), "frequency": frequency,
        "disbursement_date": disbursement_date,
        "origination_fee": _amount(schedule.origination_fee, currency), "fee_treatment": schedule.fee_treatment,
        "principal": _amount(schedule.principal, currency), "net_disbursed": _amount(schedule.net_disbursed, currency),
        "regular_instalment": _amount(schedule.regular_instalment, currency),
        "instalments": [
            {"number": i.number, "period_start": i.period_start, "period_end": i.period_end, "due_date": i.due_date,
             "principal": _amount(i.principal, currency), "interest": _amount(i.interest, currency),
             "fees": _amount(i.fees, currency), "total": _amount(i.total, currency),
             "outstanding": _amount(i.outstanding, currency)}
            for i in schedule.instalments
        ],
        "totals": {"principal": _amount(schedule.total_principal, currency),
                   "interest": _amount(schedule.total_interest, currency),
                   "fees": _amount(schedule.total_fees, currency),
                   "total": _amount(schedule.total_repayment, currency)},
    }


class LoanProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The loan products on offer (active ones), to anyone signed in: customers and staff."""

    serializer_class = LoanProductSerializer
    queryset = LoanProduct.objects.none()

    def get_queryset(self):
        return active_loan_products()

    def get_object(self) -> LoanProduct:
        return get_loan_product(self.kwargs["pk"], within=self.get_queryset())

    @extend_schema(request=SchedulePreviewInputSerializer, responses=SchedulePreviewSerializer)
    @action(detail=True, methods=["post"], url_path="schedule-preview")
    def schedule_preview(self, request, pk=None):
        product = self.get_object()
        terms = SchedulePreviewInputSerializer(data=request.data, context={"currency": product.currency})
        terms.is_valid(raise_exception=True)
        given = terms.validated_data
        disbursement_date = given.get("disbursement_date") or current_business_date()
        schedule = preview_schedule(
            product=product, amount=given["amount"], disbursement_date=disbursement_date,
            annual_rate=given.get("annual_rate"), term=given.get("term"), frequency=given.get("frequency"),
            first_repayment_date=given.get("first_repayment_date"))
        body = schedule_body(product=product, schedule=schedule,
                             annual_rate=given.get("annual_rate", product.default_rate),
                             frequency=given.get("frequency") or product.repayment_frequency,
                             disbursement_date=disbursement_date)
        return Response(SchedulePreviewSerializer(body).data)
