"""Booked loans over the API (``/api/v1/loans/``): a customer's own loans (staff: their branch's), each with its
balances by component, its schedule (paid, due, overdue), its transactions, a payoff quote as of a date, and
``POST /loans/{id}/repayments/`` from the loan's deposit account with an ``Idempotency-Key``. Amounts are strings.
The rules (whose loan, how much, from where) are the services'; the views parse and call them."""

from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.loans.loan_selectors import get_visible_loan, loan_balances, loans_visible_to
from apps.loans.models import Loan, LoanInstalment, LoanTransaction, PrepaymentChoice, TransactionChannel
from apps.loans.models.loans import LIVE
from apps.loans.services.prepayment import quote_repayment_with_prepayment
from apps.loans.services.quotes import payoff_quote
from apps.loans.services.repayment import repay_loan
from apps.money import round_to_currency
from apps.organization.selectors import current_business_date
from config.api.fields import MoneyAmountField, MoneyInputField
from config.api.idempotency import idempotent


def _loan_amount() -> MoneyAmountField:
    """An amount of the loan's currency on one of its rows (an instalment, a transaction)."""
    return MoneyAmountField(currency_attribute="loan.currency")


class LoanSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    deposit_account = serializers.CharField(source="deposit_account.number")
    amount = MoneyAmountField()
    principal = MoneyAmountField()
    net_disbursed = MoneyAmountField()
    origination_fee = MoneyAmountField()
    annual_rate = serializers.CharField()

    class Meta:
        model = Loan
        fields = ["id", "product", "currency", "deposit_account", "amount", "principal", "net_disbursed",
                  "origination_fee", "annual_rate", "term", "repayment_frequency", "disbursement_date", "status",
                  "closed_on"]


class LoanInstalmentSerializer(serializers.ModelSerializer):
    principal_due = _loan_amount()
    interest_due = _loan_amount()
    fee_due = _loan_amount()
    penalty_due = _loan_amount()
    principal_paid = _loan_amount()
    interest_paid = _loan_amount()
    fee_paid = _loan_amount()
    penalty_paid = _loan_amount()

    class Meta:
        model = LoanInstalment
        fields = ["number", "period_start", "period_end", "due_date", "status", "paid_on", "principal_due",
                  "interest_due", "fee_due", "penalty_due", "principal_paid", "interest_paid", "fee_paid",
                  "penalty_paid"]


class LoanTransactionSerializer(serializers.ModelSerializer):
    amount = _loan_amount()
    principal_portion = _loan_amount()
    interest_portion = _loan_amount()
    fee_portion = _loan_amount()
    penalty_portion = _loan_amount()

    class Meta:
        model = LoanTransaction
        fields = ["id", "kind", "channel", "value_date", "booked_on", "amount", "principal_portion",
                  "interest_portion", "fee_portion", "penalty_portion", "prepayment"]


class RepaymentInputSerializer(serializers.Serializer):
    amount = MoneyInputField()
    prepayment = serializers.ChoiceField(choices=PrepaymentChoice.choices, required=False, default="",
                                         help_text="Needed to pay more than is due: shorten_term or lower_instalment.")


class PrepaymentQuoteInputSerializer(serializers.Serializer):
    amount = MoneyInputField(help_text="The whole repayment: what is due by the date, and the prepayment beyond it.")
    prepayment = serializers.ChoiceField(choices=PrepaymentChoice.choices)
    as_of = serializers.DateField(required=False, help_text="The value date; default the bank's business date.")


class PayoffQuoteSerializer(serializers.Serializer):
    """What closes the loan if paid with value date ``as_of`` (documents the response; amounts are strings)."""
    as_of = serializers.DateField()
    currency = serializers.CharField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    penalties = serializers.CharField()
    total = serializers.CharField()


class QuotedInstalmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()


class PrepaymentQuoteSerializer(serializers.Serializer):
    """The schedule a repayment with a prepayment would leave (documents the response; amounts are strings)."""
    as_of = serializers.DateField()
    currency = serializers.CharField()
    prepaid = serializers.CharField()
    principal_left = serializers.CharField()
    instalments = QuotedInstalmentSerializer(many=True)


