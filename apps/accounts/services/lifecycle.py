"""Account status changes: activation, customer activity and dormancy, freeze / unfreeze, closure.

Unfreezing and closing are sensitive: a staff member requests them, a second person approves
(maker-checker, apps.accounts.approvals), and the approval runs the service here.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_update_with_history

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.errors import AccountStateRefused, InvalidAccountOperation
from apps.accounts.house_accounts import vault_cash
from apps.accounts.locks import lock_account, lock_accounts
from apps.accounts.models import Account, DepositProduct, Hold, ProductKind
from apps.accounts.periods import add_months
from apps.accounts.services.interest import capitalize_interest
from apps.domain_errors import PermissionRefused
from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry, set_ledger_account_status
from apps.money import Money
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.organization.services import request_approval

UNFREEZE = "accounts.unfreeze_account"
CLOSE = "accounts.close_account"


def idle_days(account: Account, business_date: datetime.date) -> int | None:
    """Days since the account's last customer-initiated movement (read before this one is recorded), as money
    monitoring reports it (a dormant account woken by a large movement); None before the first."""
    if account.last_customer_activity_on is None:
        return None
    return max((business_date - account.last_customer_activity_on).days, 0)


def record_customer_activity(*, account: Account, business_date: datetime.date, actor: User) -> None:
    """A movement the customer initiated: it resets the dormancy clock and wakes a dormant account.
    The caller holds the account's lock."""
    account.last_customer_activity_on = business_date
    fields = ["last_customer_activity_on"]
    if account.status == Account.Status.DORMANT:
        account.status = Account.Status.ACTIVE
        fields.append("status")
    account._history_user = actor
    account.save(update_fields=fields)


def activate_if_funded(*, account: Account, business_date: datetime.date, actor: User) -> bool:
    """A pending account becomes active once its balance reaches the product's minimum opening balance (and,
    for a term deposit, is positive: its term starts then). The caller holds the account's lock."""
    if account.status != Account.Status.PENDING:
        return False
    balance = account.ledger_account.balance
    product = account.product
    if balance < product.minimum_opening_balance or (product.kind == ProductKind.TERM and balance <= 0):
        return False
    account.status = Account.Status.ACTIVE
    fields = ["status"]
    if product.kind == ProductKind.TERM:
        account.maturity_date = add_months(business_date, product.term_months)
        account.opened_on = business_date
        fields += ["maturity_date", "opened_on"]
    account._history_user = actor
    account.save(update_fields=fields)
    return True


def _ensure_in_scope(actor: User, account: Account) -> None:
    """Freezing is a compliance act on any branch's account (the role is bank-wide, and needs no right to debit
    it: accounts.change_account); a branch role that held the permission would be kept to its branch."""
    if not can_access(actor, account, "view"):
        raise PermissionRefused(f"Account {account.number} belongs to another branch.")


@transaction.atomic
def freeze_account(*, account: Account, reason: str, actor: User) -> Account:
    """Compliance freezes an account: nothing may leave it (its ledger account is frozen too); it may still
    receive money. Unfreezing needs maker-checker."""
    if not actor.has_perm("accounts.freeze_account"):
        raise PermissionRefused("Your role may not freeze accounts.")
    _ensure_in_scope(actor, account)
    if not reason.strip():
        raise InvalidAccountOperation("Say why the account is frozen.", code="reason_required")
    account = lock_account(account)
    if account.status in (Account.Status.FROZEN, Account.Status.CLOSED, Account.Status.PENDING):
        raise AccountStateRefused(f"Account {account.number} is {account.status}: it cannot be frozen.",
                                  code=f"account_{account.status}")
    set_ledger_account_status(account=account.ledger_account, status=LedgerAccount.Status.FROZEN, changed_by=actor,
                              for_owner=True)
    account.status_before_freeze, account.status = account.status, Account.Status.FROZEN
    account._history_user = actor
    account._change_reason = reason[:100]
    account.save(update_fields=["status", "status_before_freeze"])
    return account


def request_unfreeze(*, account: Account, reason: str, maker: User):
    account = Account.objects.get(pk=account.pk)
    if not maker.has_perm("accounts.freeze_account"):
        raise PermissionRefused("Your role may not request unfreezing.")
    _ensure_in_scope(maker, account)
    if account.status != Account.Status.FROZEN:
        raise AccountStateRefused(f"Account {account.number} is not frozen.", code=f"account_{account.status}")
    return request_approval(operation=UNFREEZE, parameters={"account_id": account.pk, "reason": reason},
                            summary=f"Unfreeze {account.number}: {reason}", maker=maker, branch=account.branch)


