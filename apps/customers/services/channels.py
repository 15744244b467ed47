"""Writes about a customer's channel (web and mobile) login: enrolment, password reset, revoking access.

Staff enrol a customer: the customer's login (a ``User`` without a usable password) is created and a one-time
enrolment code is shown once to the staff member, who hands it over. The customer redeems it over the API
(``POST /api/v1/enrolment/redeem/``) with a first password, then logs in with ``POST /api/v1/auth/token/``.
A password reset works the same way with a reset code: staff issue one from the customer page, or the customer
asks for one (``POST /api/v1/password-reset/``, which answers the same whether or not the login exists) and it is
emailed to the customer's address. Redeeming a reset code logs every device out (the login's API tokens).

A code is 20 characters (about 98 bits) drawn by ``secrets``; only its SHA-256 digest is stored (``ChannelCode``),
as the API tokens keep only theirs. It works once, until its TTL (``CHANNEL_ENROLMENT_CODE_TTL``,
``CHANNEL_PASSWORD_RESET_CODE_TTL``), and a newer code of the customer, or revoking channel access, voids it.

Who may: staff holding ``customers.enrol_customer`` (tellers and branch managers) for customers they may change
(their branch's). Lock order: the customer, then its codes, then the login, in every operation here.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.customers.errors import (
    ChannelCodeExpired,
    ChannelCodeUnknown,
    ChannelCodeUsed,
    ChannelCodeVoid,
    ChannelEnrolmentRefused,
    ChannelPasswordInvalid,
    NotAllowedToEnrol,
)
from apps.customers.models import ChannelCode, Customer
from apps.organization.api_tokens import revoke_all_api_tokens
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.outbox.services import publish_event

logger = logging.getLogger(__name__)

ENROL_PERMISSION = "customers.enrol_customer"
# No 0/O, 1/I/L, U: a code read out over a counter or typed from a letter is not mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 20
CODE_MAX_INPUT = 64  # what the API accepts as a code, hyphens and spaces included


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the stored row and the code itself, which exists only here (show it once)."""

    row: ChannelCode
    code: str

    @property
    def link(self) -> str:
        template = settings.CHANNEL_ENROLMENT_LINK
        return template.replace("{code}", self.code.replace("-", "")) if template else ""


def normalised_code(code: str) -> str:
    """The code as it is hashed: upper case, without the hyphens and spaces people type between its groups."""
    return "".join(character for character in code.upper() if character.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(normalised_code(code).encode()).hexdigest()


def _new_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[start:start + 4] for start in range(0, CODE_LENGTH, 4))


def ensure_may_enrol(actor: User, customer: Customer) -> None:
    """Who may enrol, reset or revoke: active staff whose role enrols (``customers.enrol_customer``: tellers and
    branch managers), for a customer they may change (their own branch's)."""
    if not actor.is_active or not actor.is_staff or not actor.has_perm(ENROL_PERMISSION):
        raise NotAllowedToEnrol("Your role may not enrol customers for the channels.")
    if not can_access(actor, customer, "change"):
        raise NotAllowedToEnrol(f"{customer.legal_name} is a customer of another branch.")


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _void_live_codes(customer: Customer, *, actor: User | None, now: datetime.datetime) -> int:
    """Void the customer's codes that still work (locked, by primary key), each saved for its history row."""
    live = list(ChannelCode.objects.select_for_update().filter(
        customer=customer, redeemed_at__isnull=True, voided_at__isnull=True).order_by("pk"))
    for code in live:
        code.voided_at = now
        code._history_user = actor
        code.save(update_fields=["voided_at"])
    return len(live)


def _issue_code(customer: Customer, user: User, *, purpose: str, actor: User | None, now: datetime.datetime,
                ttl: datetime.timedelta) -> IssuedCode:
    _void_live_codes(customer, actor=actor, now=now)
    code = _new_code()
    row = ChannelCode(customer=customer, user=user, purpose=purpose, digest=code_digest(code), issued_by=actor,
                      issued_at=now, expires_at=now + ttl)
    row._history_user = actor
    row.save()
    return IssuedCode(row=row, code=code)


def _refuse_blocked(customer: Customer) -> None:
    if customer.status in (Customer.Status.BLOCKED, Customer.Status.CLOSED):
        raise ChannelEnrolmentRefused(f"{customer.legal_name} is {customer.status}: no channel access is given.",
                                      code=f"customer_{customer.status}")


def _event_payload(customer: Customer, user: User, **extra) -> dict:
    return {"customer_id": customer.pk, "user_id": user.pk, **extra}  # never the code


