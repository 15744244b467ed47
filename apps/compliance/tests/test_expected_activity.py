"""Compliance records what a customer declared they expect (the profile-deviation typology's yardstick)."""

from decimal import Decimal

import pytest

from apps.compliance.errors import CompliancePermissionRefused, ExpectedActivityRefused
from apps.compliance.models import ExpectedActivity
from apps.compliance.services.expected_activity import record_expected_activity

pytestmark = pytest.mark.django_db


def _record(customer, actor, **overrides):
    arguments = {"customer": customer, "currency": "EUR", "declared_monthly_income": Decimal("2500.005"),
                 "expected_monthly_turnover": Decimal("3000"), "business_activity": " Nurse ", "actor": actor}
    return record_expected_activity(**{**arguments, **overrides})


def test_compliance_records_and_replaces_the_expected_activity_with_history(customer, compliance_officer):
    first = _record(customer, compliance_officer)
    second = _record(customer, compliance_officer, declared_monthly_income=Decimal("4000"), business_activity="Doctor")

    assert first.pk == second.pk and ExpectedActivity.objects.count() == 1
    second.refresh_from_db()
    assert second.declared_monthly_income == Decimal("4000.00") and second.business_activity == "Doctor"
    assert [h.history_user for h in second.history.all()] == [compliance_officer, compliance_officer]
    assert first.declared_monthly_income == Decimal("2500.00")  # half-even to the cent


def test_a_teller_may_not_record_expected_activity_and_nothing_is_written(customer, teller_a):
    with pytest.raises(CompliancePermissionRefused):
        _record(customer, teller_a)
    assert not ExpectedActivity.objects.exists()


@pytest.mark.parametrize("overrides", [{"declared_monthly_income": Decimal("-1")}, {"currency": "XXX"},
                                       {"declared_monthly_income": None, "expected_monthly_turnover": None,
                                        "business_activity": "  "}])
def test_bad_expected_activity_is_refused_and_nothing_is_written(customer, compliance_officer, overrides):
    with pytest.raises(ExpectedActivityRefused):
        _record(customer, compliance_officer, **overrides)
    assert not ExpectedActivity.objects.exists()
