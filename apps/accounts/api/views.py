"""Deposit accounts over the API. Customers see only the accounts they hold (``CustomerAccountViewSet``);
staff see their branch's (bank-wide roles every branch) and act on them through the services, which enforce
every rule (``StaffAccountViewSet``). One URL serves both: ``AccountViewSet`` hands each request to the one
for who is asking."""

from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.accounts.api.serializers import (
    AccountSerializer,
    AmountSerializer,
    ApprovalPendingSerializer,
    ClosureSerializer,
    HoldInputSerializer,
    HoldSerializer,
    OpenAccountSerializer,
    ReasonSerializer,
    ReceiptSerializer,
    StaffAccountSerializer,
    TransactionSerializer,
)
from apps.accounts.models import Account, DepositProduct, Hold, TellerTransaction
from apps.accounts.selectors import (
    account_postings,
    accounts_of_customer_user,
    accounts_visible_to_staff,
    get_account_by_number,
    with_balances,
)
from apps.accounts.services import holds, lifecycle, opening, teller
from apps.accounts.statements import statement_download, statement_summary
from apps.customers.models import Customer
from apps.organization.branch_scope import can_access, visible_to
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from config.api.idempotency import idempotent

DATE_RANGE = [OpenApiParameter("from", datetime.date), OpenApiParameter("to", datetime.date)]


def _date(request, name: str, default: datetime.date | None) -> datetime.date | None:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["Give a date as YYYY-MM-DD."]}) from None


