"""Writes of the bank's holiday calendar (``Holiday``): the days, besides weekends, on which nothing falls due.

A holiday moves the due dates of schedules made after it is kept (a loan's schedule is fixed when it is
disbursed); the admin and any other door go through these services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.domain_errors import DomainError, PermissionRefused
from apps.organization.models import Holiday, User


class HolidayRefused(DomainError):
    code = "holiday_refused"
    title = "The holiday was refused"


@transaction.atomic
def keep_holiday(*, holiday: Holiday, actor: User) -> Holiday:
    """Add a holiday or change one (its date or its name); one per date."""
    needed = "organization.change_holiday" if holiday.pk else "organization.add_holiday"
    if not actor.has_perm(needed):
        raise PermissionRefused("Your role may not change the bank's holidays.")
    try:
        holiday.full_clean()
    except ValidationError as error:
        raise HolidayRefused(" ".join(error.messages)) from None
    holiday._history_user = actor
    holiday.save()
    return holiday


@transaction.atomic
def remove_holiday(*, holiday: Holiday, actor: User) -> None:
    if not actor.has_perm("organization.delete_holiday"):
        raise PermissionRefused("Your role may not change the bank's holidays.")
    holiday._history_user = actor
    holiday.delete()
