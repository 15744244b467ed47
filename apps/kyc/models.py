"""KYC evidence: documents, automated checks, manual reviews, and sanctions/PEP screening."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from apps.customers.models import Customer, validate_country
from apps.kyc.rules import DocumentType


def document_upload_path(document: KycDocument, filename: str) -> str:
    # The client's file name is never used on disk: it may hold personal data or path tricks.
    return f"kyc/{document.customer_id}/{uuid.uuid4().hex}.{document.EXTENSIONS[document.content_type]}"


class KycDocument(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"

    EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    CONTENT_TYPES = [(content_type, content_type) for content_type in EXTENSIONS]

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="kyc_documents")
    document_type = models.CharField(max_length=32, choices=DocumentType.choices)
    number = models.CharField(max_length=64, blank=True, help_text="Shown masked: only its last four characters.")
    issuing_country = models.CharField(max_length=2, validators=[validate_country])
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    file = models.FileField(upload_to=document_upload_path, max_length=200)
    content_type = models.CharField(max_length=32, choices=CONTENT_TYPES,
                                    help_text="Sniffed from the file's first bytes, not taken from the client.")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "document_type", "-uploaded_at"]
        verbose_name = "KYC document"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="kyc_document_not_empty"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(issue_date__isnull=True) | Q(expiry_date__gt=F("issue_date")),
                name="kyc_document_expires_after_issue",
            ),
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                                   name="kyc_document_allowed_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} of customer #{self.customer_id}"

    @property
    def number_masked(self) -> str:
        return f"•••• {self.number[-4:]}" if self.number else ""


class KycCheck(models.Model):
    """One run of the automated KYC check: what it looked at, the score, the decision. Never edited."""

    class Decision(models.TextChoices):
        VERIFIED = "verified", "Verified"
        IN_PROGRESS = "in_progress", "Manual review"
        REJECTED = "rejected", "Rejected"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="kyc_checks")
    inputs = models.JSONField(help_text="The facts the check saw (documents, hits, country) and the weights used.")
    factors = models.JSONField(default=list, help_text="The risk factors found, each with its weight.")
    score = models.DecimalField(max_digits=4, decimal_places=3)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    business_date = models.DateField()
    performed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = "KYC check"
        constraints = [models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="kyc_check_score_0_1")]

    def __str__(self) -> str:
        return f"KYC check #{self.pk}: {self.score} -> {self.decision}"


class KycReview(models.Model):
    """A compliance officer's decision on a customer in manual review (maker-checker: never the onboarder)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="kyc_reviews")
    check_reviewed = models.ForeignKey(KycCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", help_text="Who onboarded the customer (empty from channels).")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField()
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = "KYC review"
        permissions = [("review_kyc", "Can decide KYC manual reviews")]
        constraints = [
            models.CheckConstraint(condition=Q(maker__isnull=True) | ~Q(reviewer=F("maker")),
                                   name="kyc_reviewer_is_not_maker"),
            models.CheckConstraint(condition=~Q(reason=""), name="kyc_review_has_reason"),
        ]

    def __str__(self) -> str:
        return f"KYC review #{self.pk} of customer #{self.customer_id}: {self.decision}"


class ScreeningListImport(models.Model):
    """One import of a sanctions/PEP list file; re-screening all customers follows it.

    The file replaces in full each list it names: an entry of such a list missing from the file is delisted.
    """

    file_name = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="Empty when the system imported it (the command).")
    imported_at = models.DateTimeField(auto_now_add=True)
    list_names = models.JSONField(default=list, blank=True, help_text="The lists the file replaced.")
    entries_created = models.PositiveIntegerField(default=0)
    entries_updated = models.PositiveIntegerField(default=0, help_text="Entries whose details changed.")
    entries_delisted = models.PositiveIntegerField(default=0)
    entries_relisted = models.PositiveIntegerField(default=0, help_text="Delisted entries back on their list.")
    hits_closed = models.PositiveIntegerField(default=0, help_text="Open hits closed: their entry was delisted.")
    hits_to_review = models.PositiveIntegerField(
        default=0, help_text="Confirmed matches whose entry was delisted, flagged for a compliance officer.")
    customers_to_screen = models.PositiveIntegerField(default=0)
    customers_screened = models.PositiveIntegerField(default=0)
    hits_created = models.PositiveIntegerField(default=0)
    # Set only when the import delisted more of a list than the limit allows (a possible partial file), because
    # someone said so: who (empty for the command, the system) and why.
    mass_delisting_allowed = models.BooleanField(
        default=False, help_text="It delisted more of a list than an import may without an explicit permission.")
    mass_delisting_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Who allowed the mass delisting; empty when the command (the system) did.")
    mass_delisting_reason = models.TextField(blank=True, help_text="Why the mass delisting was allowed.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mass_delisting_allowed=False, mass_delisting_allowed_by__isnull=True,
                            mass_delisting_reason="")
                | (Q(mass_delisting_allowed=True) & ~Q(mass_delisting_reason="")),
                name="screening_import_mass_delisting_explained"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class ScreeningEntry(models.Model):
    """A person or organization on a sanctions or PEP list, with its names already normalized."""

    class Category(models.TextChoices):
        SANCTIONS = "sanctions", "Sanctions"
        PEP = "pep", "Politically exposed person"

    list_name = models.CharField(max_length=100)
    source_id = models.CharField(max_length=100)
    category = models.CharField(max_length=16, choices=Category.choices)
    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    normalized_names = models.JSONField(default=list, help_text="Name and aliases normalized (sorted tokens).")
    imported_by = models.ForeignKey(ScreeningListImport, on_delete=models.PROTECT, related_name="entries",
                                    help_text="The import that created the entry or last changed it.")
    # Delisted entries are kept, never deleted: hits and their history refer to them. Screening ignores them.
    delisted_on_import = models.ForeignKey(ScreeningListImport, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="entries_delisted_by",
                                           help_text="The import whose file of this list no longer held the entry.")
    delisted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["list_name", "source_id"]
        verbose_name_plural = "screening entries"
        constraints = [
            models.UniqueConstraint(fields=["list_name", "source_id"], name="screening_entry_unique"),
            models.CheckConstraint(
                condition=Q(delisted_on_import__isnull=True, delisted_at__isnull=True)
                | Q(delisted_on_import__isnull=False, delisted_at__isnull=False),
                name="screening_entry_delisted_by_an_import",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.list_name} {self.source_id})"

    @property
    def is_listed(self) -> bool:
        return self.delisted_at is None


