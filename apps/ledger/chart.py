"""The standard chart of accounts of a small bank, installed by ``install_standard_chart``.

Busy house accounts (fee income, clearing, suspense, interest) keep no locked running balance
(``balance_tracking=DERIVED``): their balance is the sum of their postings, so concurrent entries never
queue on their row. Vault cash is per branch, with a stored balance that can never go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.ledger.models import AccountType, LedgerAccount
from apps.ledger.services import open_house_ledger_accounts


@dataclass(frozen=True)
class ChartLine:
    code: str
    name: str
    type: str
    derived: bool = True


# The codes of the house accounts services post against: the one place they are named.
SETTLEMENT_ACCOUNT = "1100"
LOANS_RECEIVABLE = "1200"
INTEREST_RECEIVABLE = "1210"
PAYMENTS_CLEARING = "1300"
SUSPENSE = "1900"
CUSTOMER_DEPOSITS_CONTROL = "2000"
INTEREST_PAYABLE = "2100"
SHARE_CAPITAL = "3000"
RETAINED_EARNINGS = "3100"
FEE_INCOME = "4000"
LOAN_FEE_INCOME = "4010"
INTEREST_INCOME = "4100"
LOAN_INTEREST_INCOME = "4110"
INTEREST_EXPENSE = "5000"
LOAN_WRITE_OFF_EXPENSE = "5100"

STANDARD_CHART = [
    ChartLine(SETTLEMENT_ACCOUNT, "Settlement account (nostro at the central bank)", AccountType.ASSET),
    ChartLine(LOANS_RECEIVABLE, "Loans receivable", AccountType.ASSET),
    ChartLine(INTEREST_RECEIVABLE, "Interest receivable", AccountType.ASSET),
    ChartLine(PAYMENTS_CLEARING, "Payments clearing", AccountType.ASSET),
    ChartLine(SUSPENSE, "Suspense", AccountType.ASSET),
    ChartLine(CUSTOMER_DEPOSITS_CONTROL, "Customer deposits (control)", AccountType.LIABILITY),
    ChartLine(INTEREST_PAYABLE, "Interest payable", AccountType.LIABILITY),
    ChartLine(SHARE_CAPITAL, "Share capital", AccountType.EQUITY),
    ChartLine(RETAINED_EARNINGS, "Retained earnings", AccountType.EQUITY),
    ChartLine(FEE_INCOME, "Fee income", AccountType.INCOME),
    ChartLine(LOAN_FEE_INCOME, "Loan fee income", AccountType.INCOME),
    ChartLine(INTEREST_INCOME, "Interest income", AccountType.INCOME),
    ChartLine(LOAN_INTEREST_INCOME, "Loan interest income", AccountType.INCOME),
    ChartLine(INTEREST_EXPENSE, "Interest expense", AccountType.EXPENSE),
    ChartLine(LOAN_WRITE_OFF_EXPENSE, "Loan write-off expense", AccountType.EXPENSE),
]
VAULT_CASH_CODE = "1000"


def vault_code(branch_code: str) -> str:
    return f"{VAULT_CASH_CODE}-{branch_code}"


@transaction.atomic
def install_standard_chart(*, currency: str, branches, actor=None) -> list[LedgerAccount]:
    """Create the chart's accounts that do not exist yet (safe to run again); returns all of them, the chart's
    lines first, then each branch's vault. The missing house accounts are opened together, and each branch's
    vault with its staff's access (one bulk insert each, not one round of queries per account)."""
    existing = {a.code: a for a in LedgerAccount.objects.all()}
    missing = [LedgerAccount(code=line.code, name=line.name, type=line.type, currency=currency, allow_overdraft=True,
                             overdraft_limit=None, balance_tracking=LedgerAccount.BalanceTracking.DERIVED)
               for line in STANDARD_CHART if line.code not in existing]
    existing.update((a.code, a) for a in open_house_ledger_accounts(accounts=missing, opened_by=actor))
    accounts = [existing[line.code] for line in STANDARD_CHART]
    for branch in branches:
        code = vault_code(branch.code)
        if code not in existing:
            vault = LedgerAccount(code=code, name=f"Vault cash {branch.name}", type=AccountType.ASSET,
                                  currency=currency)
            existing[code] = open_house_ledger_accounts(accounts=[vault], opened_by=actor, branch=branch)[0]
        accounts.append(existing[code])
    return accounts
