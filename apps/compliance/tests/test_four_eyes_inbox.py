"""A compliance officer decides a colleague's false-positive closure and no other kind of request: their role
holds compliance.decide_case_closure (the operation's checker permission, which suffices), not
organization.decide_approvalrequest."""

import pytest
from django.utils import timezone

from apps.compliance.services.cases import CLOSE_AS_FALSE_POSITIVE, propose_false_positive_closure
from apps.compliance.tests.case_fixtures import alerted_case
from apps.organization import roles
from apps.organization.approvals import decides_any_request, may_decide
from apps.organization.models import ApprovalRequest
from apps.organization.selectors import approval_requests_decidable_by
from apps.organization.tests.factories import StaffFactory
from apps.organization.work_queues import approvals_waiting_for

pytestmark = pytest.mark.django_db


def test_a_compliance_officer_decides_case_closures_only(customer, savings, teller_a, compliance_officer, branch_a,
                                                         manager_a):
    case = alerted_case(customer, savings, teller_a, risk=90)
    second = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)
    closure = propose_false_positive_closure(case=case, reason="salary", actor=compliance_officer)
    other = ApprovalRequest.objects.create(operation="accounts.close_account", summary="close", maker=manager_a,
                                           expires_at=timezone.now() + timezone.timedelta(days=1))

    assert not second.has_perm("organization.decide_approvalrequest")
    assert decides_any_request(second) and may_decide(second, CLOSE_AS_FALSE_POSITIVE)
    assert not may_decide(second, other.operation)
    assert list(approval_requests_decidable_by(second, now=timezone.now())) == [closure]
    assert list(approval_requests_decidable_by(compliance_officer, now=timezone.now())) == []  # their own
    assert approvals_waiting_for(second).count == 1


def test_a_teller_decides_nothing(teller_a):
    assert not decides_any_request(teller_a) and approvals_waiting_for(teller_a) is None
