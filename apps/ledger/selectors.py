"""Reads of the ledger: balances, recomputation from postings, trial balance, integrity checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from apps.ledger.integrity_checks import IntegrityReport, run_named_integrity_checks
from apps.ledger.models import DEBIT_NORMAL_TYPES, JournalEntry, LedgerAccount, Posting, Side
from apps.ledger.sums import AmountSum
from apps.money import Money, to_minor_unit
from apps.organization.branch_scope import visible_to
from apps.organization.models import User

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=30, decimal_places=4))


def _posting_totals(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        debits=Coalesce(AmountSum("postings__amount", filter=Q(postings__side=Side.DEBIT)), _ZERO),
        credits=Coalesce(AmountSum("postings__amount", filter=Q(postings__side=Side.CREDIT)), _ZERO),
    )


def _normal_balance(account: LedgerAccount, debits: Decimal, credits: Decimal) -> Decimal:
    return debits - credits if account.is_debit_normal else credits - debits


def account_balance(account: LedgerAccount) -> Money:
    """The balance in the account's normal direction: stored, or summed from postings for derived ones."""
    if account.balance_tracking == LedgerAccount.BalanceTracking.STORED:
        return Money(account.balance, account.currency)
    totals = Posting.objects.filter(account=account).aggregate(
        debits=Coalesce(AmountSum("amount", filter=Q(side=Side.DEBIT)), _ZERO),
        credits=Coalesce(AmountSum("amount", filter=Q(side=Side.CREDIT)), _ZERO),
    )
    return Money(_normal_balance(account, totals["debits"], totals["credits"]), account.currency)


@dataclass(frozen=True)
class AccountCheck:
    account: LedgerAccount
    debits: Decimal
    credits: Decimal
    recomputed: Decimal

    @property
    def drift(self) -> Decimal:
        if self.account.balance_tracking == LedgerAccount.BalanceTracking.DERIVED:
            return Decimal("0")
        return self.account.balance - self.recomputed


def account_checks() -> list[AccountCheck]:
    """Every account with its postings' totals and its balance recomputed from them (one query), in the account's
    currency's minor unit."""
    checks = []
    for account in _posting_totals(LedgerAccount.objects.order_by("currency", "code")):
        debits = to_minor_unit(account.debits, account.currency)
        credits = to_minor_unit(account.credits, account.currency)
        checks.append(AccountCheck(account, debits, credits, _normal_balance(account, debits, credits)))
    return checks


@dataclass(frozen=True)
class TrialBalanceLine:
    currency: str
    debits: Decimal
    credits: Decimal

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits


def trial_balance(checks: list[AccountCheck]) -> list[TrialBalanceLine]:
    """Per currency: the sum of accounts with a debit balance against the sum with a credit balance."""
    totals: dict[str, list[Decimal]] = {}
    for check in checks:
        line = totals.setdefault(check.account.currency, [Decimal("0"), Decimal("0")])
        net_debit = check.debits - check.credits
        if net_debit >= 0:
            line[0] += net_debit
        else:
            line[1] -= net_debit
    return [TrialBalanceLine(currency, dr, cr) for currency, (dr, cr) in sorted(totals.items())]


