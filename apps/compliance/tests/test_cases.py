"""The rules of working a case: who may, what each step changes, the SAR deadline clock, and four-eyes on a
false positive above the configured risk (through the maker-checker of apps.organization)."""

import datetime

import pytest
from django.test import override_settings

from apps.compliance.errors import (
    AssigneeNotComplianceOfficer,
    CaseNotOpen,
    CaseTransitionRefused,
    ClosureAlreadyProposed,
    FourEyesRequired,
    ReasonRequired,
    SarNotForCase,
)
from apps.compliance.models import Case, CaseNote, SuspiciousActivityReport
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.selectors import case_queue
from apps.compliance.services.cases import (
    CLOSE_AS_FALSE_POSITIVE,
    add_case_note,
    assign_case,
    close_case_as_false_positive,
    close_case_with_sar,
    escalate_case,
    propose_false_positive_closure,
    record_suspect_known,
    start_investigating,
)
from apps.compliance.tests.case_fixtures import alerted_case
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import PermissionRefused
from apps.organization import roles
from apps.organization.errors import CheckerIsMaker, NotAllowedToDecide
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request, reject_request
from apps.organization.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(customer, savings, teller_a):
    return alerted_case(customer, savings, teller_a)


@pytest.fixture
def risky_case(customer, savings, teller_a):
    return alerted_case(customer, savings, teller_a, risk=85)


@pytest.fixture
def second_officer(branch_a):
    return StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)


def _state(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.status, case.assignee_id, case.suspect_known, case.sar_due_on, case.closed_at, case.closed_by_id,
            case.closure_approved_by_id, case.closure_reason, case.history.count(), CaseNote.objects.count(),
            ApprovalRequest.objects.count())


# --- assign, note, investigate, escalate ---------------------------------------------------------------------

def test_a_compliance_officer_assigns_a_case_to_another_officer(case, compliance_officer, second_officer):
    assign_case(case=case, assignee=second_officer, actor=compliance_officer)

    case.refresh_from_db()
    assert case.assignee == second_officer
    assert case.history.latest().history_user == compliance_officer


def test_a_case_is_assigned_to_compliance_officers_only(case, compliance_officer, teller_a):
    before = _state(case)

    with pytest.raises(AssigneeNotComplianceOfficer):
        assign_case(case=case, assignee=teller_a, actor=compliance_officer)

    assert _state(case) == before


def test_a_teller_may_not_work_a_case(case, teller_a, compliance_officer):
    before = _state(case)

    for refused in (lambda: assign_case(case=case, assignee=compliance_officer, actor=teller_a),
                    lambda: add_case_note(case=case, text="seen", actor=teller_a),
                    lambda: start_investigating(case=case, actor=teller_a),
                    lambda: escalate_case(case=case, reason="big", actor=teller_a),
                    lambda: record_suspect_known(case=case, suspect_known=False, actor=teller_a),
                    lambda: propose_false_positive_closure(case=case, reason="salary", actor=teller_a)):
        with pytest.raises(PermissionRefused):
            refused()

    assert _state(case) == before


def test_an_auditor_reads_cases_but_may_not_work_them(case, auditor):
    assert auditor.has_perm("compliance.view_case") and auditor.has_perm("compliance.view_alert")
    before = _state(case)

    with pytest.raises(PermissionRefused):
        add_case_note(case=case, text="seen", actor=auditor)

    assert _state(case) == before


def test_a_note_is_kept_with_its_author(case, compliance_officer):
    note = add_case_note(case=case, text="  Called the branch: the customer sold a car.  ", actor=compliance_officer)

    assert (note.case, note.author) == (case, compliance_officer)
    assert note.text == "Called the branch: the customer sold a car."


def test_an_empty_note_is_refused(case, compliance_officer):
    before = _state(case)

    with pytest.raises(ReasonRequired):
        add_case_note(case=case, text="   ", actor=compliance_officer)

    assert _state(case) == before


def test_starting_to_investigate_an_unassigned_case_takes_it(case, compliance_officer):
    start_investigating(case=case, actor=compliance_officer)

    case.refresh_from_db()
    assert (case.status, case.assignee) == (CaseStatus.INVESTIGATING, compliance_officer)


def test_a_case_under_investigation_is_not_started_again(case, compliance_officer):
    start_investigating(case=case, actor=compliance_officer)
    before = _state(case)

    with pytest.raises(CaseTransitionRefused):
        start_investigating(case=case, actor=compliance_officer)

    assert _state(case) == before


def test_escalating_keeps_the_reason_as_a_note(case, compliance_officer):
    escalate_case(case=case, reason="Structuring suspected across branches", actor=compliance_officer)

    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED
    assert CaseNote.objects.get(case=case).text == "Escalated: Structuring suspected across branches"


