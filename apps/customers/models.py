"""The bank's customers: individuals and businesses, their home branch, risk rating and KYC status.

The KYC evidence (documents, checks, screening hits, reviews) lives in apps.kyc; the customer row carries the
outcome (``kyc_status``, ``kyc_review_due``) so that "may this customer open an account?" is one row read
(apps.kyc.selectors.ensure_kyc_verified).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.customers.countries import is_country_code

E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
LAST4_PATTERN = r"^[0-9A-Za-z]{4}$"

validate_e164 = RegexValidator(E164_PATTERN, "Give the phone number in E.164 form, e.g. +351912345678.")
validate_last4 = RegexValidator(LAST4_PATTERN, "Give only the last four characters of the national id.")


def validate_country(value: str) -> None:
    if not is_country_code(value):
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code.")


def mask_last4(last4: str) -> str:
    """How the last four of a national id are shown anywhere: never more than these four."""
    return f"•••• {last4}" if last4 else ""


class Customer(models.Model):
    class Type(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        BUSINESS = "business", "Business"

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        ACTIVE = "active", "Active"
        BLOCKED = "blocked", "Blocked"
        CLOSED = "closed", "Closed"

    class RiskRating(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class KycStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress (manual review)"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"

    customer_type = models.CharField(max_length=16, choices=Type.choices)
    legal_name = models.CharField(max_length=200, help_text="Full legal name of the person or the company.")
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=16, validators=[validate_e164], help_text="E.164, e.g. +351912345678.")
    date_of_birth = models.DateField(null=True, blank=True, help_text="Individuals only.")
    national_id_last4 = models.CharField(
        max_length=4, blank=True, validators=[validate_last4],
        help_text="Only the last four characters of the national id / SSN; the full number is never stored.",
    )
    business_registration_number = models.CharField(max_length=64, blank=True, help_text="Businesses only.")
    tax_id = models.CharField(max_length=64, blank=True)
    address = models.TextField(blank=True)
    country = models.CharField(max_length=2, validators=[validate_country], help_text="ISO 3166-1 alpha-2.")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="customers",
                               help_text="Home branch: its staff see and serve this customer.")
    # Changed only by services: KYC verification activates a prospect (apps.kyc.services.checks), block_customer
    # and unblock_customer (apps.customers.services) block and unblock; no form or serializer writes it.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROSPECT, db_index=True)
    status_before_block = models.CharField(
        max_length=16, blank=True, choices=[(Status.PROSPECT.value, Status.PROSPECT.label),
                                            (Status.ACTIVE.value, Status.ACTIVE.label)],
        help_text="While blocked: the status unblocking returns to (set by block_customer).")
    risk_rating = models.CharField(max_length=8, choices=RiskRating.choices, default=RiskRating.LOW)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING,
                                  db_index=True)
    kyc_review_due = models.DateField(null=True, blank=True,
                                      help_text="When verified KYC must be reviewed again (set by risk rating).")
    kyc_expired_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When KYC last expired: only evidence newer than this (a document, a compliance review) verifies "
                  "it again.")
    is_premium = models.BooleanField(default=False)
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="premium_customers"
    )
    premium_since = models.DateField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="customer",
        help_text="The channel (web/mobile) login of this customer, if any.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Staff member who onboarded; empty from channels.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        permissions = [("upgrade_customer", "Can upgrade a customer to premium"),
                       ("block_customer", "Can block a customer"),
                       ("unblock_customer", "Can unblock a customer"),
                       ("enrol_customer", "Can enrol a customer for the channels and reset their password")]
        indexes = [models.Index(fields=["branch", "kyc_status"]), models.Index(fields=["legal_name"])]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="customer_email_unique_ci"),
            models.CheckConstraint(condition=~Q(legal_name=""), name="customer_legal_name_not_blank"),
            models.CheckConstraint(condition=Q(phone__regex=E164_PATTERN), name="customer_phone_e164"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="customer_country_alpha2"),
            models.CheckConstraint(condition=Q(national_id_last4="") | Q(national_id_last4__regex=LAST4_PATTERN),
                                   name="customer_national_id_last4_only"),
            models.CheckConstraint(
                condition=Q(customer_type="individual", date_of_birth__isnull=False, business_registration_number="")
                | Q(customer_type="business", date_of_birth__isnull=True) & ~Q(business_registration_number=""),
                name="customer_type_fields",
            ),
            models.CheckConstraint(
                condition=Q(is_premium=False, relationship_manager__isnull=True, premium_since__isnull=True)
                | Q(is_premium=True, relationship_manager__isnull=False, premium_since__isnull=False),
                name="customer_premium_has_manager",
            ),
            models.CheckConstraint(condition=~Q(kyc_status="verified") | Q(kyc_review_due__isnull=False),
                                   name="customer_verified_has_review_date"),
            models.CheckConstraint(condition=~Q(kyc_status="expired") | Q(kyc_expired_at__isnull=False),
                                   name="customer_expired_kyc_has_expiry_time"),
            models.CheckConstraint(
                condition=Q(status="blocked", status_before_block__in=["prospect", "active"])
                | ~Q(status="blocked") & Q(status_before_block=""),
                name="customer_blocked_remembers_status_before_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} (#{self.pk})"

    @property
    def national_id_masked(self) -> str:
        return mask_last4(self.national_id_last4)

    def clean(self) -> None:
        errors = {}
        if self.customer_type == self.Type.INDIVIDUAL:
            if self.date_of_birth is None:
                errors["date_of_birth"] = "An individual needs a date of birth."
            if self.business_registration_number:
                errors["business_registration_number"] = "Only businesses have a registration number."
        elif self.customer_type == self.Type.BUSINESS:
            if self.date_of_birth is not None:
                errors["date_of_birth"] = "A business has no date of birth."
            if not self.business_registration_number:
                errors["business_registration_number"] = "A business needs its registration number."
        if errors:
            raise ValidationError(errors)


class ChannelCode(models.Model):
    """A one-time code with which a customer sets their channel password: the enrolment code staff hand over when
    they enrol the customer, or a password reset code (from staff, or asked for over the API).

    Only the code's SHA-256 digest is kept (like the API tokens' digests): the code itself is shown once, to the
    staff member or in the customer's message, and is never stored. A code works once (``redeemed_at``), until
    ``expires_at``, and stops working when a newer code of the customer is issued or channel access is revoked
    (``voided_at``). Written only by apps.customers.services.channels."""

    class Purpose(models.TextChoices):
        ENROLMENT = "enrolment", "Enrolment"
        PASSWORD_RESET = "password_reset", "Password reset"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="channel_codes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             help_text="The channel login whose password the code sets.")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the code; the code is not kept.")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", help_text="Staff member; empty when the customer asked.")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True,
                                     help_text="A newer code was issued, or channel access was revoked.")
    history = HistoricalRecords(excluded_fields=["digest"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = "channel code"
        indexes = [models.Index(fields=["customer", "issued_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("issued_at")),
                                   name="channel_code_expires_after_issue"),
            models.CheckConstraint(condition=Q(redeemed_at__isnull=True) | Q(voided_at__isnull=True),
                                   name="channel_code_redeemed_or_voided_not_both"),
            models.CheckConstraint(condition=Q(purpose__in=["enrolment", "password_reset"]),
                                   name="channel_code_purpose_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} code of customer #{self.customer_id}"

    def state_at(self, moment) -> str:
        if self.redeemed_at is not None:
            return "used"
        if self.voided_at is not None:
            return "void"
        return "expired" if moment >= self.expires_at else "live"


class CustomerUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE)


class CustomerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE)
