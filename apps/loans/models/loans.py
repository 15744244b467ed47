"""The booked loan: booked once from an approved application, its instalments fixed at disbursement, and every
transaction on it (disbursement, repayments, charges) with its idempotency key and its journal entry.

A loan's balances by component are never stored twice: they are the sums of its live instalments' due and paid
columns (``apps.loans.selectors_loans.loan_balances``). The interest accrued so far is on each instalment
(``interest_accrued``), moved only by the end-of-day accrual and a payoff.

Invariants backed by the database (CHECK):
- a loan's principal, payout and rate are positive (the rate not negative), its fee not negative, its term at
  least one instalment; a closed loan has its closing date;
- an instalment's amounts are not negative; nothing is paid beyond what is due, component by component; no more
  interest is accrued than is due; a paid instalment is paid in full; its period runs forward;
- a transaction's amount is positive, its portions not negative and never more than its amount;
- one idempotency key per loan; one accrual row per instalment and date; one run per end-of-day step and date.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.loans.models.applications import LoanApplication
from apps.loans.models.products import RATE_FIELD, LoanProduct
from apps.loans.product_terms import RepaymentFrequency
from apps.money import CURRENCY_CHOICES, format_amount

COMPONENTS = ("penalty", "fee", "interest", "principal")
HALF_STORAGE_UNIT = Decimal("0.00005")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed (repaid)"
    WRITTEN_OFF = "written_off", "Written off"
    # Paid out to another bank: nothing accrues, is collected or repaid until the payment settles (-> active); a
    # rejected or returned payout reverses the disbursement entry and the loan is cancelled (never owed).
    PAYING_OUT = "paying_out", "Being paid out to another bank"
    CANCELLED = "cancelled", "Cancelled (the payout was returned)"


OPEN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.PAYING_OUT)


class Loan(models.Model):
    application = models.OneToOneField(LoanApplication, on_delete=models.PROTECT, related_name="loan")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="loans")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The customer's deposit account the loan is repaid from (the automatic debits take it), and paid into unless
    # it was paid out to another bank (``disbursement_payment``).
    deposit_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="loans")
    disbursement_payment = models.OneToOneField(
        "payments.OutgoingPayment", on_delete=models.PROTECT, null=True, blank=True, related_name="loan",
        help_text="The payment to another bank the loan was paid out through, if it was.")

    amount = models.DecimalField(**AMOUNT_FIELD, help_text="What the customer asked for.")
    origination_fee = models.DecimalField(**AMOUNT_FIELD, default=0)
    principal = models.DecimalField(**AMOUNT_FIELD, help_text="What is repaid: the amount, plus a capitalised fee.")
    net_disbursed = models.DecimalField(**AMOUNT_FIELD, help_text="What was paid out (the amount less a deducted fee).")
    annual_rate = models.DecimalField(**RATE_FIELD, help_text="Annual, in percent.")
    term = models.PositiveSmallIntegerField(help_text="In instalments, as disbursed.")
    repayment_frequency = models.CharField(max_length=10, choices=RepaymentFrequency.choices)
    disbursement_date = models.DateField()
    status = models.CharField(max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    closed_on = models.DateField(null=True, blank=True)
    disbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-disbursement_date", "-id"]
        permissions = [("disburse_loan", "Can disburse a loan"),
                       ("repay_loan_at_counter", "Can take a loan repayment at the counter"),
                       ("charge_loan", "Can charge a fee or penalty on a loan")]
        indexes = [models.Index(fields=["branch", "status"]), models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(principal__gte=F("amount"))
                                   & Q(net_disbursed__gt=0) & Q(net_disbursed__lte=F("amount")),
                                   name="loan_amounts_positive"),
            models.CheckConstraint(condition=Q(origination_fee__gte=0), name="loan_fee_not_negative"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0), name="loan_rate_not_negative"),
            models.CheckConstraint(condition=Q(term__gte=1), name="loan_term_positive"),
            models.CheckConstraint(condition=Q(status__in=LoanStatus.values), name="loan_status_valid"),
            models.CheckConstraint(condition=Q(status__in=OPEN_STATUSES) | Q(closed_on__isnull=False),
                                   name="loan_closed_has_date"),
            models.CheckConstraint(
                condition=~Q(status__in=(LoanStatus.PAYING_OUT, LoanStatus.CANCELLED))
                | Q(disbursement_payment__isnull=False), name="loan_paying_out_has_payment"),
        ]

    def __str__(self) -> str:
        return f"Loan {self.pk} · {format_amount(self.principal, self.currency)}"


class InstalmentStatus(models.TextChoices):
    PENDING = "pending", "Not yet due"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    PAID = "paid", "Paid"
    # Superseded by a re-amortisation (a prepayment): kept for the record, no longer owed.
    RESCHEDULED = "rescheduled", "Rescheduled"


LIVE = ~Q(status=InstalmentStatus.RESCHEDULED)
INSTALMENT_STATE = ("principal_due", "interest_due", "fee_due", "penalty_due", "principal_paid", "interest_paid",
                    "fee_paid", "penalty_paid", "interest_accrued", "status", "paid_on")


class LoanInstalment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField(help_text="The nominal date: interest runs to it.")
    due_date = models.DateField()
    principal_due = models.DecimalField(**AMOUNT_FIELD)
    interest_due = models.DecimalField(**AMOUNT_FIELD)
    fee_due = models.DecimalField(**AMOUNT_FIELD, default=0)
    penalty_due = models.DecimalField(**AMOUNT_FIELD, default=0)
    principal_paid = models.DecimalField(**AMOUNT_FIELD, default=0)
    interest_paid = models.DecimalField(**AMOUNT_FIELD, default=0)
    fee_paid = models.DecimalField(**AMOUNT_FIELD, default=0)
    penalty_paid = models.DecimalField(**AMOUNT_FIELD, default=0)
    interest_accrued = models.DecimalField(**AMOUNT_FIELD, default=0)
    status = models.CharField(max_length=12, choices=InstalmentStatus.choices, default=InstalmentStatus.PENDING)
    paid_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["loan", "due_date", "number", "id"]
        indexes = [
            models.Index(fields=["due_date"], name="loan_instalment_open_due", condition=Q(status__in=(
                InstalmentStatus.PENDING, InstalmentStatus.DUE, InstalmentStatus.OVERDUE))),
            models.Index(fields=["period_start"], name="loan_instalment_accruing",
                         condition=Q(interest_accrued__lt=F("interest_due"))),
        ]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], condition=LIVE, name="loan_instalment_number_unique"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")) & Q(due_date__gte=F("period_end")),
                                   name="loan_instalment_period_forward"),
            models.CheckConstraint(
                condition=Q(principal_due__gte=0) & Q(interest_due__gte=0) & Q(fee_due__gte=0)
                & Q(penalty_due__gte=0) & Q(principal_paid__gte=0) & Q(interest_paid__gte=0) & Q(fee_paid__gte=0)
                & Q(penalty_paid__gte=0) & Q(interest_accrued__gte=0),
                name="loan_instalment_amounts_not_negative"),
            models.CheckConstraint(
                condition=Q(principal_paid__lte=F("principal_due")) & Q(interest_paid__lte=F("interest_due"))
                & Q(fee_paid__lte=F("fee_due")) & Q(penalty_paid__lte=F("penalty_due")),
                name="loan_instalment_paid_within_due"),
            models.CheckConstraint(condition=Q(interest_accrued__lte=F("interest_due")),
                                   name="loan_instalment_accrued_within_due"),
            models.CheckConstraint(
                condition=~Q(status=InstalmentStatus.PAID) | (
                    Q(principal_paid=F("principal_due")) & Q(interest_paid=F("interest_due"))
                    & Q(fee_paid=F("fee_due")) & Q(penalty_paid=F("penalty_due")) & Q(paid_on__isnull=False)),
                name="loan_instalment_paid_in_full"),
            models.CheckConstraint(condition=Q(status__in=InstalmentStatus.values),
                                   name="loan_instalment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Instalment {self.number} of loan {self.loan_id} due {self.due_date}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = instance.snapshot()
        return instance

    def snapshot(self) -> tuple:
        """The columns the loan's services change, as read: saving writes only the instalments that differ."""
        return tuple(getattr(self, name) for name in INSTALMENT_STATE)

    def due(self, component: str):
        return getattr(self, f"{component}_due")

    def paid(self, component: str):
        return getattr(self, f"{component}_paid")

    def owed(self, component: str):
        return self.due(component) - self.paid(component)

    @property
    def total_owed(self):
        return sum((self.owed(c) for c in COMPONENTS), start=self.principal_due * 0)


