"""Two compliance officers acting on one case at the same moment: the case's row lock puts them in line, so a
false-positive closure is proposed once, and a case closed by one is not closed again by the other."""

import pytest

from apps.compliance.errors import CaseNotOpen, ClosureAlreadyProposed
from apps.compliance.models import Case
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.services.cases import close_case_as_false_positive, propose_false_positive_closure
from apps.compliance.tests.case_fixtures import alerted_case
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from apps.organization.tests.factories import StaffFactory
from tests.races import run_in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]


@pytest.fixture
def officers(branch_a):
    return [StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a) for _ in range(2)]


def test_two_officers_proposing_at_once_make_one_request(customer, savings, teller_a, officers):
    case = alerted_case(customer, savings, teller_a, risk=90)

    errors = run_in_threads(lambda index: propose_false_positive_closure(
        case=case, reason=f"officer {index}", actor=officers[index]), threads=2)

    assert [type(error) for error in errors] == [ClosureAlreadyProposed]
    assert ApprovalRequest.objects.filter(state="pending").count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_two_officers_closing_at_once_close_it_once(customer, savings, teller_a, officers):
    case = alerted_case(customer, savings, teller_a)

    errors = run_in_threads(lambda index: close_case_as_false_positive(
        case=case, reason=f"officer {index}", actor=officers[index]), threads=2)

    assert [type(error) for error in errors] == [CaseNotOpen]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_FALSE_POSITIVE
    assert case.history.filter(status=CaseStatus.CLOSED_FALSE_POSITIVE).count() == 1
