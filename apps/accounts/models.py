"""Deposit products and accounts: savings, current (checking) and term deposits, with holds, teller receipts,
daily interest accruals and the ledger journals that carry them.

Invariants backed by the database:
- a product's rates, fees and limits are not negative; a term product has a term and posts at maturity;
  only current accounts have an overdraft (CHECK); an account's ledger account allows an overdraft only when
  its product does, up to the product's limit (trigger across the three tables, PostgreSQL and SQLite);
- an account number is unique; an account's ledger account is its own (UNIQUE one-to-one);
- a closed account has a closing date, a term deposit has a maturity date (CHECK);
- a hold's amount is positive; an accrual is unique per account and business date (UNIQUE), which is what
  makes the accrual idempotent; a teller receipt is unique per idempotency key and per journal entry.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.accounts.daycount import DayCount
from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES

RATE_FIELD = {"max_digits": 9, "decimal_places": 6}
# Accrued interest is kept at full precision; it is rounded only when it reaches the ledger.
PRECISE_FIELD = {"max_digits": 30, "decimal_places": 12}


class ProductKind(models.TextChoices):
    SAVINGS = "savings", "Savings"
    CURRENT = "current", "Current (checking)"
    TERM = "term", "Term deposit"


class PostingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    AT_MATURITY = "at_maturity", "At maturity"


class DepositProduct(models.Model):
    """What the bank sells: rates, day count, posting frequency, fees, limits. Accounts are opened on one."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProductKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    interest_rate = models.DecimalField(
        **RATE_FIELD, default=Decimal("0"),
        help_text="Annual credit interest rate in percent (2.5 means 2.5% a year); tiers may override it.",
    )
    day_count = models.CharField(max_length=14, choices=DayCount.choices, default=DayCount.ACT_365_FIXED)
    posting_frequency = models.CharField(max_length=12, choices=PostingFrequency.choices,
                                         default=PostingFrequency.MONTHLY)
    minimum_opening_balance = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"))
    overdraft_limit = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"),
                                          help_text="Current accounts only: how far below zero the balance may go.")
    overdraft_rate = models.DecimalField(**RATE_FIELD, default=Decimal("0"),
                                         help_text="Annual debit interest rate in percent on an overdrawn balance.")
    monthly_fee = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"),
                                      help_text="Maintenance fee charged at each month end.")
    term_months = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Term deposits only.")
    early_withdrawal_penalty = models.DecimalField(
        **RATE_FIELD, default=Decimal("0"),
        help_text="Term deposits: the share of the interest earned (percent) forfeited on early withdrawal.",
    )
    dormant_after_days = models.PositiveIntegerField(
        default=365, help_text="An account with no customer-initiated movement for this long becomes dormant.")
    is_active = models.BooleanField(default=True, help_text="Only active products accept new accounts.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(interest_rate__gte=0) & Q(overdraft_rate__gte=0)
                                   & Q(early_withdrawal_penalty__gte=0) & Q(early_withdrawal_penalty__lte=100),
                                   name="product_rates_valid"),
            models.CheckConstraint(condition=Q(minimum_opening_balance__gte=0) & Q(overdraft_limit__gte=0)
                                   & Q(monthly_fee__gte=0), name="product_amounts_not_negative"),
            models.CheckConstraint(condition=Q(kind="current") | Q(overdraft_limit=0, overdraft_rate=0),
                                   name="product_overdraft_only_current"),
            models.CheckConstraint(
                condition=Q(kind="term", term_months__gt=0, posting_frequency="at_maturity")
                | (~Q(kind="term") & Q(term_months__isnull=True) & ~Q(posting_frequency="at_maturity")),
                name="product_term_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def allows_overdraft(self) -> bool:
        return self.kind == ProductKind.CURRENT and self.overdraft_limit > 0

    def ledger_overdraft(self) -> tuple[bool, Decimal | None]:
        """The overdraft its accounts' ledger accounts carry: (allow_overdraft, overdraft_limit). The product
        owns it; a database trigger (migration 0003_config_product_overdraft_rule) refuses any other."""
        return (True, self.overdraft_limit) if self.allows_overdraft else (False, None)


class InterestTier(models.Model):
    """A balance tier of a product: from ``minimum_balance`` up to the next tier, the whole balance earns
    ``rate`` (percent a year) instead of the product's rate."""

    product = models.ForeignKey(DepositProduct, on_delete=models.CASCADE, related_name="tiers")
    minimum_balance = models.DecimalField(**AMOUNT_FIELD)
    rate = models.DecimalField(**RATE_FIELD)
    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "minimum_balance"]
        constraints = [
            models.UniqueConstraint(fields=["product", "minimum_balance"], name="tier_unique_per_product"),
            models.CheckConstraint(condition=Q(minimum_balance__gte=0) & Q(rate__gte=0), name="tier_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} from {self.minimum_balance}: {self.rate}%"


class MaturityInstruction(models.TextChoices):
    PAY_OUT = "pay_out", "Pay principal and interest to the linked account"
    ROLL_OVER = "roll_over", "Roll over principal and interest for another term"


class Account(models.Model):
    """A customer's deposit account, carried in the ledger by its own liability ledger account.

    Lifecycle: pending (opened, not yet funded to the product's minimum) -> active -> dormant (no
    customer-initiated movement for the product's period; set by end of day) -> frozen (by compliance: nothing
    leaves it) -> closed (at zero balance). Each change is a service in apps.accounts.services.lifecycle.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        DORMANT = "dormant", "Dormant"
        FROZEN = "frozen", "Frozen"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=34, unique=True)
    product = models.ForeignKey(DepositProduct, on_delete=models.PROTECT, related_name="accounts")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="deposit_accounts")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deposit_accounts",
                                 help_text="The primary holder.")
    holders = models.ManyToManyField("customers.Customer", through="AccountHolder", related_name="held_accounts")
    ledger_account = models.OneToOneField("ledger.LedgerAccount", on_delete=models.PROTECT,
                                          related_name="deposit_account")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_before_freeze = models.CharField(max_length=10, choices=Status.choices, blank=True)
    opened_on = models.DateField(help_text="Business date of opening.")
    closed_on = models.DateField(null=True, blank=True)
    last_customer_activity_on = models.DateField(null=True, blank=True)
    # Rounding residues carried from one interest posting to the next, so no fraction of a cent is lost.
    interest_residue = models.DecimalField(**PRECISE_FIELD, default=Decimal("0"))
    overdraft_interest_residue = models.DecimalField(**PRECISE_FIELD, default=Decimal("0"))
    interest_posted_through = models.DateField(null=True, blank=True)
    fee_charged_through = models.DateField(null=True, blank=True)
    # Term deposits.
    maturity_date = models.DateField(null=True, blank=True)
    maturity_instruction = models.CharField(max_length=10, choices=MaturityInstruction.choices, blank=True)
    linked_account = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       help_text="Term deposits: where principal and interest are paid.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Batch bookkeeping that end of day moves on every account is not worth a history row each time.
    history = HistoricalRecords(excluded_fields=["interest_residue", "overdraft_interest_residue",
                                                 "interest_posted_through", "fee_charged_through"])

    class Meta:
        ordering = ["number"]
        permissions = [
            ("freeze_account", "Can freeze and request unfreezing of deposit accounts"),
            ("request_account_closure", "Can request the closure of a deposit account"),
            ("operate_cash", "Can perform teller cash deposits and withdrawals"),
            ("approve_cash_operation", "Can approve a teller cash operation above the teller's limit"),
        ]
        indexes = [models.Index(fields=["product", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_on__isnull=False),
                                   name="account_closed_has_date"),
            models.CheckConstraint(condition=Q(status="frozen") | Q(status_before_freeze=""),
                                   name="account_freeze_memory_only_when_frozen"),
            # A term deposit's maturity date is set when it is funded; only a term deposit has one.
            models.CheckConstraint(condition=~Q(maturity_instruction="") | Q(maturity_date__isnull=True),
                                   name="account_maturity_needs_instruction"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def currency(self) -> str:
        return self.product.currency

    # What an account's status allows a payment to do with it: only an active account sends (a frozen, dormant,
    # closed or pending one sends nothing); any account but a pending or a closed one receives. Each refusal's
    # reason is the code the API returns.
    CANNOT_RECEIVE = (Status.PENDING, Status.CLOSED)

    @property
    def can_send(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def cannot_send_because(self) -> str | None:
        """``account_<status>`` when nothing may be sent from the account; None when it may send."""
        return None if self.can_send else f"account_{self.status}"

    @property
    def can_receive(self) -> bool:
        return self.status not in self.CANNOT_RECEIVE

    @property
    def cannot_receive_because(self) -> str | None:
        """``beneficiary_account_<status>`` when the account may not be paid into; None when it may."""
        return None if self.can_receive else f"beneficiary_account_{self.status}"


class AccountUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Account, on_delete=models.CASCADE)


class AccountGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Account, on_delete=models.CASCADE)


class AccountHolder(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary holder"
        JOINT = "joint", "Joint holder"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="holder_links")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="account_links")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.JOINT)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "customer"], name="holder_once_per_account"),
            models.UniqueConstraint(fields=["account"], condition=Q(role="primary"), name="one_primary_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.role} of {self.account_id}"


class AccountNumberSequence(models.Model):
    """The last serial handed out for account numbers (one row, locked while a number is taken)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class Hold(models.Model):
    """Money set aside on an account (a card authorisation, a garnishment): it lowers the available balance."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    class Purpose(models.TextChoices):
        """Who may release it: staff release their own holds; a payment held for review keeps its hold until
        compliance releases or rejects the payment (``payments.services.reviews``)."""

        STAFF = "staff", "Placed by staff"
        PAYMENT_REVIEW = "payment_review", "A payment held for review"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    amount = models.DecimalField(**AMOUNT_FIELD)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.STAFF)
    # The placing request's key: the same request again returns this hold instead of setting the money aside twice.
    # Empty only on holds placed before keys were kept.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    placed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="End of day on this date releases it.")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    released_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account"], condition=Q(status="active"), name="hold_active_by_account"),
                   models.Index(fields=["expires_on"], condition=Q(status="active"), name="hold_active_by_expiry")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(condition=Q(status="active", released_on__isnull=True)
                                   | ~Q(status="active") & Q(released_on__isnull=False),
                                   name="hold_release_recorded"),
            models.CheckConstraint(condition=Q(purpose__in=["staff", "payment_review"]), name="hold_purpose_known"),
        ]

    def __str__(self) -> str:
        return f"Hold {self.amount} on {self.account_id} ({self.status})"


class TellerTransaction(models.Model):
    """The receipt of a cash deposit or withdrawal at a branch counter."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Cash deposit"
        WITHDRAWAL = "withdrawal", "Cash withdrawal"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="teller_transactions")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="+")
    teller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="The branch manager, above the teller's limit.")
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="teller_receipt")
    # The account's ledger balance just after the operation, as the receipt prints it (empty on older receipts).
    balance_after = models.DecimalField(**AMOUNT_FIELD, null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="teller_amount_positive")]

    def __str__(self) -> str:
        return f"Receipt {self.receipt_number}"

    @property
    def receipt_number(self) -> str:
        return self.number_of_receipt(self.business_date, self.pk)

    @staticmethod
    def number_of_receipt(business_date: datetime.date, pk: int) -> str:
        """The receipt's number as printed and quoted (on the receipt and on the statement)."""
        return f"R{business_date:%Y%m%d}-{pk:08d}"


