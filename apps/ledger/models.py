"""The double-entry ledger: chart of accounts, journal entries and their postings.

Invariants (each backed by the database, not only by the service):
- a posting's amount is positive (CHECK) and in its account's currency (constraint trigger, PostgreSQL);
- a journal entry has at least two postings and balances per currency at commit (deferred constraint
  trigger, PostgreSQL);
- journal entries and postings are never updated or deleted (ORM guards here, triggers in the database);
- a ledger account's stored balance respects its balance rule (CHECK): never below zero, or below minus its
  overdraft limit when it allows an overdraft;
- an entry's idempotency key is unique per source (UNIQUE), and an entry is reversed at most once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.ledger.errors import ImmutableRecord
from apps.money import CURRENCY_CHOICES, Money, format_amount

# Stored amounts: 20 digits with 4 decimals covers every ISO 4217 minor unit (0, 2 or 3 decimals).
AMOUNT_FIELD = {"max_digits": 20, "decimal_places": 4}


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


class Side(models.TextChoices):
    DEBIT = "D", "Debit"
    CREDIT = "C", "Credit"


DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class LedgerAccount(models.Model):
    """An account of the chart of accounts, or the ledger side of a customer's deposit or loan account.

    ``balance`` is kept in the account's normal direction (debits minus credits for assets and expenses,
    credits minus debits for liabilities, equity and income), so a customer's deposit shows a positive
    balance. It is maintained under a row lock by ``post_journal_entry``, except for accounts whose
    ``balance_tracking`` is DERIVED: high-traffic house accounts (fee income, clearing, suspense) whose
    balance is summed from postings instead, so they never serialise the bank's transfers on one row lock.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FROZEN = "frozen", "Frozen"
        CLOSED = "closed", "Closed"

    class BalanceTracking(models.TextChoices):
        STORED = "stored", "Stored balance, locked on every posting"
        DERIVED = "derived", "Derived from postings (house account without a balance floor)"

    code = models.CharField(max_length=34, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=AccountType.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    balance_tracking = models.CharField(
        max_length=8, choices=BalanceTracking.choices, default=BalanceTracking.STORED
    )
    balance = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"), editable=False)
    allow_overdraft = models.BooleanField(default=False)
    overdraft_limit = models.DecimalField(
        **AMOUNT_FIELD, null=True, blank=True,
        help_text="How far below zero the balance may go when overdraft is allowed; empty means no limit.",
    )
    branch = models.ForeignKey(
        "organization.Branch", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    # The domain row this ledger account carries (a customer's deposit account, a loan), if any.
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    owner_id = models.CharField(max_length=64, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    created_at = models.DateTimeField(auto_now_add=True)
    # The balance changes on every posting and is recomputable from postings: not worth a history row each.
    history = HistoricalRecords(excluded_fields=["balance"])

    class Meta:
        ordering = ["code"]
        # currency: the admin's currency filters list the currencies in use from it (selectors.currencies_in_use)
        indexes = [models.Index(fields=["owner_type", "owner_id"]),
                   models.Index(fields=["currency"], name="ledger_account_currency")]
        constraints = [
            models.CheckConstraint(condition=Q(overdraft_limit__isnull=True) | Q(overdraft_limit__gte=0),
                                   name="ledger_overdraft_limit_not_negative"),
            models.CheckConstraint(
                condition=Q(allow_overdraft=True) | Q(overdraft_limit__isnull=True) | Q(overdraft_limit=0),
                name="ledger_overdraft_limit_needs_overdraft",
            ),
            models.CheckConstraint(
                condition=Q(balance_tracking="derived")
                | Q(allow_overdraft=False, balance__gte=0)
                | Q(allow_overdraft=True, overdraft_limit__isnull=True)
                | Q(allow_overdraft=True, balance__gte=-F("overdraft_limit")),
                name="ledger_balance_respects_rule",
            ),
            models.CheckConstraint(
                condition=Q(balance_tracking="stored") | Q(allow_overdraft=True, overdraft_limit__isnull=True),
                name="ledger_derived_balance_has_no_floor",
            ),
        ]
        permissions = [("request_reversal", "Can request the reversal of a journal entry")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        floor = self.floor()
        if self.pk and floor is not None and self.balance < floor:
            raise ValidationError(
                f"The balance is {self.balance} {self.currency}: the overdraft rule cannot be tightened below it."
            )

    @property
    def is_debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL_TYPES

    def signed(self, side: str, amount: Decimal) -> Decimal:
        """How a posting on ``side`` changes this account's balance (in its normal direction)."""
        increases = (side == Side.DEBIT) == self.is_debit_normal
        return amount if increases else -amount

    @property
    def balance_money(self) -> Money:
        return Money(self.balance, self.currency)

    def floor(self) -> Decimal | None:
        """The lowest balance the account's rule allows, or None when it has no floor."""
        if self.balance_tracking == self.BalanceTracking.DERIVED:
            return None
        if not self.allow_overdraft:
            return Decimal("0")
        return None if self.overdraft_limit is None else -self.overdraft_limit


class LedgerCheck(LedgerAccount):
    """No data of its own: the admin's "Trial balance and ledger check" page, listed with the ledger's models, and
    its permission ``ledger.view_ledgercheck`` (operations and auditors): a bank-wide read of every balance."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "trial balance and ledger check"


class LedgerAccountUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(LedgerAccount, on_delete=models.CASCADE)


class LedgerAccountGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(LedgerAccount, on_delete=models.CASCADE)


class ImmutableQuerySet(models.QuerySet):
    """Posted entries and postings are never edited or deleted: a mistake is corrected by a reversal."""

    def update(self, **kwargs):
        raise ImmutableRecord(f"{self.model.__name__} rows are immutable; post a reversal instead.")

    def delete(self):
        raise ImmutableRecord(f"{self.model.__name__} rows are immutable; post a reversal instead.")

    _raw_delete = delete


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{type(self).__name__} rows are immutable; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{type(self).__name__} rows are immutable; post a reversal instead.")


class JournalEntry(ImmutableModel):
    business_date = models.DateField(db_index=True)
    description = models.CharField(max_length=300)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    source = models.CharField(
        max_length=40, help_text="The domain that posted it (teller, transfer, interest, manual...)."
    )
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the entry's content, for replays.")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The person who posted it; empty for the end-of-day batch.",
    )
    posted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(fields=["source", "idempotency_key"], name="entry_idempotency_key_per_source"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="entry_idempotency_key_not_blank"),
            models.CheckConstraint(condition=~Q(reverses=F("id")), name="entry_does_not_reverse_itself"),
        ]

    def __str__(self) -> str:
        return f"JE{self.pk} {self.business_date} {self.description}"


class Posting(ImmutableModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # No index of its own: the (account, entry) index below serves every lookup by account.
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings", db_index=False)
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["account", "entry"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="posting_amount_positive"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="posting_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.account.code} {format_amount(self.amount, self.currency)}"
