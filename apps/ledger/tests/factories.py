from decimal import Decimal

from apps.ledger.models import AccountType, LedgerAccount
from apps.ledger.services import credit, debit, open_ledger_account, post_journal_entry
from apps.money import Money

_counter = {"n": 0}


def ledger_account(*, type=AccountType.LIABILITY, currency="EUR", branch=None, allow_overdraft=False,
                   overdraft_limit=None, derived=False, code=None, name="Test account") -> LedgerAccount:
    _counter["n"] += 1
    if derived:
        allow_overdraft, overdraft_limit = True, None
    return open_ledger_account(
        code=code or f"T{_counter['n']:06d}", name=name, type=type, currency=currency, branch=branch,
        allow_overdraft=allow_overdraft,
        overdraft_limit=None if overdraft_limit is None else Decimal(overdraft_limit),
        balance_tracking=LedgerAccount.BalanceTracking.DERIVED if derived else LedgerAccount.BalanceTracking.STORED,
    )


def fund(account: LedgerAccount, amount: str, *, source_account: LedgerAccount | None = None, key=None):
    """Put ``amount`` on a liability ``account`` from a cash (asset) account, in one balanced entry."""
    _counter["n"] += 1
    cash = source_account or ledger_account(type=AccountType.ASSET, currency=account.currency, derived=True)
    money = Money(amount, account.currency)
    return post_journal_entry(
        postings=[debit(cash, money), credit(account, money)],
        description="Test funding", source="test", idempotency_key=key or f"fund-{_counter['n']}",
    )


def transfer(payer: LedgerAccount, payee: LedgerAccount, amount: str, *, key: str, **kwargs):
    """Move ``amount`` between two liability accounts (customer deposits): debit payer, credit payee."""
    money = Money(amount, payer.currency)
    return post_journal_entry(
        postings=[debit(payer, money), credit(payee, money)],
        description=kwargs.pop("description", "Test transfer"), source=kwargs.pop("source", "test"),
        idempotency_key=key, **kwargs,
    )
