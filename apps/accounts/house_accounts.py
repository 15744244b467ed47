"""The bank's own ledger accounts that deposit operations post against, by their code in apps/ledger/chart.py."""

from apps.ledger.chart import vault_code
from apps.ledger.errors import InvalidPosting
from apps.ledger.models import LedgerAccount


def house_account(code: str) -> LedgerAccount:
    account = LedgerAccount.objects.filter(code=code).first()
    if account is None:
        raise InvalidPosting(f"House account {code} is missing: install the standard chart of accounts.",
                             code="house_account_missing")
    return account


def vault_cash(branch) -> LedgerAccount:
    return house_account(vault_code(branch.code))
