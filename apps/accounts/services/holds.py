"""Holds: money set aside on an account, lowering its available balance until released or expired."""

from __future__ import annotations

import datetime

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from apps.accounts.errors import HoldNotActive, HoldNotReleasable, HoldReplayConflict, InvalidAccountOperation
from apps.accounts.locks import lock_account
from apps.accounts.models import Account, Hold
from apps.accounts.services.availability import ensure_available, ensure_status
from apps.domain_errors import PermissionRefused
from apps.money import Money
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.organization.selectors import current_business_date


def ensure_staff_may_change_holds(staff: User, account: Account) -> None:
    """Staff place and release holds on the accounts they may change (their branch's; ``accounts.change_account``),
    as on the API's staff door. A payment's own hold is the payment service's, whoever its initiator."""
    if not staff.is_active or not staff.is_staff:
        raise PermissionRefused("Staff only.")
    if not can_access(staff, account, "change"):
        raise PermissionRefused(f"Your role may not change holds on account {account.number} (another branch's, or "
                                "a role that moves no customer money).")


def _replay(existing: Hold, *, account: Account, amount: Money, purpose: str) -> Hold:
    if (existing.account_id, existing.amount, existing.purpose) != (account.pk, amount.amount, purpose):
        raise HoldReplayConflict(f"Idempotency key {existing.idempotency_key!r} was used for hold {existing.pk}, "
                                 "a different one.")
    existing.replayed = True
    return existing


@transaction.atomic
def place_hold(*, account: Account, amount: Money, reason: str, actor: User, idempotency_key: str,
               expires_on: datetime.date | None = None, purpose: str = Hold.Purpose.STAFF) -> Hold:
    """Set ``amount`` aside. Refused when the available balance does not cover it: a hold never takes the
    available balance below what the product allows (the same rule, under the same lock, as a debit).

    Replaying ``idempotency_key`` returns the first hold (``replayed`` set) and sets nothing aside again; the key
    with another account or amount is refused. ``purpose`` says who may release it (``release_hold``)."""
    if not idempotency_key:
        raise InvalidAccountOperation("Placing a hold needs an idempotency key.", code="idempotency_key_missing")
    if purpose not in Hold.Purpose.values:
        raise InvalidAccountOperation(f"Unknown hold purpose {purpose!r}.", code="hold_purpose_unknown")
    if not amount.is_positive:
        raise InvalidAccountOperation("A hold's amount must be positive.", code="amount_not_positive")
    if not reason.strip():
        raise InvalidAccountOperation("Say why the money is held.", code="reason_required")
    today = current_business_date()
    if expires_on is not None and expires_on < today:
        raise InvalidAccountOperation("A hold cannot expire in the past.", code="expiry_in_past")
    account = lock_account(account)
    # Looked up under the account's lock: a concurrent request with the same key has committed or not yet begun.
    existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, account=account, amount=amount, purpose=purpose)
    ensure_status(account, (Account.Status.ACTIVE, Account.Status.DORMANT, Account.Status.FROZEN), "a hold")
    ensure_available(account, amount)
    hold = Hold(account=account, amount=amount.amount, reason=reason.strip(), placed_on=today,
                expires_on=expires_on, placed_by=actor, purpose=purpose, idempotency_key=idempotency_key)
    hold._history_user = actor
    hold.save()
    hold.replayed = False
    return hold


def ensure_releasable_by(hold: Hold, purpose: str) -> None:
    """A payment review's hold is released only by the review's decision, never by hand from the account."""
    if hold.purpose != purpose:
        raise HoldNotReleasable(f"Hold {hold.pk} belongs to a payment held for review: compliance releases or "
                                "rejects the payment, which releases the hold.")


@transaction.atomic
def release_hold(*, hold: Hold, actor: User, purpose: str = Hold.Purpose.STAFF) -> Hold:
    """Release an active hold. ``purpose`` is the releasing door's: staff (the default) release staff holds only;
    the payment review service passes ``Hold.Purpose.PAYMENT_REVIEW`` for the holds of the payments it decides."""
    lock_account(hold.account_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    ensure_releasable_by(hold, purpose)
    if hold.status != Hold.Status.ACTIVE:
        raise HoldNotActive(f"Hold {hold.pk} is already {hold.status}.")
    hold.status = Hold.Status.RELEASED
    hold.released_by = actor
    hold.released_on = current_business_date()
    hold._history_user = actor
    hold.save()
    return hold


@transaction.atomic
def expire_holds(*, business_date: datetime.date) -> int:
    """End of day: holds whose end date is ``business_date`` or earlier expire (idempotent)."""
    holds = list(Hold.objects.filter(status=Hold.Status.ACTIVE, expires_on__lte=business_date)
                 .order_by("pk").select_for_update())
    for hold in holds:
        hold.status = Hold.Status.EXPIRED
        hold.released_on = business_date
    bulk_update_with_history(holds, Hold, ["status", "released_on"], batch_size=1000)
    return len(holds)