class AccrualKind(models.TextChoices):
    CREDIT = "credit", "Credit interest (the bank owes it)"
    OVERDRAFT = "overdraft", "Overdraft interest (the customer owes it)"


class InterestAccrual(models.Model):
    """One account's interest for one business date, at full precision. Written by the set-based accrual
    (apps.accounts.services.accrual); ``posted_entry`` is set when it is credited or charged to the account."""

    # No database foreign keys on these two, deliberately: PostgreSQL checks a foreign key by locking the
    # referenced row (FOR KEY SHARE), which rewrites every account row's header on each daily accrual of a
    # million accounts and doubles its time (bench/accrual.py: 49.5 s with them, 25.6 s without). The rows are
    # written only by the accrual's INSERT ... SELECT, which joins the account and product tables in the same
    # statement, and accounts and products are never deleted (PROTECT, no delete in admin or services).
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="accruals", db_index=False,
                                db_constraint=False)
    product = models.ForeignKey(DepositProduct, on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False)
    business_date = models.DateField()
    kind = models.CharField(max_length=10, choices=AccrualKind.choices)
    balance = models.DecimalField(**AMOUNT_FIELD, help_text="End-of-day ledger balance the interest is on.")
    annual_rate = models.DecimalField(**RATE_FIELD)
    day_fraction = models.DecimalField(**PRECISE_FIELD)
    amount = models.DecimalField(**PRECISE_FIELD)
    # Set when the interest is credited to (or charged on) the account; the entry is empty when it rounded
    # to nothing and only moved the account's residue.
    posted_on = models.DateField(null=True, blank=True)
    posted_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "business_date"], name="accrual_once_per_account_and_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="accrual_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "business_date"], condition=Q(posted_on__isnull=True),
                                name="accrual_unposted")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.account_id} {self.kind} {self.amount}"


class AccrualRun(models.Model):
    """The record that a business date's accrual ran: written in the same transaction as its accruals."""

    business_date = models.DateField(unique=True)
    accounts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"Accrual {self.business_date} ({self.accounts} accounts)"


class AccrualJournal(models.Model):
    """The ledger side of one date's accrual for one product and kind: the full-precision total, what was
    posted (rounded) and the residue carried to the next day's journal of the same product and kind."""

    run = models.ForeignKey(AccrualRun, on_delete=models.PROTECT, related_name="journals")
    business_date = models.DateField()
    product = models.ForeignKey(DepositProduct, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AccrualKind.choices)
    accrued = models.DecimalField(**PRECISE_FIELD)
    residue_in = models.DecimalField(**PRECISE_FIELD)
    posted = models.DecimalField(**AMOUNT_FIELD)
    residue_out = models.DecimalField(**PRECISE_FIELD)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["business_date", "product", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["business_date", "product", "kind"], name="accrual_journal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.product_id} {self.kind}: {self.posted}"