def unbalanced_entries() -> QuerySet:
    """Entries whose postings do not balance in some currency, or that have fewer than two postings.

    The databases' triggers make these impossible to commit (ledger migrations 0003 and 0005); this check still
    looks, for an entry written with the triggers dropped. ``AmountSum`` adds exactly on SQLite too (there
    0.11 + 0.06 + 0.05 - 0.22 is not 0 in floating point).
    """
    per_currency = (
        Posting.objects.values("entry_id", "currency")
        .annotate(net=AmountSum(Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"))))
        .exclude(net=0)
        .values("entry_id")
    )
    return JournalEntry.objects.annotate(lines=Count("postings")).filter(Q(pk__in=per_currency) | Q(lines__lt=2))


UNBALANCED_ENTRIES_SHOWN = 50


@dataclass(frozen=True)
class LedgerCheckReport:
    """What ``manage.py ledger_check`` and the admin's ledger check page show: every stored balance against its
    postings, unbalanced entries (the first 50), the trial balance per currency, and the domains' registered
    integrity checks (the end-of-day seal chain among them)."""

    checks: list[AccountCheck]
    unbalanced: list[JournalEntry]
    trial_balance: list[TrialBalanceLine]
    integrity: list[tuple[str, IntegrityReport]] = field(default_factory=list)

    @property
    def drifted(self) -> list[AccountCheck]:
        return [check for check in self.checks if check.drift != 0]

    @property
    def problems(self) -> int:
        return (len(self.drifted) + len(self.unbalanced) + sum(not line.balanced for line in self.trial_balance)
                + sum(len(report.problems) for _, report in self.integrity))


def ledger_check_report() -> LedgerCheckReport:
    """Run every check of the ledger (reads only)."""
    checks = account_checks()
    return LedgerCheckReport(checks=checks, unbalanced=list(unbalanced_entries()[:UNBALANCED_ENTRIES_SHOWN]),
                             trial_balance=trial_balance(checks), integrity=run_named_integrity_checks())


def entries_with_postings() -> QuerySet:
    return JournalEntry.objects.select_related("posted_by", "reverses").prefetch_related("postings__account")


def with_current_balance(accounts: QuerySet) -> QuerySet:
    """Annotate ``current_balance``: the stored balance, or for derived accounts the sum of their postings.

    One query for the whole list: the subquery runs only for the (few) derived-balance house accounts.
    """
    amount = DecimalField(max_digits=30, decimal_places=4)
    net_debit = (
        Posting.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(net=AmountSum(Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"))))
        .values("net")
    )
    derived = Coalesce(Subquery(net_debit, output_field=amount), _ZERO)
    return accounts.annotate(
        current_balance=Case(
            When(balance_tracking=LedgerAccount.BalanceTracking.STORED, then=F("balance")),
            When(type__in=DEBIT_NORMAL_TYPES, then=derived),
            default=-derived,
            output_field=amount,
        )
    )


# --- What a staff member may see (the admin and the API use the same scope) ------------------------------------
def ledger_accounts_visible_to(user: User, accounts: QuerySet[LedgerAccount] | None = None) -> QuerySet[LedgerAccount]:
    """The ledger accounts ``user``'s role and branch let them see (``apps.organization.branch_scope``)."""
    return visible_to(user, accounts if accounts is not None else LedgerAccount.objects.all())


def journal_entries_visible_to(user: User, entries: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """The entries among ``entries`` that touch at least one ledger account ``user`` may see.

    A semi-join (EXISTS), not a join and DISTINCT: the newest entries can then be read in the order of the
    posted_at index and stop at a page's worth, where DISTINCT first collects every visible entry."""
    if user.is_superuser:
        return entries
    visible_postings = Posting.objects.filter(entry=OuterRef("pk"), account__in=ledger_accounts_visible_to(user))
    return entries.filter(Exists(visible_postings))


def postings_visible_to(user: User, postings: QuerySet[Posting]) -> QuerySet[Posting]:
    """The postings among ``postings`` on a ledger account ``user`` may see."""
    return postings.filter(account__in=ledger_accounts_visible_to(user))


# The distinct values of an indexed column, read from an index that leads with it: PostgreSQL reads a DISTINCT
# of an index in full (a million accounts for two currencies); this loose index scan jumps from one value to the
# next, one index probe each. Used for the chart's currencies (ledger_account_currency, ledger migration 0007)
# and the entries' sources (the (source, idempotency_key) unique index).
LOOSE_INDEX_SCAN_POSTGRESQL = """
    WITH RECURSIVE in_use (value) AS (
        (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
        UNION ALL
        SELECT (SELECT {column} FROM {table} WHERE {column} > in_use.value ORDER BY {column} LIMIT 1)
        FROM in_use WHERE in_use.value IS NOT NULL
    )
    SELECT value FROM in_use WHERE value IS NOT NULL
"""


def _distinct_values_postgresql(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(LOOSE_INDEX_SCAN_POSTGRESQL.format(table=table, column=column))
        return [row[0] for row in cursor.fetchall()]


def currencies_in_use_postgresql() -> list[str]:
    return _distinct_values_postgresql("ledger_ledgeraccount", "currency")


def currencies_in_use_sqlite() -> list[str]:
    """SQLite answers a DISTINCT of an indexed column by skipping through the index itself."""
    return list(LedgerAccount.objects.order_by("currency").values_list("currency", flat=True).distinct())


CURRENCIES_IN_USE = {"postgresql": currencies_in_use_postgresql, "sqlite": currencies_in_use_sqlite}


def currencies_in_use() -> list[str]:
    """The currencies the bank keeps accounts in, sorted: every amount it holds (a posting, a payment, a fee)
    is in the currency of one of its ledger accounts. For the admin's currency filters, which would otherwise
    offer every ISO currency."""
    return CURRENCIES_IN_USE[connection.vendor]()


def entry_sources_postgresql() -> list[str]:
    return _distinct_values_postgresql("ledger_journalentry", "source")


def entry_sources_sqlite() -> list[str]:
    """SQLite skips through the (source, idempotency_key) index for this DISTINCT itself."""
    return list(JournalEntry.objects.order_by("source").values_list("source", flat=True).distinct())


ENTRY_SOURCES = {"postgresql": entry_sources_postgresql, "sqlite": entry_sources_sqlite}


def entry_sources() -> list[str]:
    """The domains that have posted entries (teller, transfer, interest, ...), sorted: the journal's filter."""
    return ENTRY_SOURCES[connection.vendor]()
