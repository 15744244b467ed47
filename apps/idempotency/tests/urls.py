"""A money-moving endpoint for the idempotency tests: it moves money between two ledger accounts."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry
from apps.money import Money
from config.api.idempotency import idempotent


class MoveMoney(serializers.Serializer):
    payer = serializers.IntegerField()
    payee = serializers.IntegerField()
    amount = serializers.CharField()


class MoveMoneyView(APIView):
    calls = 0

    @idempotent(scope="tests.move_money")
    def post(self, request):
        MoveMoneyView.calls += 1
        order = MoveMoney(data=request.data)
        order.is_valid(raise_exception=True)
        if order.validated_data["amount"] == "boom":
            raise RuntimeError("a bug")
        payer = LedgerAccount.objects.get(pk=order.validated_data["payer"])
        money = Money(order.validated_data["amount"], payer.currency)
        entry = post_journal_entry(
            postings=[debit(payer, money), credit(order.validated_data["payee"], money)],
            description="test move", source="tests", idempotency_key=request.idempotency_key,
        )
        return Response({"entry": entry.pk, "amount": str(money.amount)}, status=201)


urlpatterns = [path("move/", MoveMoneyView.as_view())]
