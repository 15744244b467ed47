"""Writes to the ledger. ``post_journal_entry`` is the only way money moves anywhere in the product."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from simple_history.utils import bulk_create_with_history

from apps.domain_errors import PermissionRefused
from apps.ledger import journal_sql
from apps.ledger.errors import (
    AccountCurrencyMismatch,
    AccountNotOpen,
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    LedgerAccountOwned,
    UnbalancedEntry,
)
from apps.ledger.locks import lock_ledger_accounts
from apps.ledger.models import JournalEntry, LedgerAccount, Side
from apps.ledger.reversal_hooks import run_reversal_hooks
from apps.ledger.selectors import account_balance
from apps.money import Money, minor_unit
from apps.organization.branch_scope import grant_branch_access
from apps.organization.configuration import approval_change_reason, changed_instance, propose_configuration_change
from apps.organization.models import User
from apps.organization.selectors import current_business_date


@dataclass(frozen=True, slots=True)
class PostingInstruction:
    account_id: int
    side: str
    money: Money


def _account_id(account: LedgerAccount | int) -> int:
    return account if isinstance(account, int) else account.pk


def debit(account: LedgerAccount | int, money: Money) -> PostingInstruction:
    return PostingInstruction(_account_id(account), Side.DEBIT, money)


def credit(account: LedgerAccount | int, money: Money) -> PostingInstruction:
    return PostingInstruction(_account_id(account), Side.CREDIT, money)


def _check_balanced(postings: Sequence[PostingInstruction]) -> None:
    if len(postings) < 2:
        raise InvalidPosting("A journal entry needs at least two postings.", code="too_few_postings")
    net: dict[str, Decimal] = defaultdict(Decimal)
    for line in postings:
        if not isinstance(line.money, Money):
            raise InvalidPosting("Posting amounts must be Money.")
        if not line.money.is_positive:
            raise InvalidPosting(f"Posting amounts must be positive; got {line.money}.", code="amount_not_positive")
        net[line.money.currency] += line.money.amount if line.side == Side.DEBIT else -line.money.amount
    unbalanced = {currency: diff for currency, diff in net.items() if diff != 0}
    if unbalanced:
        detail = ", ".join(f"{currency} off by {diff}" for currency, diff in sorted(unbalanced.items()))
        raise UnbalancedEntry(f"Debits and credits must be equal in each currency: {detail}.")


def _fingerprint(postings: Sequence[PostingInstruction], description: str, reference: str,
                 reverses_id: int | None) -> str:
    content = {
        "postings": sorted((p.account_id, p.side, str(p.money.amount), p.money.currency) for p in postings),
        "description": description,
        "reference": reference,
        "reverses": reverses_id,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _replay(existing: JournalEntry, fingerprint: str) -> JournalEntry:
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict(
            f"Idempotency key {existing.idempotency_key!r} of {existing.source!r} was already used for "
            f"journal entry {existing.pk} with different content.",
            entry_id=existing.pk,
        )
    existing.replayed = True
    return existing


def post_journal_entry(
    *,
    postings: Sequence[PostingInstruction],
    description: str,
    source: str,
    idempotency_key: str,
    posted_by: User | None = None,
    business_date: datetime.date | None = None,
    reference: str = "",
    reverses: JournalEntry | None = None,
    locked_accounts: Mapping[int, LedgerAccount] | None = None,
) -> JournalEntry:
    """Post one balanced journal entry and move the touched accounts' balances, atomically.

    Rules: at least two postings, each positive, balanced per currency, each in its account's currency, on
    open accounts (a frozen account takes no posting that lowers its balance; a closed one takes none);
    no stored balance may end below its rule's floor. Accounts are locked in id order. Replaying the same
    (source, idempotency_key) with the same content returns the first entry (``entry.replayed`` is True)
    and moves nothing; with other content it raises ``IdempotencyConflict``.

    Every refusal is raised before anything is written, so a caller's transaction stays usable after one
    (inside a caller's transaction no savepoint is needed, which saves two round trips on the hot path).
    ``locked_accounts``: the ledger accounts the caller already locked in this transaction with
    ``lock_ledger_accounts`` (by id); they are not locked and read again.
    """
    if connection.in_atomic_block:
        return _post_journal_entry(
            postings=postings, description=description, source=source, idempotency_key=idempotency_key,
            posted_by=posted_by, business_date=business_date, reference=reference, reverses=reverses,
            locked_accounts=locked_accounts)
    with transaction.atomic():
        return _post_journal_entry(
            postings=postings, description=description, source=source, idempotency_key=idempotency_key,
            posted_by=posted_by, business_date=business_date, reference=reference, reverses=reverses,
            locked_accounts=locked_accounts)


def _stored_balance_deltas(postings: Sequence[PostingInstruction],
                           accounts: Mapping[int, LedgerAccount]) -> dict[int, Decimal]:
    """Each touched account's balance change; raises the first rule the entry breaks."""
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in postings:
        account = accounts.get(line.account_id)
        if account is None:
            raise InvalidPosting(f"Ledger account {line.account_id} does not exist.", code="unknown_account")
        if line.money.currency != account.currency:
            raise AccountCurrencyMismatch(
                f"Account {account.code} is in {account.currency}; the posting is in {line.money.currency}."
            )
        deltas[account.pk] += account.signed(line.side, line.money.amount)
    for account_id, delta in deltas.items():
        account = accounts[account_id]
        if account.status == LedgerAccount.Status.CLOSED:
            raise AccountNotOpen(f"Account {account.code} is closed.", code="account_closed")
        if account.status == LedgerAccount.Status.FROZEN and delta < 0:
            raise AccountNotOpen(f"Account {account.code} is frozen: nothing may leave it.", code="account_frozen")
        floor = account.floor()
        if floor is not None and account.balance + delta < floor:
            raise InsufficientFunds(
                f"Account {account.code} would go to {account.balance + delta} {account.currency}, "
                f"below what it allows ({floor}).",
                account_code=account.code,
            )
    return {pk: delta for pk, delta in deltas.items()
            if accounts[pk].balance_tracking == LedgerAccount.BalanceTracking.STORED and delta != 0}


def _post_journal_entry(*, postings, description, source, idempotency_key, posted_by, business_date, reference,
                        reverses, locked_accounts) -> JournalEntry:
    if not idempotency_key:
        raise InvalidPosting("An idempotency key is required.", code="idempotency_key_missing")
    _check_balanced(postings)
    fingerprint = _fingerprint(postings, description, reference, reverses.pk if reverses else None)
    if locked_accounts is not None and all(p.account_id in locked_accounts for p in postings):
        accounts = locked_accounts
    else:
        accounts = lock_ledger_accounts(p.account_id for p in postings)
    try:
        stored_deltas = _stored_balance_deltas(postings, accounts)
    except (InvalidPosting, AccountNotOpen, InsufficientFunds):
        # A replay is recognised even when the first request already used the funds (or the account has
        # been frozen since): the answer to a replay is the first answer.
        existing = JournalEntry.objects.filter(source=source, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        raise
    if business_date is None:
        business_date = current_business_date()  # refuses (BankNotConfigured) before anything is written

    entry = journal_sql.write_entry(
        business_date=business_date, description=description, reference=reference, source=source,
        idempotency_key=idempotency_key, fingerprint=fingerprint, reverses_id=reverses.pk if reverses else None,
        posted_by_id=posted_by.pk if posted_by is not None else None,
        postings=[(p.account_id, p.side, p.money.amount, p.money.currency) for p in postings],
        stored_deltas=stored_deltas,
    )
    if entry is None:
        return _replay(journal_sql.find_entry(source=source, idempotency_key=idempotency_key), fingerprint)
    entry.replayed = False
    return entry


@transaction.atomic
def reverse_journal_entry(*, entry: JournalEntry, reason: str, reversed_by: User,
                          business_date: datetime.date | None = None) -> JournalEntry:
    """Post the mirror of ``entry`` (every debit becomes a credit and back) and link it to ``entry``.

    An entry is reversed at most once; asking again for the same reversal returns it. The domain that posted
    ``entry`` learns of the reversal in this transaction, through its registered reversal hook
    (``apps/ledger/reversal_hooks.py``): a reversed transfer reads ``reversed``.
    """
    if not reason.strip():
        raise InvalidPosting("A reversal needs a reason.", code="reason_required")
    earlier = JournalEntry.objects.filter(reverses=entry).first()
    description = f"Reversal of JE{entry.pk}: {reason}"[:300]
    if earlier is not None and earlier.description != description:
        raise AlreadyReversed(f"Journal entry {entry.pk} was already reversed by entry {earlier.pk}.")
    mirror = [
        PostingInstruction(p.account_id, Side.CREDIT if p.side == Side.DEBIT else Side.DEBIT,
                           Money(p.amount, p.currency))
        for p in entry.postings.all()
    ]
    reversal = post_journal_entry(
        postings=mirror,
        description=description,
        source=entry.source,
        idempotency_key=f"reversal-of-{entry.pk}",
        posted_by=reversed_by,
        business_date=business_date,
        reference=entry.reference,
        reverses=entry,
    )
    run_reversal_hooks(entry=entry, reversal=reversal, reversed_by=reversed_by)
    return reversal


@transaction.atomic
def open_ledger_account(
    *,
    code: str,
    name: str,
    type: str,
    currency: str,
    branch: Any = None,
    owner: models.Model | None = None,
    allow_overdraft: bool = False,
    overdraft_limit: Decimal | None = None,
    balance_tracking: str = LedgerAccount.BalanceTracking.STORED,
    opened_by: User | None = None,
) -> LedgerAccount:
    """Open a ledger account; a branch's account becomes visible to that branch's staff."""
    minor_unit(currency)  # refuses an unknown currency
    if overdraft_limit is not None:
        overdraft_limit = Money(overdraft_limit, currency).amount
    account = LedgerAccount(
        code=code, name=name, type=type, currency=currency, branch=branch,
        allow_overdraft=allow_overdraft, overdraft_limit=overdraft_limit, balance_tracking=balance_tracking,
    )
    if owner is not None:
        account.owner_type = ContentType.objects.get_for_model(owner)
        account.owner_id = str(owner.pk)
    account._history_user = opened_by
    account.full_clean()
    account.save()
    if branch is not None:
        grant_branch_access(objects=[account], branch=branch)
    return account


@transaction.atomic
def open_house_ledger_accounts(*, accounts: list[LedgerAccount], opened_by: User | None = None,
                               branch: Any = None) -> list[LedgerAccount]:
    """Open many house accounts (no owner) at once, as a chart is installed: each is validated as
    ``open_ledger_account`` validates one (fields and ``clean``; the CHECK and unique constraints are the
    database's, checked on insert), then all are inserted in one statement, with their history rows (who opened
    them) in another. ``branch``: every account is that branch's, and its staff get access to them together."""
    if not accounts:
        return []
    for account in accounts:
        minor_unit(account.currency)  # refuses an unknown currency
        if account.overdraft_limit is not None:
            account.overdraft_limit = Money(account.overdraft_limit, account.currency).amount
        account.branch = branch
        account.clean_fields()
        account.clean()
    created = bulk_create_with_history(accounts, LedgerAccount, default_user=opened_by)
    if branch is not None:
        grant_branch_access(objects=created, branch=branch)
    return created


@transaction.atomic
def set_ledger_account_status(*, account: LedgerAccount, status: str, changed_by: User,
                              for_owner: bool = False) -> LedgerAccount:
    """Freeze, unfreeze or close a ledger account. Closing needs a zero balance.

    An account's status has one owner: the ledger account of a deposit or loan account follows that account's
    status, set by the owner's own service (``for_owner=True``); asked directly, it is refused, so unfreezing
    the ledger side can never leave a frozen deposit account with an open ledger account."""
    account = lock_ledger_accounts([account.pk])[account.pk]
    if account.owner_type_id and not for_owner:
        raise LedgerAccountOwned(f"Ledger account {account.code} carries {account.owner_type.name} "
                                 f"{account.owner_id}: change that account's status instead.")
    if account.status == LedgerAccount.Status.CLOSED:
        raise AccountNotOpen(f"Account {account.code} is closed for good.", code="account_closed")
    if status == LedgerAccount.Status.CLOSED and account_balance(account).amount != 0:
        raise InvalidPosting(f"Account {account.code} can only be closed at a zero balance.",
                             code="balance_not_zero")
    account.status = status
    account._history_user = changed_by
    account.save(update_fields=["status"])
    return account


# --- configuration under maker-checker -------------------------------------------------------------------

CHANGE_LEDGER_ACCOUNT = "ledger.change_ledger_account"
# What a ledger account's change may touch (its type, currency and balance tracking never change once open).
LEDGER_ACCOUNT_CONFIG_FIELDS = ("code", "name", "branch", "allow_overdraft", "overdraft_limit")


def _refuse_owned(account: LedgerAccount) -> None:
    if account.owner_type_id:
        raise LedgerAccountOwned(
            f"Ledger account {account.code} carries {account.owner_type.name} {account.owner_id}: its overdraft is "
            "its product's and its status the account's; change them there.")


@transaction.atomic
def propose_ledger_account_change(*, proposed: LedgerAccount, maker: User) -> Any:
    """Ask a checker to approve a change of a house ledger account (its overdraft, name, code or branch).

    Nothing is saved. A ledger account carrying a deposit or loan account is refused: its overdraft follows its
    product and its status its account (one owner each)."""
    if not maker.has_perm("ledger.change_ledgeraccount"):
        raise PermissionRefused("Your role may not change ledger accounts.")
    stored = LedgerAccount.objects.select_related("owner_type").get(pk=proposed.pk)
    _refuse_owned(stored)
    proposed.full_clean()
    return propose_configuration_change(
        operation=CHANGE_LEDGER_ACCOUNT, proposed=proposed, fields=LEDGER_ACCOUNT_CONFIG_FIELDS, maker=maker,
        summary=f"Change ledger account {stored.code} {stored.name}", branch=stored.branch,
    )


@transaction.atomic
def apply_ledger_account_change(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved change of a house ledger account, under its row lock; refused when stale, when it now
    carries an account, or when the balance is already below the new overdraft floor."""
    locked = lock_ledger_accounts([parameters["pk"]])[parameters["pk"]]
    _refuse_owned(locked)
    account = changed_instance(locked=locked, model=LedgerAccount, parameters=parameters)
    try:
        account.full_clean()
    except ValidationError as error:
        raise InvalidPosting(" ".join(error.messages), code="invalid_ledger_account_change") from None
    account._history_user = actor
    account._change_reason = approval_change_reason(maker=maker, checker=actor)
    account.save()
    return {"ledger_account": account.code}