class TransactionKind(models.TextChoices):
    DISBURSEMENT = "disbursement", "Disbursement"
    REPAYMENT = "repayment", "Repayment"
    PREPAYMENT = "prepayment", "Prepayment"
    PAYOFF = "payoff", "Payoff"
    FEE = "fee", "Fee charged"
    PENALTY = "penalty", "Penalty charged"


# The kinds a backdated transaction replays (in value-date order): the disbursement starts the loan.
REPLAYED_KINDS = (TransactionKind.REPAYMENT, TransactionKind.FEE, TransactionKind.PENALTY)


class PrepaymentChoice(models.TextChoices):
    SHORTEN_TERM = "shorten_term", "Shorten the term (same instalment)"
    LOWER_INSTALMENT = "lower_instalment", "Lower the instalment (same term)"


class TransactionChannel(models.TextChoices):
    COUNTER = "counter", "At the counter (admin)"
    API = "api", "Customer channel (API)"
    AUTO_DEBIT = "auto_debit", "Automatic debit (end of day)"
    SYSTEM = "system", "System"


class LoanTransaction(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    channel = models.CharField(max_length=10, choices=TransactionChannel.choices, default=TransactionChannel.SYSTEM)
    value_date = models.DateField(help_text="The business date the money counts from.")
    booked_on = models.DateField(help_text="The business date it was recorded.")
    amount = models.DecimalField(**AMOUNT_FIELD)
    principal_portion = models.DecimalField(**AMOUNT_FIELD, default=0)
    interest_portion = models.DecimalField(**AMOUNT_FIELD, default=0)
    fee_portion = models.DecimalField(**AMOUNT_FIELD, default=0)
    penalty_portion = models.DecimalField(**AMOUNT_FIELD, default=0)
    prepayment = models.CharField(max_length=16, choices=PrepaymentChoice.choices, blank=True)
    # A charge lands on one instalment.
    instalment = models.ForeignKey(LoanInstalment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    # The entry that carries it now; a replay reverses it and posts the next (``postings`` counts them).
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    postings = models.PositiveSmallIntegerField(default=1, help_text="How many entries it has had (replays).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["loan", "value_date", "id"]
        indexes = [models.Index(fields=["loan", "value_date"])]
        constraints = [
            models.UniqueConstraint(fields=["loan", "idempotency_key"], name="loan_transaction_idempotent"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_transaction_amount_positive"),
            models.CheckConstraint(
                condition=Q(principal_portion__gte=0) & Q(interest_portion__gte=0) & Q(fee_portion__gte=0)
                & Q(penalty_portion__gte=0),
                name="loan_transaction_portions_not_negative"),
            # Less half a storage unit: SQLite adds the four portions as floats (105.21 came out a hair above
            # 96.01 + 9.20); a real excess is at least a whole unit (0.0001), caught on both databases alike.
            models.CheckConstraint(
                condition=Q(amount__gte=ExpressionWrapper(
                    F("principal_portion") + F("interest_portion") + F("fee_portion") + F("penalty_portion")
                    - Value(HALF_STORAGE_UNIT), output_field=models.DecimalField(**AMOUNT_FIELD))),
                name="loan_transaction_portions_within_amount"),
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="loan_transaction_kind_valid"),
            models.CheckConstraint(condition=Q(value_date__lte=F("booked_on")),
                                   name="loan_transaction_not_future_dated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on loan {self.loan_id} ({self.value_date})"


class LoanAccrual(models.Model):
    """One day's interest accrued on one instalment (written set-based by the end-of-day accrual)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="accruals")
    instalment = models.ForeignKey(LoanInstalment, on_delete=models.PROTECT, related_name="accruals")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField()
    amount = models.DecimalField(**AMOUNT_FIELD)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instalment", "business_date"], name="loan_accrual_once_a_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_accrual_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} accrued on instalment {self.instalment_id} on {self.business_date}"


class LoanEodRun(models.Model):
    """A loans end-of-day step done for a business date: a second run of that date finds it and does nothing."""

    step = models.CharField(max_length=40)
    business_date = models.DateField()
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "business_date"], name="loan_eod_run_once")]

    def __str__(self) -> str:
        return f"{self.step} {self.business_date}"