def _amounts(values: dict, currency: str) -> dict:
    return {name: str(round_to_currency(value, currency)) for name, value in values.items()}


class LoanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LoanSerializer
    queryset = Loan.objects.none()

    def get_queryset(self):
        return loans_visible_to(self.request.user).order_by("-disbursement_date", "-id")

    def get_object(self) -> Loan:
        return get_visible_loan(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        loan = self.get_object()
        balances = loan_balances(loan)
        body = LoanSerializer(loan).data
        body["balances"] = _amounts({"principal": balances.principal, "interest": balances.interest,
                                     "fees": balances.fees, "penalties": balances.penalties,
                                     "total": balances.total,
                                     "interest_accrued_unpaid": balances.interest_accrued_unpaid}, loan.currency)
        return Response(body)

    # The whole schedule and every transaction of one loan, in one answer: not paginated, not filtered.
    @extend_schema(responses=LoanInstalmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def schedule(self, request, pk=None):
        loan = self.get_object()
        instalments = loan.instalments.filter(LIVE).select_related("loan").order_by("due_date", "number")
        return Response(LoanInstalmentSerializer(instalments, many=True).data)

    @extend_schema(responses=LoanTransactionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transactions(self, request, pk=None):
        loan = self.get_object()
        rows = loan.transactions.select_related("loan").order_by("value_date", "id")
        return Response(LoanTransactionSerializer(rows, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("as_of", datetime.date)], responses=PayoffQuoteSerializer)
    @action(detail=True, methods=["get"], url_path="payoff-quote", pagination_class=None, filter_backends=[])
    def payoff_quote(self, request, pk=None):
        loan = self.get_object()
        text = request.query_params.get("as_of")
        try:
            as_of = datetime.date.fromisoformat(text) if text else current_business_date()
        except ValueError:
            raise ValidationError({"as_of": ["Give a date as YYYY-MM-DD."]}) from None
        quote = payoff_quote(loan=loan, as_of=as_of)
        return Response({"as_of": as_of, "currency": loan.currency, **_amounts(
            {"principal": quote.principal, "interest": quote.interest, "fees": quote.fees,
             "penalties": quote.penalties, "total": quote.total}, loan.currency)})

    @extend_schema(parameters=[PrepaymentQuoteInputSerializer], responses=PrepaymentQuoteSerializer)
    @action(detail=True, methods=["get"], url_path="prepayment-quote", pagination_class=None, filter_backends=[])
    def prepayment_quote(self, request, pk=None):
        """The schedule a repayment of ``amount`` with a prepayment choice would leave (writes nothing)."""
        loan = self.get_object()
        given = PrepaymentQuoteInputSerializer(data=request.query_params, context={"currency": loan.currency})
        given.is_valid(raise_exception=True)
        as_of = given.validated_data.get("as_of") or current_business_date()
        prepaid, quote = quote_repayment_with_prepayment(
            loan=loan, amount=given.validated_data["amount"].amount, choice=given.validated_data["prepayment"],
            as_of=as_of)
        currency = loan.currency
        return Response({"as_of": as_of, "currency": currency,
                         **_amounts({"prepaid": prepaid, "principal_left": quote.principal_left}, currency),
                         "instalments": [{"number": i.number, "due_date": i.due_date,
                                          **_amounts({"principal": i.principal_due, "interest": i.interest_due,
                                                      "fees": i.fee_due + i.penalty_due}, currency)}
                                         for i in quote.instalments]})

    @extend_schema(request=RepaymentInputSerializer, responses={201: LoanTransactionSerializer})
    @action(detail=True, methods=["post"])
    @idempotent(scope="loans.repay_loan")
    def repayments(self, request, pk=None):
        loan = self.get_object()
        given = RepaymentInputSerializer(data=request.data, context={"currency": loan.currency})
        given.is_valid(raise_exception=True)
        txn = repay_loan(loan=loan, amount=given.validated_data["amount"], actor=request.user,
                         idempotency_key=f"api:{request.user.pk}:{request.idempotency_key}",
                         channel=TransactionChannel.API, prepayment=given.validated_data["prepayment"])
        return Response(LoanTransactionSerializer(txn).data, status=status.HTTP_201_CREATED)
