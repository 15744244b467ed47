"""Deposit products and accounts for tests of any app.

    product = savings_product(rate="2.5")               # EUR savings, ACT/365, monthly posting
    account = open_funded_account(customer, product, "1000.00", teller=teller_a)
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from apps.accounts.models import DepositProduct, InterestTier, PostingFrequency, ProductKind
from apps.accounts.services.opening import open_account
from apps.accounts.services.teller import cash_deposit
from apps.ledger.chart import install_standard_chart
from apps.money import Money
from apps.organization.models import Branch

_keys = itertools.count(1)


VAULT_OPENING_CASH = "100000.00"


def install_chart() -> None:
    """The standard chart in EUR, each branch vault holding opening cash (share capital)."""
    from apps.ledger.chart import vault_code
    from apps.ledger.models import LedgerAccount
    from apps.ledger.services import credit, debit, post_journal_entry

    install_standard_chart(currency="EUR", branches=Branch.objects.all())
    capital = LedgerAccount.objects.get(code="3000")
    for branch in Branch.objects.all():
        cash = Money(VAULT_OPENING_CASH, "EUR")
        post_journal_entry(postings=[debit(LedgerAccount.objects.get(code=vault_code(branch.code)), cash),
                                     credit(capital, cash)],
                           description=f"Opening cash {branch.code}", source="test",
                           idempotency_key=f"opening-cash-{branch.code}")


def product(*, code: str, kind: str = ProductKind.SAVINGS, rate: str = "0", day_count: str = "act_365f",
            frequency: str = PostingFrequency.MONTHLY, tiers: dict[str, str] | None = None, **fields) -> DepositProduct:
    if kind == ProductKind.TERM:
        frequency = PostingFrequency.AT_MATURITY
        fields.setdefault("term_months", 12)
    made = DepositProduct.objects.create(code=code, name=f"{code} product", kind=kind, interest_rate=Decimal(rate),
                                         day_count=day_count, posting_frequency=frequency, **fields)
    for minimum, tier_rate in (tiers or {}).items():
        InterestTier.objects.create(product=made, minimum_balance=Decimal(minimum), rate=Decimal(tier_rate))
    return made


def savings_product(rate: str = "2.5", **fields) -> DepositProduct:
    return product(code=fields.pop("code", "SAV"), rate=rate, **fields)


def current_product(*, overdraft_limit: str = "500.00", overdraft_rate: str = "12", **fields) -> DepositProduct:
    return product(code=fields.pop("code", "CUR"), kind=ProductKind.CURRENT, overdraft_limit=Decimal(overdraft_limit),
                   overdraft_rate=Decimal(overdraft_rate), **fields)


def term_product(*, rate: str = "3", term_months: int = 12, penalty: str = "50", **fields) -> DepositProduct:
    return product(code=fields.pop("code", "TD12"), kind=ProductKind.TERM, rate=rate, term_months=term_months,
                   early_withdrawal_penalty=Decimal(penalty), minimum_opening_balance=Decimal("1000"), **fields)


def deposit(account, amount: str, *, teller, key: str | None = None):
    return cash_deposit(account=account, amount=Money(amount, account.product.currency), teller=teller,
                        idempotency_key=key or f"test-deposit-{next(_keys)}", approved_by=teller)


def open_funded_account(customer, product_, amount: str | None, *, teller, **kwargs):
    account = open_account(customer=customer, product=product_, actor=teller, **kwargs)
    if amount:
        deposit(account, amount, teller=teller)
        account.refresh_from_db()
    return account
