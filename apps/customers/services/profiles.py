"""Writes about a customer's profile: onboarding, updates, the premium upgrade, blocking and unblocking."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.customers import kyc_hooks
from apps.customers.errors import (
    AlreadyPremium,
    CustomerFieldNotEditable,
    CustomerStatusRefused,
    DuplicateCustomerEmail,
    InvalidCustomerData,
    NotAllowedToBlockCustomer,
    NotAllowedToChangeCustomer,
    NotAllowedToOnboard,
    NotAllowedToUpgrade,
    NotPremiumEligible,
)
from apps.customers.events import customer_event_payload
from apps.customers.models import Customer
from apps.organization.branch_scope import can_access, grant_branch_access, is_bank_wide
from apps.organization.models import Branch, User
from apps.organization.selectors import current_business_date
from apps.outbox.services import publish_event

ONBOARD_PERMISSION = "customers.add_customer"
UPGRADE_PERMISSION = "customers.upgrade_customer"
CHANGE_PERMISSION = "customers.change_customer"
BLOCK_PERMISSION = "customers.block_customer"
UNBLOCK_PERMISSION = "customers.unblock_customer"

# Fields staff may change after onboarding. The KYC outcome, branch, premium tier and status have their own
# services: KYC verification activates a prospect, block_customer / unblock_customer block and unblock.
EDITABLE_FIELDS = ("legal_name", "email", "phone", "date_of_birth", "national_id_last4",
                   "business_registration_number", "tax_id", "address", "country")
# Where a field update_customer refuses is changed instead (said in the refusal).
OWNING_SERVICES = {"status": "block_customer / unblock_customer (the admin's Block and Unblock actions)",
                   "kyc_status": "the KYC check and review", "is_premium": "upgrade_to_premium"}


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
    kyc_hooks.screen(customer)
    publish_event("customer.onboarded", {**customer_event_payload(customer), "channel": channel},
                  aggregate=customer)
    kyc_hooks.start_kyc_check(customer)
    return customer


def refuse_fields_not_editable(fields: Any) -> None:
    """Refuse (``customer_field_not_editable``) any field that ``update_customer`` does not change."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        owners = "; ".join(f"{field} by {OWNING_SERVICES[field]}" for field in unknown if field in OWNING_SERVICES)
        raise CustomerFieldNotEditable(f"These fields cannot be changed here: {', '.join(unknown)}."
                                       + (f" They are changed {owners}." if owners else ""),
                                       fields=", ".join(unknown))


@transaction.atomic
def update_customer(*, customer: Customer, actor: User, **changes: Any) -> Customer:
    """Change a customer's details: staff whose role may (``customers.change_customer``), for a customer they may
    change. A new name or country is screened again; a new email must be unused."""
    if not actor.is_active or not actor.is_staff or not actor.has_perm(CHANGE_PERMISSION) \
            or not can_access(actor, customer, "change"):
        raise NotAllowedToChangeCustomer("Your role may not change this customer.")
    refuse_fields_not_editable(changes)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {field: value for field, value in changes.items() if getattr(customer, field) != value}
    if not changes:
        return customer  # nothing to write: no save, no history row
    if "email" in changes and changes["email"].lower() != customer.email.lower():
        _refuse_duplicate_email(changes["email"], exclude_pk=customer.pk)
    rescreen = any(field in changes and changes[field] != getattr(customer, field)
                   for field in ("legal_name", "date_of_birth", "country"))
    for field, value in changes.items():
        setattr(customer, field, value)
    customer._history_user = actor
    _save_checked(customer)
    if rescreen:
        kyc_hooks.screen(customer)
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
    kyc_hooks.start_kyc_check(customer)
    return customer


def _ensure_may_block(actor: User, customer: Customer, *, permission: str, verb: str) -> None:
    if not actor.is_active or not actor.is_staff or not actor.has_perm(permission):
        raise NotAllowedToBlockCustomer(f"Your role may not {verb} customers.")
    if not can_access(actor, customer, "change"):  # bank-wide roles: every branch; others: their branch's
        raise NotAllowedToBlockCustomer(f"{customer.legal_name} is a customer of another branch.")


def _required_reason(reason: str, verb: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidCustomerData(f"Say why the customer is {verb}.", code="reason_required")
    return reason


def _save_status(customer: Customer, *, actor: User, reason: str) -> None:
    customer._history_user = actor
    customer._change_reason = reason[:100]  # simple-history's change reason column holds 100 characters
    customer.save(update_fields=["status", "status_before_block"])


@transaction.atomic
def block_customer(*, customer: Customer, reason: str, actor: User) -> Customer:
    """Block an active customer or a prospect, with the reason in the history row.

    Blocked by staff whose role may (``customers.block_customer``: compliance officers, bank-wide, and branch
    managers, for their own branch's customers). The status it had is kept for ``unblock_customer``.
    """
    _ensure_may_block(actor, customer, permission=BLOCK_PERMISSION, verb="block")
    reason = _required_reason(reason, "blocked")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status not in (Customer.Status.ACTIVE, Customer.Status.PROSPECT):
        raise CustomerStatusRefused(f"{customer.legal_name} is {customer.status}: only an active customer or a "
                                    "prospect can be blocked.", code=f"customer_{customer.status}")
    customer.status_before_block, customer.status = customer.status, Customer.Status.BLOCKED
    _save_status(customer, actor=actor, reason=reason)
    publish_event("customer.blocked", {**customer_event_payload(customer), "status": customer.status,
                                        "reason": reason}, aggregate=customer)
    return customer


@transaction.atomic
def unblock_customer(*, customer: Customer, reason: str, actor: User) -> Customer:
    """Unblock a blocked customer, with the reason in the history row: compliance only
    (``customers.unblock_customer``), since compliance is who blocks for sanctions and fraud.

    The customer returns to the status it had when blocked; a prospect whose KYC was verified meanwhile
    returns active (verification activates prospects, and it did not while the customer was blocked).
    """
    _ensure_may_block(actor, customer, permission=UNBLOCK_PERMISSION, verb="unblock")
    reason = _required_reason(reason, "unblocked")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status != Customer.Status.BLOCKED:
        raise CustomerStatusRefused(f"{customer.legal_name} is {customer.status}, not blocked.",
                                    code=f"customer_{customer.status}")
    restored = customer.status_before_block or Customer.Status.PROSPECT
    if restored == Customer.Status.PROSPECT and customer.kyc_status == Customer.KycStatus.VERIFIED:
        restored = Customer.Status.ACTIVE
    customer.status, customer.status_before_block = restored, ""
    _save_status(customer, actor=actor, reason=reason)
    publish_event("customer.unblocked", {**customer_event_payload(customer), "status": customer.status,
                                        "reason": reason},
                  aggregate=customer)
    return customer