def test_escalating_needs_a_reason_and_an_escalated_case_is_not_escalated_again(case, compliance_officer):
    before = _state(case)
    with pytest.raises(ReasonRequired):
        escalate_case(case=case, reason="", actor=compliance_officer)
    assert _state(case) == before

    escalate_case(case=case, reason="first", actor=compliance_officer)
    before = _state(case)
    with pytest.raises(CaseTransitionRefused):
        escalate_case(case=case, reason="again", actor=compliance_officer)
    assert _state(case) == before


# --- the SAR deadline clock ----------------------------------------------------------------------------------

def test_no_suspect_known_gives_sixty_days_and_a_known_suspect_thirty(case, compliance_officer):
    record_suspect_known(case=case, suspect_known=False, actor=compliance_officer)
    case.refresh_from_db()
    assert (case.suspect_known, case.sar_due_on - case.detected_on) == (False, datetime.timedelta(days=60))

    record_suspect_known(case=case, suspect_known=True, actor=compliance_officer)
    case.refresh_from_db()
    assert case.sar_due_on - case.detected_on == datetime.timedelta(days=30)


@override_settings(COMPLIANCE_SAR_DAYS=10, COMPLIANCE_SAR_DAYS_NO_SUSPECT=20)
def test_the_deadlines_are_settings(case, compliance_officer):
    record_suspect_known(case=case, suspect_known=False, actor=compliance_officer)

    case.refresh_from_db()
    assert case.sar_due_on - case.detected_on == datetime.timedelta(days=20)


def test_the_queue_flags_a_case_overdue_once_the_business_date_passes_its_deadline(case):
    on_the_day = case_queue(business_date=case.sar_due_on).get()
    the_day_after = case_queue(business_date=case.sar_due_on + datetime.timedelta(days=1)).get()

    assert (on_the_day.is_overdue, the_day_after.is_overdue) == (False, True)


def test_the_queue_orders_cases_by_deadline_and_leaves_closed_ones_out(case, compliance_officer, branch_a, savings,
                                                                      teller_a):
    later = alerted_case(verified_customer(branch=branch_a), savings, teller_a)
    record_suspect_known(case=case, suspect_known=False, actor=compliance_officer)  # due 60 days out: after later's
    closed = alerted_case(verified_customer(branch=branch_a), savings, teller_a)
    close_case_as_false_positive(case=closed, reason="salary", actor=compliance_officer)

    assert list(case_queue(business_date=case.detected_on)) == [later, case]


# --- closing as a false positive: four-eyes above the risk -----------------------------------------------

def test_a_low_risk_case_is_closed_as_a_false_positive_by_one_officer(case, compliance_officer):
    assert case.risk_score <= 60

    closed = propose_false_positive_closure(case=case, reason="Proceeds of a house sale, deed seen",
                                            actor=compliance_officer)

    case.refresh_from_db()
    assert closed == case
    assert (case.status, case.closed_by, case.closure_approved_by, case.closure_reason) == (
        CaseStatus.CLOSED_FALSE_POSITIVE, compliance_officer, None, "Proceeds of a house sale, deed seen")
    assert case.closed_at is not None and ApprovalRequest.objects.count() == 0


def test_a_false_positive_needs_a_reason(case, compliance_officer):
    before = _state(case)

    with pytest.raises(ReasonRequired):
        propose_false_positive_closure(case=case, reason=" ", actor=compliance_officer)

    assert _state(case) == before


def test_a_risky_case_is_not_closed_by_one_officer(risky_case, compliance_officer):
    before = _state(risky_case)

    with pytest.raises(FourEyesRequired):
        close_case_as_false_positive(case=risky_case, reason="salary", actor=compliance_officer)

    assert _state(risky_case) == before


def test_a_risky_false_positive_is_proposed_and_a_second_officer_closes_it(risky_case, compliance_officer,
                                                                          second_officer):
    request = propose_false_positive_closure(case=risky_case, reason="Known supplier payments",
                                             actor=compliance_officer)
    risky_case.refresh_from_db()
    assert isinstance(request, ApprovalRequest)
    assert (request.operation, request.state, request.maker) == (CLOSE_AS_FALSE_POSITIVE, "pending",
                                                                 compliance_officer)
    assert risky_case.status == CaseStatus.OPEN  # open until the second officer approves

    approve_request(request=request, checker=second_officer)

    risky_case.refresh_from_db()
    assert (risky_case.status, risky_case.closed_by, risky_case.closure_approved_by, risky_case.closure_reason) == (
        CaseStatus.CLOSED_FALSE_POSITIVE, compliance_officer, second_officer, "Known supplier payments")
    assert risky_case.history.latest().history_user == second_officer


