"""Two checkers approving, at the same moment, two changes proposed on the same revision of a setting: the row
lock lets one apply and the other find the revision moved (stale), so no change is lost silently."""

import pytest

from apps.compliance.models import TypologySetting
from apps.compliance.services.settings import propose_typology_setting_change
from apps.compliance.tests.lifecycle_support import settings_officer
from apps.organization.configuration import StaleConfigurationChange
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from tests.races import run_in_threads


@pytest.mark.race
@pytest.mark.postgresql_only(reason="row locks between real threads on separate connections")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_on_one_revision_apply_one_and_refuse_the_other_as_stale(branch_a):
    # given
    setting = TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                             parameters={"amount_at_least": "10000.00"})
    maker, checkers = settings_officer(branch_a), [settings_officer(branch_a) for _ in range(2)]
    requests = []
    for amount in ("8000", "9000"):
        proposed = TypologySetting.objects.get(pk=setting.pk)
        requests.append(propose_typology_setting_change(proposed=proposed, parameters={"amount_at_least": amount},
                                                        maker=maker))
    # when
    errors = run_in_threads(lambda i: approve_request(request=requests[i], checker=checkers[i]), threads=2)
    # then
    assert len(errors) == 1 and isinstance(errors[0], StaleConfigurationChange)
    states = sorted(ApprovalRequest.objects.values_list("state", flat=True))
    assert states == [ApprovalRequest.State.APPROVED, ApprovalRequest.State.FAILED]
    approved = ApprovalRequest.objects.get(state=ApprovalRequest.State.APPROVED)
    setting.refresh_from_db()
    assert setting.revision == 2
    assert setting.parameters["amount_at_least"] == next(
        c["after"] for c in approved.parameters["changes"] if c["field"] == "@parameter:amount_at_least")
