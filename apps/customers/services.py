"""Writes about customers: onboarding, updates, the premium upgrade."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.customers.errors import AlreadyPremium, DuplicateCustomerEmail, InvalidCustomerData, NotPremiumEligible
from apps.customers.models import Customer
from apps.domain_errors import PermissionRefused
from apps.organization.branch_scope import grant_branch_access, is_bank_wide
from apps.organization.models import Branch
from apps.organization.selectors import current_business_date
from apps.outbox.services import publish_event

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


@transaction.atomic
def onboard_customer(*, actor: Any, customer_type: str, legal_name: str, email: str, phone: str, country: str,
                     branch: Branch, date_of_birth: datetime.date | None = None, national_id_last4: str = "",
                     business_registration_number: str = "", tax_id: str = "", address: str = "",
                     user: Any = None, channel: str = "branch") -> Customer:
    """Create a customer with KYC pending, give its branch access, screen it, and start the KYC check on commit.

    A second application with an email already used (in any letter case) is refused. ``actor`` is the staff
    member onboarding, or None / the applicant's own login for channel applications (then there is no maker
    for the KYC review's maker-checker rule).
    """
    email = email.strip()
    _refuse_duplicate_email(email)
    staff_actor = actor if actor is not None and getattr(actor, "is_staff", False) else None
    if staff_actor is not None and not is_bank_wide(staff_actor) and staff_actor.home_branch_id != branch.pk:
        raise PermissionRefused(f"You onboard customers for your own branch, not {branch.code}.")
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
def update_customer(*, customer: Customer, actor: Any, **changes: Any) -> Customer:
    """Change a customer's details. A new name or country is screened again; a new email must be unused."""
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
def upgrade_to_premium(*, customer: Customer, relationship_manager: Any, actor: Any,
                       since: datetime.date | None = None) -> Customer:
    """Make a customer premium with a relationship manager (an active staff member); refused if already premium.

    Premium customers need income verification too, so a verified customer's KYC is checked again.
    """
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