def test_the_proposing_officer_does_not_approve_their_own_closure(risky_case, compliance_officer):
    request = propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)
    before = _state(risky_case)

    with pytest.raises(CheckerIsMaker):
        approve_request(request=request, checker=compliance_officer)

    assert _state(risky_case) == before
    request.refresh_from_db()
    assert request.state == "pending"


def test_a_role_that_decides_other_requests_does_not_decide_a_case_closure(risky_case, compliance_officer,
                                                                          ops_admin, manager_a):
    request = propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)
    before = _state(risky_case)

    for checker in (ops_admin, manager_a):
        with pytest.raises(NotAllowedToDecide):
            approve_request(request=request, checker=checker)

    assert _state(risky_case) == before


def test_a_rejected_proposal_leaves_the_case_open(risky_case, compliance_officer, second_officer):
    request = propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)

    reject_request(request=request, checker=second_officer, reason="The deposits match a structuring pattern")

    risky_case.refresh_from_db()
    assert risky_case.status == CaseStatus.OPEN and risky_case.closed_at is None


def test_a_closure_is_proposed_once(risky_case, compliance_officer, second_officer):
    propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)
    before = _state(risky_case)

    with pytest.raises(ClosureAlreadyProposed):
        propose_false_positive_closure(case=risky_case, reason="again", actor=second_officer)

    assert _state(risky_case) == before


@override_settings(COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK=90)
def test_the_four_eyes_risk_is_a_setting(risky_case, compliance_officer):
    propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)

    risky_case.refresh_from_db()
    assert risky_case.status == CaseStatus.CLOSED_FALSE_POSITIVE


def test_an_approval_of_a_case_closed_meanwhile_fails_and_changes_nothing(risky_case, compliance_officer,
                                                                         second_officer):
    request = propose_false_positive_closure(case=risky_case, reason="salary", actor=compliance_officer)
    Case.objects.filter(pk=risky_case.pk).update(status=CaseStatus.CLOSED_SAR, closed_at=risky_case.opened_at)
    before = _state(risky_case)

    with pytest.raises(CaseNotOpen):
        approve_request(request=request, checker=second_officer)

    assert _state(risky_case)[:-1] == before[:-1]
    request.refresh_from_db()
    assert request.state == "failed"


def test_a_closed_case_takes_no_more_steps_but_notes(case, compliance_officer, second_officer):
    close_case_as_false_positive(case=case, reason="salary", actor=compliance_officer)
    before = _state(case)

    for refused in (lambda: assign_case(case=case, assignee=second_officer, actor=compliance_officer),
                    lambda: start_investigating(case=case, actor=compliance_officer),
                    lambda: escalate_case(case=case, reason="x", actor=compliance_officer),
                    lambda: record_suspect_known(case=case, suspect_known=False, actor=compliance_officer),
                    lambda: close_case_as_false_positive(case=case, reason="x", actor=compliance_officer)):
        with pytest.raises(CaseNotOpen):
            refused()
    assert _state(case) == before

    add_case_note(case=case, text="The FIU asked; nothing more.", actor=compliance_officer)
    assert CaseNote.objects.filter(case=case).count() == 1


# --- closing with a SAR ------------------------------------------------------------------------------------

def _sar(case, officer, status, approver=None):
    return SuspiciousActivityReport.objects.create(case=case, status=status, reason="Structuring",
                                                   drafted_by=officer, approved_by=approver)


def test_an_approved_sar_closes_its_case(case, compliance_officer, second_officer):
    sar = _sar(case, compliance_officer, "approved", approver=second_officer)

    close_case_with_sar(case=case, actor=compliance_officer, sar=sar)

    case.refresh_from_db()
    assert (case.status, case.closed_by, case.closure_approved_by) == (CaseStatus.CLOSED_SAR, compliance_officer,
                                                                       second_officer)


def test_a_draft_sar_or_another_cases_sar_does_not_close_it(case, compliance_officer, second_officer, branch_a,
                                                            savings, teller_a):
    other = alerted_case(verified_customer(branch=branch_a), savings, teller_a)
    before = _state(case)

    for sar in (_sar(case, compliance_officer, "draft"),
                _sar(other, compliance_officer, "approved", approver=second_officer)):
        with pytest.raises(SarNotForCase):
            close_case_with_sar(case=case, actor=compliance_officer, sar=sar)

    assert _state(case) == before


def test_a_new_alert_after_closing_opens_a_new_case(case, compliance_officer, customer, savings, teller_a):
    close_case_as_false_positive(case=case, reason="salary", actor=compliance_officer)

    again = alerted_case(customer, savings, teller_a, amounts=("13000.00",))

    assert again.pk != case.pk and again.status == CaseStatus.OPEN
