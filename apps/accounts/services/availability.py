"""The rule every debit and every hold obeys, checked under the account's row lock."""

from __future__ import annotations

from decimal import Decimal

from apps.accounts.errors import AccountStateRefused, InsufficientAvailableBalance
from apps.accounts.models import Account
from apps.accounts.selectors import available_balance
from apps.money import Money

DEBITABLE = (Account.Status.ACTIVE, Account.Status.DORMANT)


def ensure_status(account: Account, allowed: tuple[str, ...], doing: str) -> None:
    if account.status not in allowed:
        raise AccountStateRefused(f"Account {account.number} is {account.status}: {doing} is not allowed.",
                                  code=f"account_{account.status}")


def ensure_available(account: Account, money: Money, *, holds_total: Decimal | None = None) -> None:
    """Refuse unless ``money`` may leave the account: available balance (ledger balance - active holds +
    overdraft limit) covers it. The caller holds the account's row lock (apps.accounts.locks), which every
    debit and every hold takes first, so no concurrent debit or hold can slip between this check and the
    posting. ``holds_total``: the account's active holds, when the caller already read them under the lock."""
    if money.currency != account.ledger_account.currency:
        raise InsufficientAvailableBalance(f"Account {account.number} is in {account.ledger_account.currency}.",
                                           code="currency_mismatch")
    available = available_balance(account, holds_total=holds_total)
    if money > available:
        raise InsufficientAvailableBalance(
            f"Account {account.number} has {available} available; {money} was asked.",
            account_number=account.number,
        )
