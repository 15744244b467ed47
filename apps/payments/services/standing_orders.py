"""Standing orders: set up by the customer or staff, executed by end of day for each due date."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.models import Account
from apps.domain_errors import DomainError
from apps.money import Money
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.payments.errors import (
    NotAllowedToCancelStandingOrder,
    PaymentRefused,
    SameAccount,
    StandingOrderNotCancellable,
    UnknownAccount,
)
from apps.payments.models import Channel, StandingOrder, StandingOrderExecution
from apps.payments.schedules import first_due_date, following_due_date
from apps.payments.services.transfers import ensure_accounts_can_transfer, transfer_between_accounts


def build_standing_order(*, from_account: Account, to_account_number: str, money: Money, frequency: str,
                         start_date: datetime.date, created_by: User, day_of_month: int | None = None,
                         weekday: int | None = None, end_date: datetime.date | None = None,
                         count: int | None = None, reference: str = "") -> StandingOrder:
    """Check a standing order and return it unsaved: a payee account of this bank, a payer that may send and a
    payee that may receive transfers (as ``transfer_between_accounts`` decides: the payer active, the payee
    neither pending nor closed, both in one currency), a schedule (a day of the month or a weekday), a positive
    amount in the payer's currency, and the model's own checks (``full_clean``).

    Raises what ``create_standing_order`` raises, and writes nothing, so a form can show a refusal before saving.
    """
    to_account = Account.objects.select_related("product").filter(
        number=validate_account_number(to_account_number)).first()
    if to_account is None:
        raise UnknownAccount(f"No account {to_account_number} at this bank.", code="unknown_beneficiary_account")
    if to_account.pk == from_account.pk:
        raise SameAccount("The payer and the payee account are the same.")
    ensure_accounts_can_transfer(from_account, to_account, currency=from_account.currency)
    if frequency == StandingOrder.Frequency.MONTHLY and not (day_of_month and 1 <= day_of_month <= 31):
        raise PaymentRefused("A monthly standing order needs a day of the month (1-31).", code="invalid_schedule")
    if frequency == StandingOrder.Frequency.WEEKLY and weekday not in range(7):
        raise PaymentRefused("A weekly standing order needs a weekday (0 Monday - 6 Sunday).", code="invalid_schedule")
    if not money.is_positive or money.currency != from_account.currency:
        raise PaymentRefused(f"The amount must be positive and in {from_account.currency}.", code="invalid_amount")
    order = StandingOrder(
        from_account=from_account, to_account=to_account, amount=money.amount, currency=money.currency,
        reference=reference, frequency=frequency, day_of_month=day_of_month if frequency == "monthly" else None,
        weekday=weekday if frequency == "weekly" else None, start_date=start_date, end_date=end_date,
        remaining_count=count, created_by=created_by,
        next_due_date=first_due_date(frequency=frequency, start=start_date, day_of_month=day_of_month,
                                     weekday=weekday),
    )
    order._history_user = created_by
    order.full_clean()
    return order


@transaction.atomic
def create_standing_order(*, from_account: Account, to_account_number: str, money: Money, frequency: str,
                          start_date: datetime.date, created_by: User, day_of_month: int | None = None,
                          weekday: int | None = None, end_date: datetime.date | None = None,
                          count: int | None = None, reference: str = "") -> StandingOrder:
    """Record a standing order, after the checks of ``build_standing_order`` (a refusal writes nothing). Its
    first due date is the first schedule day on or after ``start_date``."""
    order = build_standing_order(
        from_account=from_account, to_account_number=to_account_number, money=money, frequency=frequency,
        start_date=start_date, created_by=created_by, day_of_month=day_of_month, weekday=weekday,
        end_date=end_date, count=count, reference=reference,
    )
    order.save()
    return order


CANCEL_PERMISSION = "payments.change_standingorder"


@transaction.atomic
def cancel_standing_order(*, order: StandingOrder, reason: str, cancelled_by: User) -> StandingOrder:
    """Stop an active or suspended standing order: no further payment is made (end of day pays only active ones);
    payments already made stay. The reason goes in the history row.

    Cancelled by staff whose role may change standing orders (``payments.change_standingorder``: branch managers)
    and who may change the payer's account (their branch's, or every branch for bank-wide roles). The order is
    locked first, as ``execute_standing_order`` locks it, so a cancel and an end-of-day payment do not cross.
    """
    if not cancelled_by.is_active or not cancelled_by.is_staff or not cancelled_by.has_perm(CANCEL_PERMISSION):
        raise NotAllowedToCancelStandingOrder("Your role may not cancel standing orders.")
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRefused("Say why the standing order is cancelled.", code="reason_required")
    order = StandingOrder.objects.select_for_update().select_related("from_account").get(pk=order.pk)
    if not can_access(cancelled_by, order.from_account, "change"):
        raise NotAllowedToCancelStandingOrder("The payer's account is another branch's.")
    if order.status not in (StandingOrder.Status.ACTIVE, StandingOrder.Status.SUSPENDED):
        raise StandingOrderNotCancellable(f"Standing order {order.pk} is {order.get_status_display().lower()}.")
    order.status, order.next_due_date = StandingOrder.Status.CANCELLED, None
    order._history_user = cancelled_by
    order._change_reason = reason[:100]  # simple-history's change reason column holds 100 characters
    order.save(update_fields=["status", "next_due_date"])
    return order


def _advance(order: StandingOrder) -> None:
    """Move to the next due date, or complete the order when its end date or count is reached."""
    if order.remaining_count is not None:
        order.remaining_count -= 1
    following = following_due_date(frequency=order.frequency, due=order.next_due_date,
                                   day_of_month=order.day_of_month)
    if order.remaining_count == 0 or (order.end_date and following > order.end_date):
        order.status = StandingOrder.Status.COMPLETED
        order.next_due_date = None
    else:
        order.next_due_date = following


@transaction.atomic
def execute_standing_order(*, order_id: int, business_date: datetime.date) -> str:
    """Pay every due date of the order up to ``business_date``, oldest first; stop at the first failure.

    Idempotent per order and date: a due date is paid once (its execution row is unique, and the transfer's
    idempotency key is the order and due date), and a failed one is attempted at most once per business date.
    Returns what happened: "executed", "failed", "suspended" or "nothing due".
    """
    order = StandingOrder.objects.select_for_update().get(pk=order_id)
    outcome = "nothing due"
    while order.status == StandingOrder.Status.ACTIVE and order.next_due_date <= business_date:
        due = order.next_due_date
        if order.end_date and due > order.end_date:
            order.status, order.next_due_date = StandingOrder.Status.COMPLETED, None
            break
        execution, _ = StandingOrderExecution.objects.get_or_create(
            order=order, due_date=due,
            defaults={"status": StandingOrderExecution.Status.FAILED, "last_attempt_on": business_date})
        if execution.attempts and execution.last_attempt_on >= business_date:
            break  # already tried today: tomorrow's run retries
        execution.attempts += 1
        execution.last_attempt_on = business_date
        try:
            with transaction.atomic():
                transfer = transfer_between_accounts(
                    from_account_number=order.from_account.number, to_account_number=order.to_account.number,
                    money=Money(order.amount, order.currency),
                    reference=order.reference or f"Standing order {order.pk}",
                    channel=Channel.STANDING_ORDER, initiated_by=order.created_by,
                    idempotency_key=f"standing-order:{order.pk}:{due.isoformat()}",
                )
        except DomainError as refusal:
            execution.failure_code, execution.failure_detail = refusal.code, str(refusal)[:300]
            if execution.attempts >= settings.STANDING_ORDER_MAX_ATTEMPTS:
                execution.status = StandingOrderExecution.Status.ABANDONED
                order.status = StandingOrder.Status.SUSPENDED
                outcome = "suspended"
            else:
                execution.status = StandingOrderExecution.Status.FAILED
                outcome = "failed"
            execution.save()
            break
        execution.status, execution.transfer = StandingOrderExecution.Status.EXECUTED, transfer
        execution.failure_code = execution.failure_detail = ""
        execution.save()
        _advance(order)
        outcome = "executed"
    order.save()
    return outcome


def execute_due_standing_orders(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: every active order with a payment due on or before the business date."""
    counts = {"executed": 0, "failed": 0, "suspended": 0, "nothing due": 0}
    due = StandingOrder.objects.filter(status=StandingOrder.Status.ACTIVE, next_due_date__lte=business_date)
    for order_id in due.order_by("pk").values_list("pk", flat=True):
        counts[execute_standing_order(order_id=order_id, business_date=business_date)] += 1
    return {key.replace(" ", "_"): value for key, value in counts.items()}
