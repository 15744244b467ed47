"""Scoring: every input, weight and point stored with the bureau's report, reproducible from what is stored; the
credit bureau over real HTTP on loopback (the simulator), and a bureau that is down leaving the application under
review with its reason, never a 500."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from apps.domain_errors import DomainError
from apps.loans.bureau.base import BureauSubject, BureauUnavailable
from apps.loans.bureau.http import HttpCreditBureau
from apps.loans.models import ApplicationStatus, CreditBureauReport, ScoringDecision
from apps.loans.scorecard import LABELS, ScoringConfiguration, ScoringFacts, score_card
from apps.loans.services.scoring import BUREAU_DOWN_REASON, recomputed_card, score_application
from apps.loans.services.underwriting import underwrite_application
from apps.loans.tasks import score_loan_application_task, score_waiting_applications
from apps.loans.tests.application_fixtures import submitted

pytestmark = pytest.mark.django_db


def test_a_score_stores_every_input_weight_and_point_and_the_bureau_report(applicant, product, bureau):
    bureau.files["Ana Applicant"] = {"score": 740, "monthly_obligations": "150.00", "open_accounts": 2}
    application = submitted(applicant, product)
    decision = score_application(application=application, actor=None)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.status_reason == ""
    report = decision.bureau_report
    assert (report.status, report.score, report.monthly_obligations, report.bureau) == (
        "received", 740, Decimal("150.00"), "creditline")
    lines = {line["name"]: line for line in decision.inputs["lines"]}
    assert set(lines) == set(LABELS)
    assert sum(line["weight"] for line in lines.values()) == 100
    assert sum(Decimal(line["points"]) for line in lines.values()) == decision.score
    for line in lines.values():
        assert Decimal(line["points"]) == (line["weight"] * Decimal(line["subscore"])).quantize(Decimal("0.01"))
        assert line["explanation"]
    facts = decision.inputs["facts"]
    # The new instalment is the schedule engine's: 5,000 over 24 months at 9.5 %.
    assert decision.instalment == Decimal(facts["new_instalment"]) == Decimal("229.57")
    assert facts["deposit_balance"] == "3000.00" and facts["kyc_risk_rating"] == "low"
    assert facts["declared_obligations"] == "200.00" and facts["bureau_obligations"] == "150.00"
    # debt to income: (max(200, 150) + 229.57) / 3000 = 14.32 %: full points
    assert lines["debt_to_income"]["value"] == "14.32 %" and lines["debt_to_income"]["points"] == "30.00"
    assert lines["bureau_score"]["value"] == "740"
    assert decision.outcome == "approve" and decision.configuration["weights"] == lines_weights(lines)


def lines_weights(lines):
    return {name: line["weight"] for name, line in lines.items()}


def test_a_stored_score_is_reproduced_from_its_facts_and_configuration(applicant, product, bureau, settings):
    decision = score_application(application=submitted(applicant, product), actor=None)
    settings.LOAN_SCORING_WEIGHTS = {**settings.LOAN_SCORING_WEIGHTS, "bureau_score": 0, "kyc_risk": 30}
    card = recomputed_card(decision)  # the stored configuration, not today's
    assert card.score == decision.score and card.outcome == decision.outcome
    assert [line.as_json() for line in card.lines] == decision.inputs["lines"]


def test_weights_and_thresholds_come_from_the_settings(applicant, product, bureau, settings):
    settings.LOAN_SCORE_APPROVE_AT = 101
    settings.LOAN_SCORE_REFER_AT = 100
    decision = score_application(application=submitted(applicant, product), actor=None)
    assert decision.outcome == "decline" and decision.configuration["approve_at"] == 101


def test_high_debt_to_income_and_a_bureau_default_are_knockouts(applicant, product, bureau):
    bureau.files["Ana Applicant"] = {"score": 800, "defaults": 1}
    decision = score_application(application=submitted(applicant, product, obligations="1500.00"), actor=None)
    assert decision.outcome == "decline"
    assert [k["code"] for k in decision.knockouts] == ["debt_to_income_too_high", "bureau_default"]


def test_no_file_at_the_bureau_is_a_thin_file_with_half_points(applicant, product, bureau):
    bureau.no_file.add("Ana Applicant")
    decision = score_application(application=submitted(applicant, product), actor=None)
    assert decision.bureau_report.status == CreditBureauReport.Status.NO_FILE
    line = next(line for line in decision.inputs["lines"] if line["name"] == "bureau_score")
    assert line["subscore"] == "0.5000" and decision.outcome != "incomplete"


@pytest.mark.parametrize("mode", ["unavailable", "timeout", "malformed", "wrong_token", "closed_port"])
def test_a_bureau_that_is_down_leaves_the_application_under_review_with_its_reason(
        applicant, product, bureau, settings, mode, loan_officer):
    bureau_url = settings.CREDIT_BUREAU_URL
    if mode == "wrong_token":
        settings.CREDIT_BUREAU_API_TOKEN = "stolen"
    elif mode == "closed_port":
        settings.CREDIT_BUREAU_URL = "http://127.0.0.1:9"
    else:
        bureau.set_behaviour(mode, delay=0.5)
    application = submitted(applicant, product)
    decision = score_application(application=application, actor=None)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.status_reason == BUREAU_DOWN_REASON
    assert decision.outcome == "incomplete" and decision.bureau_report.status == "unavailable"
    assert decision.bureau_report.error
    with pytest.raises(DomainError) as refused:
        underwrite_application(application=application, underwriter=loan_officer, recommendation="approve")
    assert refused.value.code == "scoring_incomplete"
    # The bureau is back: scoring again completes the card and clears the reason.
    bureau.set_behaviour("answer")
    settings.CREDIT_BUREAU_API_TOKEN = bureau.api_token
    settings.CREDIT_BUREAU_URL = bureau_url
    again = score_application(application=application, actor=loan_officer)
    application.refresh_from_db()
    assert again.outcome != "incomplete" and application.status_reason == ""
    assert ScoringDecision.objects.filter(application=application).count() == 2


def test_the_breaker_opens_after_repeated_failures_and_refuses_at_once(bureau_server, bureau):
    bureau.set_behaviour("unavailable")
    client = HttpCreditBureau(base_url=bureau_server.url, api_token=bureau.api_token, max_attempts=1,
                              name="breaker-test")
    client.breaker.failure_threshold = 2
    subject = BureauSubject(inquiry_reference="r-1", legal_name="Ana", country="PT")
    for _ in range(2):
        with pytest.raises(BureauUnavailable):
            client.fetch_report(subject)
    requests_before = bureau.requests
    with pytest.raises(BureauUnavailable, match="open"):
        client.fetch_report(subject)
    assert bureau.requests == requests_before  # refused without asking


def test_the_client_sends_the_token_and_the_inquiry_reference_as_idempotency_key(bureau_server, bureau):
    client = HttpCreditBureau(base_url=bureau_server.url, api_token=bureau.api_token)
    subject = BureauSubject(inquiry_reference="r-2", legal_name="Rui", country="PT")
    first, second = client.fetch_report(subject), client.fetch_report(subject)
    assert first == second and first.found and 300 <= first.score <= 850
    assert len(bureau.reports) == 1


def test_a_report_out_of_range_is_the_bureau_failing():
    def answer(request):
        return httpx.Response(200, json={"reference": "x", "score": 9000})

    client = HttpCreditBureau(base_url="http://bureau.test", api_token="t", transport=httpx.MockTransport(answer))
    with pytest.raises(BureauUnavailable, match="out of range"):
        client.fetch_report(BureauSubject(inquiry_reference="r-3", legal_name="Eva", country="PT"))


def test_the_task_scores_a_submitted_application_and_leaves_a_decided_one(applicant, product, bureau):
    application = submitted(applicant, product)
    assert score_loan_application_task(application.pk) is not None
    application.status = ApplicationStatus.WITHDRAWN
    application.save()
    assert score_loan_application_task(application.pk) is None


def test_the_scorecard_is_pure_and_explains_a_missing_income():
    facts = ScoringFacts(currency="EUR", declared_income=Decimal("0"), declared_obligations=Decimal("0"),
                         new_instalment=Decimal("100"), bank_loan_instalments=Decimal("0"),
                         deposit_balance=Decimal("0"), deposit_monthly_credits=Decimal("0"), loans_in_arrears=0,
                         max_days_past_due=0, kyc_risk_rating="high", bureau_status="received", bureau_score=300,
                         bureau_obligations=Decimal("0"), bureau_defaults=0)
    card = score_card(facts, ScoringConfiguration.from_settings())
    assert card.outcome == "decline" and card.knockouts[0]["code"] == "no_declared_income"
    assert card.score == Decimal("10.00")  # only the past delinquency's points: no arrears at the bank


def test_a_submission_is_scored_once_it_commits(applicant, product, bureau, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(applicant, product)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert ScoringDecision.objects.filter(application=application, performed_by__isnull=True).count() == 1


def test_a_broker_that_is_down_leaves_the_submission_waiting_not_failed(applicant, product, bureau, broker_down,
                                                                        django_capture_on_commit_callbacks):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        application = submitted(applicant, product)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and not ScoringDecision.objects.exists()


def test_the_sweep_scores_again_what_waits_for_the_bureau_and_leaves_the_rest(applicant, product, bureau):
    bureau.set_behaviour("unavailable")
    waiting = submitted(applicant, product, key="waiting")
    score_application(application=waiting, actor=None)
    bureau.set_behaviour("answer")
    complete = submitted(applicant, product, key="complete")
    score_application(application=complete, actor=None)
    just_submitted = submitted(applicant, product, key="new")  # its own task is on the way
    assert score_waiting_applications() == 1
    waiting.refresh_from_db()
    assert waiting.status_reason == "" and waiting.scoring_decisions.count() == 2
    assert complete.scoring_decisions.count() == 1 and just_submitted.scoring_decisions.count() == 0


def test_staff_of_another_branch_may_not_score(applicant, product, bureau, manager_b):
    application = submitted(applicant, product)
    with pytest.raises(DomainError) as refused:
        score_application(application=application, actor=manager_b)
    assert refused.value.code == "branch_trespass" and not ScoringDecision.objects.exists()
