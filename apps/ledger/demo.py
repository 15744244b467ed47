"""Demo data of the ledger: the standard chart for the demo bank's branches, and each branch's opening vault cash.
Runs after apps/organization/demo.py, which creates the bank and its branches."""

from apps.ledger.chart import install_standard_chart, vault_code
from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry
from apps.money import Money
from apps.organization.demo import DEMO_BRANCHES
from apps.organization.models import Bank, Branch

OPENING_VAULT_CASH = "250000.00"


def seed_ledger(out) -> None:
    bank = Bank.objects.get(code="OGPGY")
    branches = [Branch.objects.get(code=code) for code, _, _ in DEMO_BRANCHES]
    install_standard_chart(currency=bank.base_currency, branches=branches)
    capital = LedgerAccount.objects.get(code="3000")
    for branch in branches:
        cash = Money(OPENING_VAULT_CASH, bank.base_currency)
        post_journal_entry(
            postings=[debit(LedgerAccount.objects.get(code=vault_code(branch.code)), cash), credit(capital, cash)],
            description=f"Opening vault cash, {branch.name}",
            source="demo",
            idempotency_key=f"opening-vault-{branch.code}",
        )
