"""What a customer declared they expect to do with the bank: the profile-deviation typology's yardstick."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from apps.compliance.errors import CompliancePermissionRefused, ExpectedActivityRefused
from apps.compliance.models import ExpectedActivity
from apps.customers.models import Customer
from apps.money import MINOR_UNITS, round_to_currency
from apps.organization.models import User

RECORD_PERMISSION = "compliance.change_expectedactivity"


@transaction.atomic
def record_expected_activity(*, customer: Customer, currency: str, declared_monthly_income: Decimal | None,
                             expected_monthly_turnover: Decimal | None, business_activity: str,
                             actor: User) -> ExpectedActivity:
    """Record (or replace) the customer's declared income, expected monthly turnover and line of business.

    Compliance staff only; amounts are not negative and are kept to the currency's minor unit."""
    if not actor.has_perm(RECORD_PERMISSION):
        raise CompliancePermissionRefused("Only compliance staff record a customer's expected activity.")
    if currency not in MINOR_UNITS:
        raise ExpectedActivityRefused(f"{currency!r} is not a currency the bank keeps.")
    amounts = {}
    for name, value in (("declared_monthly_income", declared_monthly_income),
                        ("expected_monthly_turnover", expected_monthly_turnover)):
        if value is not None and value < 0:
            raise ExpectedActivityRefused(f"{name.replace('_', ' ').capitalize()} cannot be negative.")
        amounts[name] = None if value is None else round_to_currency(value, currency)
    if amounts["declared_monthly_income"] is None and amounts["expected_monthly_turnover"] is None \
            and not business_activity.strip():
        raise ExpectedActivityRefused("Give the declared income, the expected turnover or the line of business.")
    activity = ExpectedActivity.objects.select_for_update().filter(customer=customer).first() \
        or ExpectedActivity(customer=customer)
    activity.currency = currency
    activity.declared_monthly_income = amounts["declared_monthly_income"]
    activity.expected_monthly_turnover = amounts["expected_monthly_turnover"]
    activity.business_activity = business_activity.strip()[:200]
    activity.recorded_by = actor
    activity._history_user = actor
    activity.save()
    return activity
