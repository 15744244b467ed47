"""For the tests of the rule lifecycle: compliance officers entitled to change typology settings (the maker and
a second one, the checker) and monitored cash seeded on chosen business dates."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission

from apps.accounts.tests.factories import deposit
from apps.compliance.services.monitoring import record_movement
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory
from apps.outbox.models import OutboxEvent

# The compliance officer's role holds every permission the lifecycle needs (apps/organization/roles.py).
LIFECYCLE_PERMISSIONS: tuple[str, ...] = ()


def grant(user, *permissions: str):
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: the permission cache is per instance


def settings_officer(branch):
    return grant(StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch), *LIFECYCLE_PERMISSIONS)


# Fixtures: a test module imports them (``from ...lifecycle_support import setting_maker_fixture``...).
@pytest.fixture(name="setting_maker")
def setting_maker_fixture(branch_a):
    return settings_officer(branch_a)


@pytest.fixture(name="setting_checker")
def setting_checker_fixture(branch_a):
    return settings_officer(branch_a)





def seed_cash(account, amount: str, *, teller, on: datetime.date, hour: int = 10):
    """A real cash deposit, recorded by monitoring as if it had been made on ``on`` (not evaluated)."""
    deposit(account, amount, teller=teller)
    event = OutboxEvent.objects.filter(event_type="money.moved").latest("pk")
    at = datetime.datetime.combine(on, datetime.time(hour), tzinfo=datetime.UTC)
    payload = {**event.payload, "business_date": on.isoformat(), "occurred_at": at.isoformat()}
    return record_movement(payload=payload)[0]