class _AccountReads(viewsets.GenericViewSet):
    """What customers and staff both read: the list, one account, its transactions, its statement."""

    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9 ]+"
    queryset = Account.objects.none()

    def perform_content_negotiation(self, request, force=False):
        # On the statement, ?format=csv|pdf names the file to produce, not one of DRF's renderers.
        return super().perform_content_negotiation(request, force=force or self.action == "statement")

    def get_object(self) -> Account:
        return get_account_by_number(self.kwargs["number"], within=self.get_queryset())

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, number=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(parameters=DATE_RANGE, responses=TransactionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def transactions(self, request, number=None):
        account = self.get_object()
        postings = account_postings(account, date_from=_date(request, "from", None), date_to=_date(request, "to", None))
        page = self.paginate_queryset(postings.order_by("-entry__business_date", "-entry_id", "-id"))
        return self.get_paginated_response(TransactionSerializer(page, many=True).data)

    @extend_schema(parameters=[*DATE_RANGE, OpenApiParameter("format", str, enum=["csv", "pdf"])],
                   responses={(200, "text/csv"): bytes, (200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="statement")
    def statement(self, request, number=None):
        account = self.get_object()
        today = current_business_date()
        date_to = _date(request, "to", today)
        date_from = _date(request, "from", date_to.replace(day=1))
        if date_from > date_to:
            raise ValidationError({"from": ["The period starts after it ends."]})
        kind = request.query_params.get("format", "csv")
        summary = statement_summary(account, date_from, date_to)
        if kind not in ("csv", "pdf"):
            raise ValidationError({"format": ["Choose csv or pdf."]})
        return statement_download(summary, kind=kind)


class CustomerAccountViewSet(_AccountReads):
    """A customer's own accounts, as holder or joint holder."""

    serializer_class = AccountSerializer

    def get_queryset(self):
        return accounts_of_customer_user(self.request.user)


class StaffAccountViewSet(_AccountReads):
    """The staff member's branch's accounts (bank-wide roles every branch), and what staff do on them: open,
    freeze, unfreeze, close, holds, cash. A customer sent here (for an operation of staff) is refused."""

    serializer_class = StaffAccountSerializer

    def get_queryset(self):
        return accounts_visible_to_staff(self.request.user)

    def _staff_account(self, action_name: str = "change") -> Account:
        if not self.request.user.is_staff:
            raise PermissionDenied("Staff only.")
        account = self.get_object()
        if not can_access(self.request.user, account, action_name):
            raise PermissionDenied("This account belongs to another branch.")
        return account

    @extend_schema(request=OpenAccountSerializer, responses={201: StaffAccountSerializer})
    def create(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")  # which staff may open accounts is open_account's rule
        data = OpenAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customers = visible_to(request.user, Customer.objects.all())
        customer = customers.filter(pk=data.validated_data["customer"]).first()
        product = DepositProduct.objects.filter(code=data.validated_data["product"]).first()
        if customer is None or product is None:
            raise NotFound("No such customer in your branch, or no such product.")
        linked = None
        if data.validated_data["linked_account"]:
            linked = get_account_by_number(data.validated_data["linked_account"], within=self.get_queryset())
        account = opening.open_account(
            customer=customer, product=product, actor=request.user, linked_account=linked,
            joint_holders=list(customers.filter(pk__in=data.validated_data["joint_holders"])),
            maturity_instruction=data.validated_data["maturity_instruction"],
        )
        account = with_balances(Account.objects.filter(pk=account.pk)).get()
        return Response(StaffAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=StaffAccountSerializer)
    @action(detail=True, methods=["post"])
    def freeze(self, request, number=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = lifecycle.freeze_account(account=self._staff_account("view"), reason=data.validated_data["reason"],
                                           actor=request.user)
        return Response(StaffAccountSerializer(with_balances(Account.objects.filter(pk=account.pk)).get()).data)

    @extend_schema(request=ReasonSerializer, responses={202: ApprovalPendingSerializer})
    @action(detail=True, methods=["post"])
    def unfreeze(self, request, number=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = lifecycle.request_unfreeze(account=self._staff_account("view"), reason=data.validated_data["reason"],
                                              maker=request.user)
        return Response(ApprovalPendingSerializer(approval).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ClosureSerializer, responses={202: ApprovalPendingSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        data = ClosureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = lifecycle.request_closure(account=self._staff_account(), maker=request.user,
                                             payout_to=data.validated_data["payout_to"],
                                             reason=data.validated_data["reason"])
        return Response(ApprovalPendingSerializer(approval).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(methods=["get"], responses=HoldSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="holds", pagination_class=None)  # a bare list
    def holds(self, request, number=None):
        account = self._staff_account("view")
        return Response(HoldSerializer(account.holds.order_by("-pk"), many=True).data)

    @extend_schema(request=HoldInputSerializer, responses={201: HoldSerializer, 200: HoldSerializer})
    @holds.mapping.post
    @idempotent(scope="accounts.place_hold")
    def place_hold(self, request, number=None):
        account = self._staff_account()
        holds.ensure_staff_may_change_holds(request.user, account)  # the admin's door asks the same rule
        data = HoldInputSerializer(data=request.data, context={"currency": account.currency})
        data.is_valid(raise_exception=True)
        hold = holds.place_hold(account=account, amount=data.validated_data["amount"],
                                reason=data.validated_data["reason"], expires_on=data.validated_data["expires_on"],
                                actor=request.user, idempotency_key=f"api:{request.user.pk}:{request.idempotency_key}")
        return Response(HoldSerializer(hold).data,
                        status=status.HTTP_200_OK if hold.replayed else status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HoldSerializer)
    @action(detail=True, methods=["post"], url_path=r"holds/(?P<hold_id>\d+)/release")
    def release_hold(self, request, number=None, hold_id=None):
        account = self._staff_account()
        holds.ensure_staff_may_change_holds(request.user, account)
        hold = Hold.objects.filter(account=account, pk=hold_id).first()
        if hold is None:
            raise NotFound("No such hold on this account.")
        return Response(HoldSerializer(holds.release_hold(hold=hold, actor=request.user)).data)

    def _cash(self, request, kind: str) -> Response:
        account = self._staff_account("view")  # who handles cash on it: submit_cash_operation's rule
        data = AmountSerializer(data=request.data, context={"currency": account.currency})
        data.is_valid(raise_exception=True)
        result = teller.submit_cash_operation(
            kind=kind, account=account, amount=data.validated_data["amount"],
            teller=request.user, idempotency_key=f"api:{request.user.pk}:{request.idempotency_key}",
        )
        if isinstance(result, TellerTransaction):
            return Response(ReceiptSerializer(result).data, status=status.HTTP_201_CREATED)
        return Response(ApprovalPendingSerializer(result).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=AmountSerializer, responses={201: ReceiptSerializer, 202: ApprovalPendingSerializer})
    @action(detail=True, methods=["post"])
    @idempotent(scope="accounts.cash_deposit")
    def deposit(self, request, number=None):
        return self._cash(request, TellerTransaction.Kind.DEPOSIT)

    @extend_schema(request=AmountSerializer, responses={201: ReceiptSerializer, 202: ApprovalPendingSerializer})
    @action(detail=True, methods=["post"])
    @idempotent(scope="accounts.cash_withdrawal")
    def withdrawal(self, request, number=None):
        return self._cash(request, TellerTransaction.Kind.WITHDRAWAL)


class AccountViewSet(CustomerAccountViewSet, StaffAccountViewSet):
    """``GET /accounts/``: a customer's own accounts, or the staff member's branch's accounts."""

    # The router mounts this class, whose actions are both viewsets' (and the schema reads it, the customer's
    # serializer first, as the API has always described its reads). Each request is authenticated, permitted,
    # throttled and negotiated once, here; then its handlers are those of the viewset for who is asking.

    @staticmethod
    def viewset_for(user: User, action: str | None) -> type[_AccountReads]:
        """Staff get the staff viewset. Customers get theirs, and the staff one for an operation only staff do
        (which refuses them where it always did: after reading the request's body, for instance)."""
        staff_only = action is not None and hasattr(StaffAccountViewSet, action) and not hasattr(_AccountReads, action)
        if user.is_staff or staff_only:
            return StaffAccountViewSet
        return CustomerAccountViewSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        chosen = self.viewset_for(request.user, self.action)
        viewset = chosen.__new__(chosen)
        viewset.__dict__.update(self.__dict__)  # the request, its arguments, the action, the initkwargs
        method = request.method.lower()
        if method in self.action_map:
            setattr(self, method, getattr(viewset, self.action_map[method]))
        self._viewset = viewset

    def get_serializer_class(self):
        # OPTIONS describes the shapes of the viewset for who is asking; the schema (no request) the customer's.
        viewset = getattr(self, "_viewset", None)
        return viewset.get_serializer_class() if viewset else super().get_serializer_class()
