"""Suppressions: a known pattern kept out of the queue with a reason and an expiry in the future, and lifted."""

import datetime

import pytest

from apps.compliance.errors import SuppressionNotActive, SuppressionRefused
from apps.compliance.models import Alert, Suppression
from apps.compliance.models.alerts import AlertDisposition
from apps.compliance.services.suppressions import create_suppression, lift_suppression
from apps.compliance.tests.case_fixtures import alerted_case
from apps.domain_errors import PermissionRefused
from apps.organization.selectors import current_business_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(branch_a):
    return current_business_date()


def _suppress(customer, officer, today, **changes):
    given = {"customer": customer, "typology": "large_cash", "reason": "Cash-intensive shop, visited",
             "expires_on": today + datetime.timedelta(days=90), "business_date": today, "actor": officer, **changes}
    return create_suppression(**given)


def test_a_suppression_keeps_the_customers_alerts_of_its_typology_out_of_the_queue(
        customer, savings, teller_a, compliance_officer, today):
    case = alerted_case(customer, savings, teller_a)
    suppression = _suppress(customer, compliance_officer, today)

    alerted_case(customer, savings, teller_a, amounts=("14000.00",))

    newest = Alert.objects.latest("id")
    assert (newest.disposition, newest.suppression, newest.case) == (AlertDisposition.SUPPRESSED, suppression, None)
    assert case.alerts.count() == 1
    assert suppression.history.latest().history_user == compliance_officer


@pytest.mark.parametrize(("changes", "code"), [
    ({"reason": "  "}, "suppression_reason_required"),
    ({"expires_on": "today"}, "suppression_expiry_not_in_future"),
    ({"expires_on": "yesterday"}, "suppression_expiry_not_in_future"),
    ({"typology": "no_such_typology"}, "suppression_typology_unknown"),
])
def test_a_suppression_needs_a_reason_a_future_expiry_and_a_known_typology(customer, compliance_officer, today,
                                                                          changes, code):
    days = {"today": 0, "yesterday": -1}
    if "expires_on" in changes:
        changes = {"expires_on": today + datetime.timedelta(days=days[changes["expires_on"]])}

    with pytest.raises(SuppressionRefused) as refused:
        _suppress(customer, compliance_officer, today, **changes)

    assert refused.value.code == code
    assert Suppression.objects.count() == 0


def test_every_typology_is_suppressed_when_none_is_named(customer, compliance_officer, today):
    assert _suppress(customer, compliance_officer, today, typology="").typology == ""


def test_a_teller_may_not_suppress_or_lift(customer, compliance_officer, teller_a, today):
    with pytest.raises(PermissionRefused):
        _suppress(customer, teller_a, today)
    suppression = _suppress(customer, compliance_officer, today)

    with pytest.raises(PermissionRefused):
        lift_suppression(suppression=suppression, actor=teller_a)

    suppression.refresh_from_db()
    assert Suppression.objects.count() == 1 and suppression.lifted_at is None


def test_a_lifted_suppression_lets_alerts_into_the_queue_again(customer, savings, teller_a, compliance_officer,
                                                               today):
    suppression = _suppress(customer, compliance_officer, today)

    lift_suppression(suppression=suppression, actor=compliance_officer)
    case = alerted_case(customer, savings, teller_a)

    suppression.refresh_from_db()
    assert (suppression.lifted_by, suppression.lifted_at is not None) == (compliance_officer, True)
    assert Alert.objects.get().case == case


def test_a_suppression_is_lifted_once(customer, compliance_officer, today):
    suppression = lift_suppression(suppression=_suppress(customer, compliance_officer, today),
                                   actor=compliance_officer)
    lifted_at = suppression.lifted_at

    with pytest.raises(SuppressionNotActive):
        lift_suppression(suppression=suppression, actor=compliance_officer)

    suppression.refresh_from_db()
    assert suppression.lifted_at == lifted_at and suppression.history.count() == 2