@transaction.atomic
def unfreeze_account(*, account: Account, actor: User) -> Account:
    """Return a frozen account to the status it had (approved through maker-checker)."""
    account = lock_account(account)
    if account.status != Account.Status.FROZEN:
        raise AccountStateRefused(f"Account {account.number} is not frozen.", code=f"account_{account.status}")
    set_ledger_account_status(account=account.ledger_account, status=LedgerAccount.Status.OPEN, changed_by=actor,
                              for_owner=True)
    account.status, account.status_before_freeze = account.status_before_freeze or Account.Status.ACTIVE, ""
    account._history_user = actor
    account.save(update_fields=["status", "status_before_freeze"])
    return account


def request_closure(*, account: Account, maker: User, payout_to: str = "cash", reason: str = ""):
    """Ask for the account's closure; ``payout_to`` is "cash" (paid at the branch) or another account's number."""
    if not maker.has_perm("accounts.request_account_closure"):
        raise PermissionRefused("Your role may not request account closures.")
    account = Account.objects.get(pk=account.pk)
    if account.status == Account.Status.CLOSED:
        raise AccountStateRefused(f"Account {account.number} is already closed.", code="account_closed")
    if payout_to != "cash":
        payout_to = validate_account_number(payout_to)
    return request_approval(
        operation=CLOSE, parameters={"account_id": account.pk, "payout_to": payout_to, "reason": reason},
        summary=f"Close {account.number}, pay the balance out to {payout_to}", maker=maker, branch=account.branch,
    )


@transaction.atomic
def close_account(*, account: Account, actor: User, payout_to: str = "cash",
                  idempotency_key: str | None = None) -> Account:
    """Close an account (approved through maker-checker). Unposted interest is settled first, then a remaining
    positive balance is paid out (cash at the account's branch vault, or to another open account of the same
    primary holder) so the account closes at zero. Refused with active holds, an overdrawn balance, while
    frozen, or for a running term deposit (early withdrawal is its own operation)."""
    payout_account = None
    if payout_to != "cash":
        payout_account = Account.objects.filter(number=validate_account_number(payout_to)).first()
        if payout_account is None or payout_account.customer_id != account.customer_id:
            raise InvalidAccountOperation("The payout account must be another account of the same customer.",
                                          code="payout_account_invalid")
    locked = {a.pk: a for a in lock_accounts([account.pk] + ([payout_account.pk] if payout_account else []))}
    account = locked[account.pk]
    if account.status in (Account.Status.CLOSED, Account.Status.FROZEN):
        raise AccountStateRefused(f"Account {account.number} is {account.status}.", code=f"account_{account.status}")
    if account.product.kind == ProductKind.TERM and account.status == Account.Status.ACTIVE:
        raise AccountStateRefused("A running term deposit closes at maturity or by early withdrawal.",
                                  code="term_deposit_locked")
    if Hold.objects.filter(account=account, status=Hold.Status.ACTIVE).exists():
        raise AccountStateRefused(f"Account {account.number} has active holds: release them first.",
                                  code="account_has_holds")
    business_date = current_business_date()
    capitalize_interest(accounts=[account], through=business_date, business_date=business_date, actor=actor,
                        purpose="closure")
    account.ledger_account.refresh_from_db(fields=["balance"])
    balance = account.ledger_account.balance
    if balance < 0:
        raise AccountStateRefused(f"Account {account.number} is overdrawn by {-balance}: settle it first.",
                                  code="account_overdrawn")
    if balance > 0:
        money = Money(balance, account.ledger_account.currency)
        if payout_account is not None:
            if payout_account.status not in (Account.Status.ACTIVE, Account.Status.DORMANT):
                raise AccountStateRefused("The payout account is not open.", code="payout_account_invalid")
            target = payout_account.ledger_account
        else:
            target = vault_cash(account.branch)
        post_journal_entry(
            postings=[debit(account.ledger_account, money), credit(target, money)],
            description=f"Closing payout {account.number} to {payout_to}", source="accounts",
            idempotency_key=idempotency_key or f"close:{account.pk}", posted_by=actor, reference=account.number,
        )
    set_ledger_account_status(account=account.ledger_account, status=LedgerAccount.Status.CLOSED, changed_by=actor,
                              for_owner=True)
    account.status, account.closed_on = Account.Status.CLOSED, business_date
    account._history_user = actor
    account.save(update_fields=["status", "closed_on"])
    return account


@transaction.atomic
def mark_dormant_accounts(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: active accounts with no customer-initiated movement for their product's dormancy
    period (counted from the last such movement, or the opening) become dormant. Idempotent."""
    marked = 0
    for product in DepositProduct.objects.exclude(kind=ProductKind.TERM):
        cutoff = business_date - datetime.timedelta(days=product.dormant_after_days)
        stale = list(
            Account.objects.filter(product=product, status=Account.Status.ACTIVE)
            .filter(Q(last_customer_activity_on__lte=cutoff)
                    | Q(last_customer_activity_on__isnull=True, opened_on__lte=cutoff))
            .order_by("pk").select_for_update(of=("self",))
        )
        for account in stale:
            account.status = Account.Status.DORMANT
        bulk_update_with_history(stale, Account, ["status"], batch_size=1000)
        marked += len(stale)
    return {"dormant": marked}