@transaction.atomic
def enrol_customer_for_channels(*, customer: Customer, actor: User, now: datetime.datetime | None = None,
                                ttl: datetime.timedelta | None = None) -> IssuedCode:
    """Create the customer's channel login (username: their email, no usable password yet) and an enrolment
    code, valid for ``ttl`` (``CHANNEL_ENROLMENT_CODE_TTL``). Enrolling again while the code was not redeemed,
    or after access was revoked, gives a new code and voids the old one; an enrolled customer is refused
    (``customer_already_enrolled``: issue a password reset). Blocked and closed customers are refused."""
    ensure_may_enrol(actor, customer)
    now, ttl = now or timezone.now(), ttl or settings.CHANNEL_ENROLMENT_CODE_TTL
    customer = _lock_customer(customer)
    _refuse_blocked(customer)
    if customer.user_id is None:
        user = _create_login(customer, actor=actor)
        issued = _issue_code(customer, user, purpose=ChannelCode.Purpose.ENROLMENT, actor=actor, now=now, ttl=ttl)
    else:
        user = User.objects.get(pk=customer.user_id)  # under the customer's lock: redeeming locks it first too
        if user.is_staff:
            raise ChannelEnrolmentRefused("The customer's login is a staff login.", code="customer_login_is_staff")
        if user.is_active and user.has_usable_password():
            raise ChannelEnrolmentRefused(f"{customer.legal_name} is already enrolled as {user.username}; issue a "
                                          "password reset instead.", code="customer_already_enrolled")
        issued = _issue_code(customer, user, purpose=ChannelCode.Purpose.ENROLMENT, actor=actor, now=now, ttl=ttl)
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = True
        user.set_unusable_password()
        user._history_user = actor
        user.save(update_fields=["is_active", "password"])
    publish_event("customer.channel_enrolment_started",
                  _event_payload(customer, user, expires_at=issued.row.expires_at.isoformat()), aggregate=customer)
    return issued


def _create_login(customer: Customer, *, actor: User) -> User:
    username = customer.email.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ChannelEnrolmentRefused(f"The login name {username} is taken; change the customer's email first.",
                                      code="channel_username_taken")
    user = User(username=username, email=customer.email, first_name="", last_name="", is_staff=False)
    user.set_unusable_password()
    user._history_user = actor
    try:
        with transaction.atomic():  # a savepoint: a lost race on the username is a domain error, not a 500
            user.save()
    except IntegrityError:
        raise ChannelEnrolmentRefused(f"The login name {username} is taken.", code="channel_username_taken") from None
    customer.user = user
    customer._history_user = actor
    customer.save(update_fields=["user"])
    return user


def _enrolled_login(customer: Customer) -> User:
    user = User.objects.get(pk=customer.user_id) if customer.user_id is not None else None
    if user is None or not user.is_active:
        raise ChannelEnrolmentRefused(f"{customer.legal_name} has no channel access: enrol them first.",
                                      code="customer_not_enrolled")
    if not user.has_usable_password():
        raise ChannelEnrolmentRefused(f"{customer.legal_name} has not redeemed the enrolment code yet: enrol them "
                                      "again for a new code.", code="channel_enrolment_pending")
    return user


@transaction.atomic
def issue_password_reset(*, customer: Customer, actor: User, now: datetime.datetime | None = None,
                         ttl: datetime.timedelta | None = None) -> IssuedCode:
    """A password reset code for an enrolled customer, issued by staff (who hand it over, as with enrolment),
    valid for ``ttl`` (``CHANNEL_PASSWORD_RESET_CODE_TTL``); earlier codes stop working. The old password works
    until the code is redeemed."""
    ensure_may_enrol(actor, customer)
    now, ttl = now or timezone.now(), ttl or settings.CHANNEL_PASSWORD_RESET_CODE_TTL
    customer = _lock_customer(customer)
    user = _enrolled_login(customer)
    issued = _issue_code(customer, user, purpose=ChannelCode.Purpose.PASSWORD_RESET, actor=actor, now=now, ttl=ttl)
    publish_event("customer.password_reset_issued",
                  _event_payload(customer, user, expires_at=issued.row.expires_at.isoformat(), by="staff"),
                  aggregate=customer)
    return issued


@transaction.atomic
def request_password_reset(*, username: str, now: datetime.datetime | None = None,
                           ttl: datetime.timedelta | None = None) -> None:
    """The customer asks for a reset code: if ``username`` is an enrolled customer's login, a code is issued and
    emailed to the customer's address after the commit. Returns nothing, whatever the username, so that the API
    answers the same for a login that does not exist (no account enumeration). The code is never stored: if the
    email is lost, the customer asks again."""
    now, ttl = now or timezone.now(), ttl or settings.CHANNEL_PASSWORD_RESET_CODE_TTL
    # Logins are made lower case and unique in any case (``_create_login``): a customer may type it either way.
    customer = (Customer.objects.filter(user__username__iexact=username.strip(), user__is_active=True,
                                        user__is_staff=False).only("pk").first())
    if customer is None:
        return
    customer = _lock_customer(customer)
    try:
        user = _enrolled_login(customer)
    except ChannelEnrolmentRefused:
        return  # not enrolled yet: the same answer
    issued = _issue_code(customer, user, purpose=ChannelCode.Purpose.PASSWORD_RESET, actor=None, now=now, ttl=ttl)
    publish_event("customer.password_reset_issued",
                  _event_payload(customer, user, expires_at=issued.row.expires_at.isoformat(), by="customer"),
                  aggregate=customer)
    message = _reset_message(customer, issued)
    # After the commit, and robust: a mail server that is down costs the customer a second request, not a 500.
    transaction.on_commit(lambda: send_mail(*message, recipient_list=[customer.email]), robust=True)