class ScreeningToken(models.Model):
    """The inverted index: each blocking key of an entry's names points to the entry.

    A customer is compared only with entries sharing at least one key, not with the whole list.
    """

    key = models.CharField(max_length=64)
    entry = models.ForeignKey(ScreeningEntry, on_delete=models.CASCADE, related_name="tokens")

    class Meta:
        indexes = [models.Index(fields=["key"])]
        constraints = [models.UniqueConstraint(fields=["key", "entry"], name="screening_token_unique")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.entry_id}"


class ScreeningHit(models.Model):
    """A possible match between a customer and a list entry, for a compliance officer to confirm or dismiss.

    When the entry leaves its list, an open hit is closed by the import (status delisted; ``decided_*`` say which
    import, when and why) and a confirmed one keeps its status but waits for a compliance officer's
    ``delisting_review``: keep the confirmation, or release it (status delisted; ``decided_*`` still say who
    confirmed it).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed (false positive)"
        DELISTED = "delisted", "Closed: entry delisted"

    class DelistingReview(models.TextChoices):
        NOT_NEEDED = "", "Not needed"
        PENDING = "pending", "Pending: confirmed, entry delisted"
        KEPT = "kept", "Kept: confirmation stands"
        RELEASED = "released", "Released: match closed"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="screening_hits")
    entry = models.ForeignKey(ScreeningEntry, on_delete=models.PROTECT, related_name="hits")
    score = models.DecimalField(max_digits=5, decimal_places=2, help_text="0-100 after tie-breakers.")
    name_score = models.DecimalField(max_digits=5, decimal_places=2)
    matched_name = models.CharField(max_length=300)
    details = models.JSONField(default=dict, help_text="How the score was made (tie-breakers).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delisted_on_import = models.ForeignKey(
        ScreeningListImport, on_delete=models.PROTECT, null=True, blank=True, related_name="hits_delisted",
        help_text="The import that removed the entry from its list while this hit was open or confirmed.")
    delisting_review = models.CharField(max_length=16, choices=DelistingReview.choices, default="", blank=True,
                                        db_index=True)
    delisting_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="+")
    delisting_reviewed_at = models.DateTimeField(null=True, blank=True)
    delisting_review_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("decide_screeninghit", "Can confirm or dismiss screening hits")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "entry"], name="screening_hit_once_per_entry"),
            models.CheckConstraint(
                condition=Q(status="open", decided_by__isnull=True, decided_at__isnull=True)
                | Q(status__in=["confirmed", "dismissed"], decided_by__isnull=False, decided_at__isnull=False)
                & ~Q(decision_reason="")
                # closed by an import: decided_by is the importing user, empty for the system
                | Q(status="delisted", decided_at__isnull=False, delisted_on_import__isnull=False)
                & ~Q(decision_reason=""),
                name="screening_hit_decision_complete",
            ),
            models.CheckConstraint(
                condition=Q(delisting_review="", delisting_reviewed_by__isnull=True,
                            delisting_reviewed_at__isnull=True, delisting_review_reason="")
                | Q(delisting_review="pending", status="confirmed", delisted_on_import__isnull=False,
                    delisting_reviewed_by__isnull=True, delisting_reviewed_at__isnull=True)
                | Q(delisting_review="kept", status="confirmed", delisted_on_import__isnull=False,
                    delisting_reviewed_by__isnull=False, delisting_reviewed_at__isnull=False)
                & ~Q(delisting_review_reason="")
                | Q(delisting_review="released", status="delisted", delisting_reviewed_by__isnull=False,
                    delisting_reviewed_at__isnull=False) & ~Q(delisting_review_reason=""),
                name="screening_hit_delisting_review_complete",
            ),
            models.CheckConstraint(
                condition=Q(delisted_on_import__isnull=True) | Q(status="delisted") | ~Q(delisting_review=""),
                name="screening_hit_delisted_import_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} ~ {self.entry} ({self.score})"
