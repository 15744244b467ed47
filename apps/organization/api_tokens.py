"""API tokens for channel and staff logins (django-rest-knox): issue at login, list, revoke.

The secret is returned once, by ``issue_api_token``; the database keeps only its SHA-512 digest and the first
15 characters (``token_key``), which identify the token (the device) without letting anyone use it. A token
expires ``API_TOKEN_TTL_HOURS`` after login; knox's authentication refuses it after that (401) and deletes it,
and the hourly beat task ``organization.delete_expired_api_tokens`` deletes the expired tokens nobody presents again.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from apps.domain_errors import NotFound, PermissionRefused
from apps.organization.models import User


class ApiTokenNotFound(NotFound):
    code = "api_token_not_found"
    title = "No such API token"


@transaction.atomic
def issue_api_token(*, user: User) -> tuple[AuthToken, str]:
    """A new token for one device of ``user``: (the stored row, the secret). The secret is not kept anywhere."""
    return AuthToken.objects.create(user=user)


def live_api_tokens(*, user: User) -> QuerySet[AuthToken]:
    """The user's tokens that still authenticate, newest first (one per device that logged in)."""
    return (AuthToken.objects.filter(user=user)
            .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
            .order_by("-created", "token_key"))


@transaction.atomic
def revoke_api_token(*, user: User, token_key: str) -> int:
    """Log one device out: delete the user's token with this key. Another user's key is not found (404)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise ApiTokenNotFound("You have no API token with this key.")
    return deleted


@transaction.atomic
def revoke_current_api_token(*, token: AuthToken) -> None:
    """Logout: the token the request authenticated with stops working."""
    AuthToken.objects.filter(digest=token.digest).delete()


@transaction.atomic
def revoke_all_api_tokens(*, user: User) -> int:
    """Logout everywhere: every token of the user stops working. Returns how many were revoked."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def revoke_api_tokens_by_staff(*, tokens: QuerySet[AuthToken], actor: User) -> int:
    """Staff revoke tokens (a lost phone, a leaver) from the admin; needs ``knox.delete_authtoken``."""
    if not actor.has_perm("knox.delete_authtoken"):
        raise PermissionRefused("Your role may not revoke API tokens.")
    deleted, _ = AuthToken.objects.filter(digest__in=tokens.values("digest")).delete()
    return deleted


@transaction.atomic
def delete_expired_api_tokens(*, now: datetime.datetime | None = None) -> int:
    """Delete every token whose expiry has passed; returns how many (0 when run again: idempotent).

    Tokens expire by wall-clock time, not by the bank's business date: the expiry is a security limit on a
    login, set in UTC when it was issued, so ``now`` is the clock (a test may pass another instant), never
    ``Bank.current_business_date``. Tokens without an expiry are kept (knox authenticates them)."""
    deleted, _ = AuthToken.objects.filter(expiry__lte=now or timezone.now()).delete()
    return deleted


def token_is_live(token: AuthToken, *, now: datetime.datetime | None = None) -> bool:
    return token.expiry is None or token.expiry > (now or timezone.now())
