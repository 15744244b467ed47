"""Beneficiaries (saved payees) and the cooling-off period before large payments to a new one."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.account_numbers import normalize
from apps.customers.models import Customer
from apps.domain_errors import PermissionRefused
from apps.ledger.thresholds import is_above
from apps.money import Money
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.payments.errors import BeneficiaryCoolingOff, BeneficiaryRefused, UnknownBeneficiary
from apps.payments.models import Beneficiary
from apps.payments.thresholds import cooling_off_amount

IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
STAFF_PERMISSION = "payments.add_beneficiary"  # branch staff keep a customer's list at the counter


def ensure_may_keep_beneficiaries(actor: User, owner: Customer) -> None:
    """The customer keeps their own list (through the channels); branch staff keep it for the customers of their
    branch at the counter (``payments.add_beneficiary``: tellers and branch managers). Nobody else."""
    if not actor.is_active:
        raise PermissionRefused("Inactive users keep no beneficiaries.")
    if not actor.is_staff:
        if owner.user_id != actor.pk:
            raise PermissionRefused("A customer keeps only their own beneficiaries.")
        return
    if not actor.has_perm(STAFF_PERMISSION) or not can_access(actor, owner, "change"):
        raise PermissionRefused(f"Your role may not keep the beneficiaries of {owner.legal_name} (another branch's "
                                "customer, or a role that keeps no customer's payees).")


def is_valid_iban(identifier: str) -> bool:
    """ISO 13616 shape and mod-97 check digits (this bank's account numbers are IBANs too)."""
    if not IBAN_PATTERN.match(identifier):
        return False
    rearranged = identifier[4:] + identifier[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


@transaction.atomic
def add_beneficiary(*, owner: Customer, name: str, account_identifier: str, actor: User, country: str = "",
                    bank_name: str = "") -> Beneficiary:
    """Save a payee for ``owner``. The account is an account number of this bank or another bank's IBAN (its
    check digits are verified); the country defaults to the IBAN's. One active beneficiary per account.
    ``actor`` is the customer or their branch's staff (``ensure_may_keep_beneficiaries``)."""
    ensure_may_keep_beneficiaries(actor, owner)
    identifier = normalize(account_identifier)
    if not is_valid_iban(identifier):
        raise BeneficiaryRefused(f"{account_identifier!r} is not a valid account number or IBAN.",
                                 code="invalid_account_number")
    if not name.strip():
        raise BeneficiaryRefused("Give the beneficiary's name.", code="name_required")
    country = (country or identifier[:2]).upper()
    if len(country) != 2 or not country.isalpha():
        raise BeneficiaryRefused(f"{country!r} is not an ISO 3166-1 alpha-2 country code.", code="invalid_country")
    beneficiary = Beneficiary(owner=owner, name=name.strip(), account_identifier=identifier, country=country,
                              bank_name=bank_name.strip(), created_by=actor)
    beneficiary._history_user = actor
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError:
        raise BeneficiaryRefused(f"{identifier} is already a saved beneficiary.",
                                 code="beneficiary_already_saved") from None
    return beneficiary


@transaction.atomic
def remove_beneficiary(*, beneficiary: Beneficiary, actor: User) -> Beneficiary:
    """Remove a payee from the customer's list. The row stays for the payments and decisions that name it."""
    beneficiary = Beneficiary.objects.select_for_update().select_related("owner").get(pk=beneficiary.pk)
    ensure_may_keep_beneficiaries(actor, beneficiary.owner)
    if beneficiary.removed_at is None:
        beneficiary.removed_at, beneficiary.removed_by = timezone.now(), actor
        beneficiary._history_user = actor
        beneficiary.save(update_fields=["removed_at", "removed_by"])
    return beneficiary


def beneficiary_for_payment(*, owner_id: int, beneficiary_id: int | None, destination: str) -> Beneficiary | None:
    """The beneficiary a payment goes to: the one the payer named (it must be theirs, saved, and for this
    destination), else the payer's saved beneficiary for the destination account, else none (an unsaved
    payee)."""
    active = Beneficiary.objects.filter(owner_id=owner_id, removed_at__isnull=True)
    if beneficiary_id is None:
        return active.filter(account_identifier=normalize(destination)).first()
    beneficiary = active.filter(pk=beneficiary_id).first()
    if beneficiary is None:
        raise UnknownBeneficiary(f"You have no beneficiary {beneficiary_id}.")
    if beneficiary.account_identifier != normalize(destination):
        raise BeneficiaryRefused(f"Beneficiary {beneficiary_id} is for account {beneficiary.account_identifier}, "
                                 f"not {normalize(destination)}.", code="beneficiary_mismatch")
    return beneficiary


def beneficiary_age(beneficiary: Beneficiary | None, now: datetime.datetime) -> datetime.timedelta:
    """How long the payee has been saved; an unsaved payee is brand new."""
    return now - beneficiary.created_at if beneficiary is not None else datetime.timedelta(0)


def ensure_cooling_off_respected(*, beneficiary: Beneficiary | None, money: Money, customer_initiated: bool,
                                 now: datetime.datetime) -> None:
    """Refuse a payment above the cooling-off amount of its currency (BENEFICIARY_COOLING_OFF_AMOUNTS; a
    currency without one: any amount) to a beneficiary saved less than BENEFICIARY_COOLING_OFF_HOURS ago. A
    customer paying a payee they never saved is treated as paying a beneficiary saved just now (otherwise not
    saving would skip the rule); staff at a counter are not (they identify the customer, and large staff
    payments need a checker)."""
    amount = cooling_off_amount(money.currency)
    if not is_above(money, amount):
        return
    if beneficiary is None and not customer_initiated:
        return
    cooling_off = datetime.timedelta(hours=settings.BENEFICIARY_COOLING_OFF_HOURS)
    if beneficiary_age(beneficiary, now) < cooling_off:
        payments = f"Payments above {amount} {money.currency}" if amount is not None else (
            f"Payments in {money.currency}")
        raise BeneficiaryCoolingOff(
            f"{payments} to a beneficiary are possible {settings.BENEFICIARY_COOLING_OFF_HOURS} hours after it is "
            "saved" + ("." if beneficiary is not None else "; save the payee as a beneficiary first."))
