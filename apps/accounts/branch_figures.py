"""Reads about the branches' money, for the admin home: customer deposits by currency, cash in the vault and in
and out at the counter today, the business date's movements, and deposits over the last business dates.

Each figure is aggregated in the database (GROUP BY over indexed columns: a ledger account's branch and code, a
journal entry's business date, a posting's entry), so the home costs a fixed number of queries whatever the size
of the bank. ``branches=None`` is head office's view: the whole bank, then each branch; branch staff pass their
own branch (``organization.selectors.branches_in_figures_of``) and see nothing of another.

There is no till of its own in this bank: cash at the counter is posted straight against the branch's vault
account (``1000-<branch>``, apps/ledger/chart.py), so the counter's figures are the vault's postings of the day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from apps.ledger.chart import vault_code
from apps.ledger.models import JournalEntry, LedgerAccount, Posting, Side
from apps.ledger.sums import AmountSum
from apps.money import format_amount, to_minor_unit
from apps.organization.models import Branch

Amounts = dict[str, Decimal]


def shown(amounts: Amounts) -> list[str]:
    """Each currency's amount as people read it, in currency order ("1,234.50 EUR")."""
    return [format_amount(amount, currency) for currency, amount in sorted(amounts.items())]


def _add(into: Amounts, currency: str, amount: Decimal) -> None:
    into[currency] = to_minor_unit(into.get(currency, Decimal(0)) + amount, currency)


@dataclass
class BranchFigures:
    """One branch's figures, or the bank's (``code`` empty) when head office looks."""

    code: str
    name: str
    deposits: Amounts = field(default_factory=dict)
    deposit_accounts: int = 0
    vault: Amounts = field(default_factory=dict)
    cash_in_today: Amounts = field(default_factory=dict)
    cash_out_today: Amounts = field(default_factory=dict)
    cash_operations_today: int = 0
    entries_today: int = 0
    debits_today: Amounts = field(default_factory=dict)
    credits_today: Amounts = field(default_factory=dict)

    @property
    def is_bank(self) -> bool:
        return not self.code

    # The amounts formatted, for the templates.
    @property
    def deposits_shown(self) -> list[str]:
        return shown(self.deposits)

    @property
    def vault_shown(self) -> list[str]:
        return shown(self.vault)

    @property
    def cash_in_today_shown(self) -> list[str]:
        return shown(self.cash_in_today)

    @property
    def cash_out_today_shown(self) -> list[str]:
        return shown(self.cash_out_today)

    @property
    def debits_today_shown(self) -> list[str]:
        return shown(self.debits_today)

    @property
    def credits_today_shown(self) -> list[str]:
        return shown(self.credits_today)


def branch_figures(*, branches: list[Branch] | None, business_date: datetime.date) -> list[BranchFigures]:
    """The figures of ``branches`` on ``business_date`` (the bank's current one): five queries for a branch; with
    ``branches=None``, seven, the bank's total first, then every branch."""
    rows = list(Branch.objects.order_by("code")) if branches is None else list(branches)
    by_branch = {branch.pk: BranchFigures(code=branch.code, name=branch.name) for branch in rows}
    bank = BranchFigures(code="", name="The bank")
    in_scope = {} if branches is None else {"branch_id__in": list(by_branch)}

    deposits = (LedgerAccount.objects.filter(deposit_account__isnull=False, **in_scope).order_by()
                .values("branch_id", "currency").annotate(total=AmountSum("balance"), accounts=Count("pk")))
    for row in deposits:
        for figures in (by_branch.get(row["branch_id"]), bank):
            if figures is not None:
                _add(figures.deposits, row["currency"], row["total"])
                figures.deposit_accounts += row["accounts"]

    vaults = {row["pk"]: row for row in LedgerAccount.objects.filter(
        code__in=[vault_code(branch.code) for branch in rows]).values("pk", "branch_id", "currency", "balance")}
    for vault in vaults.values():
        for figures in (by_branch.get(vault["branch_id"]), bank):
            if figures is not None:
                _add(figures.vault, vault["currency"], vault["balance"])

    # The vault's postings of the day are the counter's cash: a debit is cash taken in, a credit cash paid out.
    counter = (Posting.objects.filter(entry__business_date=business_date, account_id__in=list(vaults)).order_by()
               .values("account_id", "currency", "side").annotate(total=AmountSum("amount"), operations=Count("pk")))
    for row in counter:
        for figures in (by_branch.get(vaults[row["account_id"]]["branch_id"]), bank):
            if figures is not None:
                _add(figures.cash_in_today if row["side"] == Side.DEBIT else figures.cash_out_today,
                     row["currency"], row["total"])
                figures.cash_operations_today += row["operations"]

    postings = Posting.objects.filter(entry__business_date=business_date)
    if branches is not None:
        postings = postings.filter(account__branch_id__in=list(by_branch))
    for row in (postings.order_by().values("account__branch_id", "currency", "side")
                .annotate(total=AmountSum("amount"))):
        for figures in (by_branch.get(row["account__branch_id"]), bank):
            if figures is not None:
                _add(figures.debits_today if row["side"] == Side.DEBIT else figures.credits_today,
                     row["currency"], row["total"])
    for row in postings.order_by().values("account__branch_id").annotate(entries=Count("entry_id", distinct=True)):
        if row["account__branch_id"] in by_branch:
            by_branch[row["account__branch_id"]].entries_today = row["entries"]
    if branches is not None:
        return list(by_branch.values())
    bank.entries_today = JournalEntry.objects.filter(business_date=business_date).count()
    return [bank, *by_branch.values()]


@dataclass(frozen=True)
class DepositsOverTime:
    dates: list[datetime.date]
    by_currency: dict[str, list[Decimal]]


def deposits_over_time(*, branches: list[Branch] | None, business_date: datetime.date,
                       days: int = 30) -> DepositsOverTime:
    """Customer deposits at the end of each of the last ``days`` business dates (the last one: now), per currency.

    Walked back from today's balances by the day's net flows on deposit accounts (credits minus debits), from the
    postings of those dates only: two queries, whose cost grows with the window, not with the bank's history."""
    first = business_date - datetime.timedelta(days=days - 1)
    dates = [first + datetime.timedelta(days=offset) for offset in range(days)]
    accounts = LedgerAccount.objects.filter(deposit_account__isnull=False)
    postings = Posting.objects.filter(account__deposit_account__isnull=False, entry__business_date__gt=first,
                                      entry__business_date__lte=business_date)
    if branches is not None:
        ids = [branch.pk for branch in branches]
        accounts, postings = accounts.filter(branch_id__in=ids), postings.filter(account__branch_id__in=ids)
    now = {row["currency"]: row["total"] for row in accounts.order_by().values("currency").annotate(
        total=AmountSum("balance"))}
    net: dict[str, dict[datetime.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in postings.order_by().values("entry__business_date", "currency", "side").annotate(
            total=AmountSum("amount")):
        signed = row["total"] if row["side"] == Side.CREDIT else -row["total"]
        net[row["currency"]][row["entry__business_date"]] += signed
    by_currency = {}
    for currency in sorted(set(now) | set(net)):
        level, values = now.get(currency, Decimal(0)), []
        for day in reversed(dates):
            values.append(to_minor_unit(level, currency))
            level -= net[currency].get(day, Decimal(0))
        by_currency[currency] = list(reversed(values))
    return DepositsOverTime(dates=dates, by_currency=by_currency)
