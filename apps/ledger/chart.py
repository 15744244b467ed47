"""The standard chart of accounts of a small bank, installed by ``install_standard_chart``.

Busy house accounts (fee income, clearing, suspense, interest) keep no locked running balance
(``balance_tracking=DERIVED``): their balance is the sum of their postings, so concurrent entries never
queue on their row. Vault cash is per branch, with a stored balance that can never go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.ledger.models import AccountType, LedgerAccount
from apps.ledger.services import open_ledger_account


@dataclass(frozen=True)
class ChartLine:
    code: str
    name: str
    type: str
    derived: bool = True


STANDARD_CHART = [
    ChartLine("1100", "Settlement account (nostro at the central bank)", AccountType.ASSET),
    ChartLine("1200", "Loans receivable", AccountType.ASSET),
    ChartLine("1210", "Interest receivable", AccountType.ASSET),
    ChartLine("1300", "Payments clearing", AccountType.ASSET),
    ChartLine("1900", "Suspense", AccountType.ASSET),
    ChartLine("2000", "Customer deposits (control)", AccountType.LIABILITY),
    ChartLine("2100", "Interest payable", AccountType.LIABILITY),
    ChartLine("3000", "Share capital", AccountType.EQUITY),
    ChartLine("3100", "Retained earnings", AccountType.EQUITY),
    ChartLine("4000", "Fee income", AccountType.INCOME),
    ChartLine("4100", "Interest income", AccountType.INCOME),
    ChartLine("5000", "Interest expense", AccountType.EXPENSE),
    ChartLine("5100", "Loan write-off expense", AccountType.EXPENSE),
]
VAULT_CASH_CODE = "1000"


def vault_code(branch_code: str) -> str:
    return f"{VAULT_CASH_CODE}-{branch_code}"


@transaction.atomic
def install_standard_chart(*, currency: str, branches, actor=None) -> list[LedgerAccount]:
    """Create the chart's accounts that do not exist yet (safe to run again); returns all of them."""
    accounts = []
    existing = {a.code: a for a in LedgerAccount.objects.all()}
    for line in STANDARD_CHART:
        account = existing.get(line.code) or open_ledger_account(
            code=line.code, name=line.name, type=line.type, currency=currency,
            allow_overdraft=True, overdraft_limit=None,
            balance_tracking=LedgerAccount.BalanceTracking.DERIVED, opened_by=actor,
        )
        accounts.append(account)
    for branch in branches:
        code = vault_code(branch.code)
        accounts.append(existing.get(code) or open_ledger_account(
            code=code, name=f"Vault cash {branch.name}", type=AccountType.ASSET, currency=currency,
            branch=branch, opened_by=actor,
        ))
    return accounts
