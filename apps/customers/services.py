"""Writes about customers: onboarding, updates, the premium upgrade."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.customers.errors import (
    AlreadyPremium,
    DuplicateCustomerEmail,
    InvalidCustomerData,
    NotAllowedToChangeCustomer,
    NotAllowedToOnboard,
    NotAllowedToUpgrade,
    NotPremiumEligible,
)
from apps.customers.models import Customer
from apps.organization.branch_scope import can_access, grant_branch_access, is_bank_wide
from apps.organization.models import Branch, User
from apps.organization.selectors import current_business_date
from apps.outbox.services import publish_event

ONBOARD_PERMISSION = "customers.add_customer"
UPGRADE_PERMISSION = "customers.upgrade_customer"
CHANGE_PERMISSION = "customers.change_customer"

# Fields staff may change after onboarding; KYC outcome, branch and premium tier have their own services.
EDITABLE_FIELDS = ("legal_name", "email", "phone", "date_of_birth", "national_id_last4",
                   "business_registration_number", "tax_id", "address", "country", "status")


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _refuse_duplicate_email(email: str, *, exclude_pk: int | None = None) -> None:
    others = Customer.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DuplicateCustomerEmail(f"A customer with the email {email} already exists.")


def _save_checked(customer: Customer) -> None:
    try:
        customer.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidCustomerData(_validation_message(error)) from None
    try:
        with transaction.atomic():  # a savepoint: a lost race on the email is a domain error, not a 500
            customer.save()
    except IntegrityError as error:
        if "customer_email_unique_ci" in str(error):
            raise DuplicateCustomerEmail(f"A customer with the email {customer.email} already exists.") from None
        raise


def customer_event_payload(customer: Customer) -> dict[str, Any]:
    return {"customer_id": customer.pk, "branch_id": customer.branch_id, "branch_code": customer.branch.code,
            "customer_type": customer.customer_type, "kyc_status": customer.kyc_status,
            "is_premium": customer.is_premium}


def ensure_may_onboard(actor: User | None, *, branch: Branch, user: User | None) -> None:
    """Who may onboard: staff whose role onboards (``customers.add_customer``), for their own branch (any for
    bank-wide roles); or, on the channels, the applicant (no login, or their own login being linked)."""
    if actor is None:
        return
    if not actor.is_staff:
        if user is None or actor.pk != user.pk:
            raise NotAllowedToOnboard("A channel login applies for itself only.")
        return
    if not actor.is_active or not actor.has_perm(ONBOARD_PERMISSION):
        raise NotAllowedToOnboard("Your role may not onboard customers.")
    if not is_bank_wide(actor) and actor.home_branch_id != branch.pk:
        raise NotAllowedToOnboard(f"You onboard customers for your own branch, not {branch.code}.")


@transaction.atomic
def onboard_customer(*, actor: User | None, customer_type: str, legal_name: str, email: str, phone: str, country: str,
                     branch: Branch, date_of_birth: datetime.date | None = None, national_id_last4: str = "",
                     business_registration_number: str = "", tax_id: str = "", address: str = "",
                     user: User | None = None, channel: str = "branch") -> Customer:
    """Create a customer with KYC pending, give its branch access, screen it, and start the KYC check on commit.

    A second application with an email already used (in any letter case) is refused. ``actor`` is the staff
    member onboarding, or None / the applicant's own login for channel applications (then there is no maker
    for the KYC review's maker-checker rule). Who may onboard: ``ensure_may_onboard``.
    """
    ensure_may_onboard(actor, branch=branch, user=user)
    email = email.strip()
    _refuse_duplicate_email(email)
    staff_actor = actor if actor is not None and actor.is_staff else None
    customer = Customer(
        customer_type=customer_type, legal_name=legal_name.strip(), email=email, phone=phone.strip(),
        country=country.strip().upper(), branch=branch, date_of_birth=date_of_birth,
        national_id_last4=national_id_last4, business_registration_number=business_registration_number.strip(),
        tax_id=tax_id.strip(), address=address, user=user, created_by=staff_actor,
        status=Customer.Status.PROSPECT, kyc_status=Customer.KycStatus.PENDING,
    )
    customer._history_user = actor
    _save_checked(customer)
    grant_branch_access(objects=[customer], branch=branch)

    from apps.kyc.services import screen_customer, start_kyc_check

    screen_customer(customer=customer)
    publish_event("customer.onboarded", {**customer_event_payload(customer), "channel": channel},
                  aggregate=customer)
    start_kyc_check(customer=customer)
    return customer


@transaction.atomic
def update_customer(*, customer: Customer, actor: User, **changes: Any) -> Customer:
    """Change a customer's details: staff whose role may (``customers.change_customer``), for a customer they may
    change. A new name or country is screened again; a new email must be unused."""
    if not actor.is_active or not actor.is_staff or not actor.has_perm(CHANGE_PERMISSION) \
            or not can_access(actor, customer, "change"):
        raise NotAllowedToChangeCustomer("Your role may not change this customer.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidCustomerData(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if "email" in changes and changes["email"].lower() != customer.email.lower():
        _refuse_duplicate_email(changes["email"], exclude_pk=customer.pk)
    rescreen = any(field in changes and changes[field] != getattr(customer, field)
                   for field in ("legal_name", "date_of_birth", "country"))
    for field, value in changes.items():
        setattr(customer, field, value)
    customer._history_user = actor
    _save_checked(customer)
    if rescreen:
        from apps.kyc.services import screen_customer

        screen_customer(customer=customer)
    return customer


@transaction.atomic
def upgrade_to_premium(*, customer: Customer, relationship_manager: User | None, actor: User,
                       since: datetime.date | None = None) -> Customer:
    """Make a customer premium with a relationship manager (an active staff member); refused if already premium.

    Upgraded by staff whose role may (``customers.upgrade_customer``), for a customer they may change (their
    branch's). Premium customers need income verification too, so a verified customer's KYC is checked again.
    """
    if not actor.is_active or not actor.is_staff or not actor.has_perm(UPGRADE_PERMISSION):
        raise NotAllowedToUpgrade("Your role may not upgrade customers.")
    if not can_access(actor, customer, "change"):
        raise NotAllowedToUpgrade(f"{customer.legal_name} is a customer of another branch.")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_premium:
        raise AlreadyPremium(f"{customer.legal_name} is already premium (since {customer.premium_since}).")
    if customer.customer_type != Customer.Type.INDIVIDUAL:
        raise NotPremiumEligible("The premium tier is for individual customers.")
    if customer.status in (Customer.Status.BLOCKED, Customer.Status.CLOSED):
        raise NotPremiumEligible(f"A {customer.status} customer cannot be upgraded.")
    if relationship_manager is None or not relationship_manager.is_staff or not relationship_manager.is_active:
        raise NotPremiumEligible("The relationship manager must be an active staff member.")
    customer.is_premium = True
    customer.relationship_manager = relationship_manager
    customer.premium_since = since or current_business_date()
    customer._history_user = actor
    customer.save(update_fields=["is_premium", "relationship_manager", "premium_since"])
    publish_event("customer.upgraded", {**customer_event_payload(customer),
                                        "relationship_manager_id": relationship_manager.pk,
                                        "premium_since": customer.premium_since.isoformat()}, aggregate=customer)
    from apps.kyc.services import start_kyc_check

    start_kyc_check(customer=customer)
    return customer