def _reset_message(customer: Customer, issued: IssuedCode) -> tuple[str, str, str]:
    minutes = int((issued.row.expires_at - issued.row.issued_at).total_seconds() // 60)
    body = (f"Dear {customer.legal_name},\n\nYour password reset code is {issued.code}. It works once, for "
            f"{minutes} minutes: send it with your new password to POST /api/v1/password-reset/redeem/ (the app "
            "does this for you). If you did not ask for it, ignore this message: your password is unchanged.\n")
    return "Your password reset code", body, settings.DEFAULT_FROM_EMAIL


def _refuse_spent(row: ChannelCode, now: datetime.datetime) -> None:
    state = row.state_at(now)
    if state == "used":
        raise ChannelCodeUsed("This code was already used; ask for a new one.")
    if state == "void":
        raise ChannelCodeVoid("This code was replaced by a newer one or channel access was revoked.")
    if state == "expired":
        raise ChannelCodeExpired(f"This code expired at {row.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one.")


@transaction.atomic
def redeem_channel_code(*, code: str, password: str, purpose: str, now: datetime.datetime | None = None) -> User:
    """Set the login's password with a one-time code of ``purpose``: the first password (enrolment) or a new one
    (reset). The code must be known, of that purpose, not used, not void and not expired at ``now``; the password
    must pass the password validators (``AUTH_PASSWORD_VALIDATORS``). Refused: nothing is written. Redeemed: the
    code is used up, and every API token of the login is revoked (every device logs in again).

    Two redemptions of one code race for the customer's lock; the second finds the code used."""
    now = now or timezone.now()
    found = (ChannelCode.objects.select_related("user").filter(digest=code_digest(code), purpose=purpose).first()
             if normalised_code(code) else None)
    if found is None:
        raise ChannelCodeUnknown("This code is not known; check it, or ask for a new one.")
    _refuse_spent(found, now)  # before judging the password: a used code says so whatever the password
    try:
        validate_password(password, user=found.user)
    except ValidationError as error:
        raise ChannelPasswordInvalid(" ".join(error.messages)) from None
    customer = _lock_customer(found.customer)
    row = ChannelCode.objects.select_for_update().get(pk=found.pk)
    _refuse_spent(row, now)  # again under the lock: the other of two racing redemptions stops here
    user = User.objects.select_for_update().get(pk=row.user_id)
    if not user.is_active:
        raise ChannelCodeVoid("This login's channel access was revoked.")
    row.redeemed_at = now
    row._history_user = user
    row.save(update_fields=["redeemed_at"])
    user.set_password(password)
    user._history_user = user
    user.save(update_fields=["password"])
    revoked = revoke_all_api_tokens(user=user)
    publish_event("customer.channel_password_set",
                  _event_payload(customer, user, purpose=purpose, api_tokens_revoked=revoked), aggregate=customer)
    return user


@transaction.atomic
def revoke_channel_access(*, customer: Customer, actor: User, reason: str,
                          now: datetime.datetime | None = None) -> int:
    """Stop the customer's channel login: it is deactivated (its password unusable), its codes void and its API
    tokens revoked, with ``reason`` in the login's history row. Returns how many API tokens were revoked. Enrolling
    again later gives a new enrolment code."""
    ensure_may_enrol(actor, customer)
    reason = (reason or "").strip()
    if not reason:
        raise ChannelEnrolmentRefused("Say why channel access is revoked.", code="reason_required")
    now = now or timezone.now()
    customer = _lock_customer(customer)
    if customer.user_id is None:
        raise ChannelEnrolmentRefused(f"{customer.legal_name} has no channel login.", code="customer_not_enrolled")
    _void_live_codes(customer, actor=actor, now=now)
    user = User.objects.select_for_update().get(pk=customer.user_id)
    if not user.is_active:
        raise ChannelEnrolmentRefused(f"{customer.legal_name}'s channel access is already revoked.",
                                      code="channel_access_revoked")
    user.is_active = False
    user.set_unusable_password()
    user._history_user = actor
    user._change_reason = reason[:100]
    user.save(update_fields=["is_active", "password"])
    revoked = revoke_all_api_tokens(user=user)
    publish_event("customer.channel_access_revoked", _event_payload(customer, user, reason=reason,
                                                                   api_tokens_revoked=revoked), aggregate=customer)
    return revoked
