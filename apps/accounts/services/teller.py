"""Cash at the counter: deposits and withdrawals against the teller's branch vault, with receipts, limits per
role and currency and a branch manager's approval above the limit (maker-checker)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.accounts.errors import (
    AccountStateRefused,
    InvalidAccountOperation,
    NotAllowedToApproveCash,
    NotAllowedToHandleCash,
    TellerLimitExceeded,
    TellerReplayConflict,
)
from apps.accounts.house_accounts import vault_cash
from apps.accounts.locks import lock_account
from apps.accounts.models import Account, ProductKind, TellerTransaction
from apps.accounts.services.availability import DEBITABLE, ensure_available, ensure_status
from apps.accounts.services.lifecycle import activate_if_funded, idle_days, record_customer_activity
from apps.customers.rules import ensure_customer_may_send
from apps.ledger.money_movements import MovementLeg, publish_money_movement
from apps.ledger.services import credit, debit, post_journal_entry
from apps.ledger.thresholds import is_above, threshold
from apps.money import Money
from apps.organization.branch_scope import can_access
from apps.organization.models import ApprovalRequest, User
from apps.organization.selectors import current_business_date
from apps.organization.services import request_approval

CASH_OPERATION = "accounts.cash_operation"
SOURCE = "teller"
CASH_PERMISSION = "accounts.operate_cash"


def ensure_may_handle_cash(teller: User, account: Account) -> None:
    """Cash is handled by staff whose role does (``accounts.operate_cash``), on accounts they may change (their
    branch's). The counter page, the API, an approval's run and any task meet this same rule."""
    if not teller.is_active or not teller.has_perm(CASH_PERMISSION):
        raise NotAllowedToHandleCash("Your role does not handle cash.")
    if not can_access(teller, account, "change"):
        raise NotAllowedToHandleCash(f"Account {account.number} belongs to another branch.")


def cash_limit(user: User, currency: str) -> Decimal | None:
    """The largest cash operation in ``currency`` that ``user`` may do alone: the highest amount their roles have
    for it in TELLER_CASH_LIMITS (by role, then by currency); None when none of their roles has one."""
    roles = set(user.groups.values_list("name", flat=True))
    limits = [threshold(amounts, currency) for role, amounts in settings.TELLER_CASH_LIMITS.items() if role in roles]
    return max((limit for limit in limits if limit is not None), default=None)


def needs_approval(user: User, amount: Money) -> bool:
    """Whether a cash operation of ``amount`` by ``user`` needs a branch manager's approval: above the user's limit
    in the amount's currency, or any amount in a currency for which the bank gave their roles no limit (a currency
    the bank starts to hold is never waved through). Superusers have no limit."""
    return not user.is_superuser and is_above(amount, cash_limit(user, amount.currency))


def _beyond_limit(user: User, amount: Money) -> str:
    limit = cash_limit(user, amount.currency)
    if limit is None:
        return f"no cash limit in {amount.currency} is set for your role"
    return f"above your limit of {limit} {amount.currency}"


def _replay(existing: TellerTransaction, *, kind: str, account: Account, amount: Money) -> TellerTransaction:
    if (existing.kind, existing.account_id, existing.amount, existing.currency) != (
            kind, account.pk, amount.amount, amount.currency):
        raise TellerReplayConflict(f"Idempotency key {existing.idempotency_key!r} was used for receipt "
                                   f"{existing.receipt_number}, a different operation.")
    existing.replayed = True
    return existing


def _ensure_valid_request(*, kind: str, amount: Money, teller: Any, idempotency_key: str) -> None:
    if kind not in TellerTransaction.Kind.values:
        raise InvalidAccountOperation(f"Unknown cash operation {kind!r}.")
    if not idempotency_key:
        raise InvalidAccountOperation("A cash operation needs an idempotency key.", code="idempotency_key_missing")
    if not amount.is_positive:
        raise InvalidAccountOperation("The amount must be positive.", code="amount_not_positive")
    if teller.home_branch_id is None:
        raise InvalidAccountOperation("Only staff with a home branch handle cash.", code="no_home_branch")


def ensure_cash_operation_allowed(*, kind: str, account: Account, amount: Money) -> None:
    """The account's side of a cash operation: its status allows it and, for a withdrawal, the available balance
    covers it and its owner is neither blocked nor closed (``ensure_customer_may_send``; a deposit is allowed
    whatever the owner's status). The caller holds the account's row lock. Checked when a teller submits an
    operation above their limit (nothing goes to the approval queue that would fail) and again when it runs."""
    is_term = account.product.kind == ProductKind.TERM
    if kind == TellerTransaction.Kind.DEPOSIT:
        allowed = (Account.Status.PENDING,) if is_term else (*DEBITABLE, Account.Status.PENDING, Account.Status.FROZEN)
        ensure_status(account, allowed, "a cash deposit")
    else:
        if is_term:
            raise AccountStateRefused("Money leaves a term deposit only at maturity or by early withdrawal.",
                                      code="term_deposit_locked")
        ensure_status(account, DEBITABLE, "a cash withdrawal")
        ensure_customer_may_send(account.customer)
        ensure_available(account, amount)


@transaction.atomic
def perform_cash_operation(*, kind: str, account: Account, amount: Money, teller: User, idempotency_key: str,
                           approved_by: User | None = None) -> TellerTransaction:
    """Post a cash deposit or withdrawal as one journal entry against the teller's branch vault.

    Replaying the idempotency key returns the first receipt and moves nothing. Above the teller's limit it
    needs ``approved_by`` (a branch manager, through maker-checker). A withdrawal needs the available balance;
    a deposit activates a pending account that reaches its product's minimum.
    """
    ensure_may_handle_cash(teller, account)
    _ensure_valid_request(kind=kind, amount=amount, teller=teller, idempotency_key=idempotency_key)
    existing = TellerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, kind=kind, account=account, amount=amount)
    if approved_by is None and needs_approval(teller, amount):
        raise TellerLimitExceeded(f"{amount}: {_beyond_limit(teller, amount)}; a branch manager must approve it.")

    account = lock_account(account)
    # A concurrent request with the same key may have committed while we waited for the lock.
    existing = TellerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, kind=kind, account=account, amount=amount)
    ensure_cash_operation_allowed(kind=kind, account=account, amount=amount)

    vault = vault_cash(teller.home_branch)
    customer_side, vault_side = (credit, debit) if kind == TellerTransaction.Kind.DEPOSIT else (debit, credit)
    business_date = current_business_date()
    label = "Cash deposit" if kind == TellerTransaction.Kind.DEPOSIT else "Cash withdrawal"
    entry = post_journal_entry(
        postings=[customer_side(account.ledger_account, amount), vault_side(vault, amount)],
        description=f"{label} {account.number}", source=SOURCE, idempotency_key=idempotency_key,
        posted_by=teller, business_date=business_date, reference=account.number,
    )
    account.ledger_account.refresh_from_db(fields=["balance"])
    receipt = TellerTransaction(kind=kind, account=account, amount=amount.amount, currency=amount.currency,
                                branch=teller.home_branch, teller=teller, approved_by=approved_by, entry=entry,
                                idempotency_key=idempotency_key, business_date=business_date,
                                balance_after=account.ledger_account.balance)
    receipt._history_user = teller
    receipt.save()
    publish_money_movement(
        kind="cash_deposit" if kind == TellerTransaction.Kind.DEPOSIT else "cash_withdrawal", entry=entry,
        currency=amount.currency, branch_id=teller.home_branch_id,
        legs=[MovementLeg(account_id=account.pk, customer_id=account.customer_id,
                          direction="in" if kind == TellerTransaction.Kind.DEPOSIT else "out", amount=amount.amount,
                          idle_days=idle_days(account, business_date))])
    record_customer_activity(account=account, business_date=business_date, actor=teller)
    if kind == TellerTransaction.Kind.DEPOSIT:
        activate_if_funded(account=account, business_date=business_date, actor=teller)
    receipt.replayed = False
    return receipt


def cash_deposit(*, account: Account, amount: Money, teller: User, idempotency_key: str,
                 approved_by: User | None = None) -> TellerTransaction:
    return perform_cash_operation(kind=TellerTransaction.Kind.DEPOSIT, account=account, amount=amount,
                                  teller=teller, idempotency_key=idempotency_key, approved_by=approved_by)


def cash_withdrawal(*, account: Account, amount: Money, teller: User, idempotency_key: str,
                    approved_by: User | None = None) -> TellerTransaction:
    return perform_cash_operation(kind=TellerTransaction.Kind.WITHDRAWAL, account=account, amount=amount,
                                  teller=teller, idempotency_key=idempotency_key, approved_by=approved_by)


@transaction.atomic
def submit_cash_operation(*, kind: str, account: Account, amount: Money, teller: User,
                          idempotency_key: str) -> TellerTransaction | ApprovalRequest:
    """What the counter calls: within the teller's limit the operation runs now (a receipt); above it, an
    approval request for a branch manager (the same key replays the same request). Refused before either
    unless the teller may handle cash on the account (``ensure_may_handle_cash``). An operation that could not
    run — a withdrawal above the available balance, an account whose status refuses it — is refused now, with the
    code the direct path gives, and no request is made; the approval checks it again when it runs."""
    ensure_may_handle_cash(teller, account)
    above = needs_approval(teller, amount)
    done = TellerTransaction.objects.filter(idempotency_key=idempotency_key).exists()
    if done or not above:
        return perform_cash_operation(kind=kind, account=account, amount=amount, teller=teller,
                                      idempotency_key=idempotency_key)
    pending = ApprovalRequest.objects.filter(operation=CASH_OPERATION, maker=teller,
                                             parameters__idempotency_key=idempotency_key).first()
    if pending is not None:
        return pending
    _ensure_valid_request(kind=kind, amount=amount, teller=teller, idempotency_key=idempotency_key)
    ensure_cash_operation_allowed(kind=kind, account=lock_account(account), amount=amount)
    label = "deposit" if kind == TellerTransaction.Kind.DEPOSIT else "withdrawal"
    return request_approval(
        operation=CASH_OPERATION, maker=teller, branch=teller.home_branch,
        parameters={"kind": kind, "account_id": account.pk, "amount": str(amount.amount),
                    "currency": amount.currency, "idempotency_key": idempotency_key},
        summary=f"Cash {label} of {amount} on {account.number} by {teller.username} "
                f"({_beyond_limit(teller, amount)})",
    )


def run_approved_cash_operation(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Maker-checker runner: the teller (maker) handles the cash, a branch manager (checker) approved it."""
    if not actor.has_perm("accounts.approve_cash_operation"):
        raise NotAllowedToApproveCash("Only a branch manager may approve a cash operation above the limit.")
    receipt = perform_cash_operation(
        kind=parameters["kind"], account=Account.objects.get(pk=parameters["account_id"]),
        amount=Money(parameters["amount"], parameters["currency"]), teller=maker,
        idempotency_key=parameters["idempotency_key"], approved_by=actor,
    )
    return {"receipt_id": receipt.pk, "receipt_number": receipt.receipt_number}
