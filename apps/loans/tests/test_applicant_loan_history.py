"""The applicant's loans at the bank in the scorecard: their instalments, as a month's worth, in the debt-to-income
input, and a loan in arrears lowering the score (half points up to 30 days past due, a knock-out past 90)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import Account
from apps.loans.applicant_history import bank_loan_history
from apps.loans.services.scoring import score_application
from apps.loans.tests.application_fixtures import submitted
from apps.loans.tests.loan_factories import booked_loan, set_business_date
from apps.organization.selectors import current_business_date

pytestmark = pytest.mark.django_db


def _book(applicant, product, officer, **fields):
    account = Account.objects.get(customer=applicant)
    return booked_loan(customer=applicant, product=product, account=account, staff=officer, **fields)


def _largest_instalment(loan) -> Decimal:
    return max(i.principal_due + i.interest_due + i.fee_due for i in loan.instalments.all())


def test_the_history_reads_each_loans_instalment_as_a_month_in_one_query(applicant, product, officer,
                                                                         django_assert_num_queries):
    # given loans paid weekly, every two weeks, monthly and quarterly, and one in another currency
    loans = {frequency: _book(applicant, product, officer, repayment_frequency=frequency)
             for frequency in ("weekly", "biweekly", "monthly", "quarterly")}
    expected = (_largest_instalment(loans["weekly"]) * 52 / 12 + _largest_instalment(loans["biweekly"]) * 26 / 12
                + _largest_instalment(loans["monthly"]) + _largest_instalment(loans["quarterly"]) / 3)
    # when the history is read
    on = current_business_date()
    with django_assert_num_queries(1):
        history = bank_loan_history(applicant, currency="EUR", on=on)
    # then every loan counts, as a month's worth, and none is in arrears
    assert history.monthly_instalments == expected.quantize(Decimal("0.01"))
    assert (history.loans_in_arrears, history.max_days_past_due) == (0, 0)
    assert bank_loan_history(applicant, currency="USD", on=on).monthly_instalments == 0


def test_the_debt_to_income_counts_the_existing_loans_instalments(applicant, product, officer, bureau):
    loan = _book(applicant, product, officer, amount="1200.00")
    decision = score_application(application=submitted(applicant, product), actor=None)
    facts = decision.inputs["facts"]
    existing = _largest_instalment(loan)
    assert Decimal(facts["bank_loan_instalments"]) == existing
    # (declared 200 + the bank's instalment + the new 229.57) / 3000
    dti = ((Decimal("200.00") + existing + Decimal("229.57")) / 3000 * 100).quantize(Decimal("0.01"))
    assert {line["name"]: line["value"] for line in decision.inputs["lines"]}["debt_to_income"] == f"{dti} %"


def _days_past_due_at(applicant, product, officer, bureau, days: int, key: str):
    """Score an application when the applicant's loan's first instalment is ``days`` past due, unpaid."""
    first_due = applicant.loans.get().instalments.order_by("due_date").first().due_date
    set_business_date(first_due + datetime.timedelta(days=days))
    return score_application(application=submitted(applicant, product, key=key), actor=None)


def test_a_loan_in_arrears_lowers_the_score_and_past_90_days_knocks_it_out(applicant, product, officer, bureau):
    _book(applicant, product, officer, amount="1200.00")
    on_time = score_application(application=submitted(applicant, product, key="before"), actor=None)
    lines = {line["name"]: line for line in on_time.inputs["lines"]}
    assert lines["past_delinquency"]["value"] == "none" and lines["past_delinquency"]["subscore"] == "1.0000"

    late = _days_past_due_at(applicant, product, officer, bureau, 12, "late")
    lines = {line["name"]: line for line in late.inputs["lines"]}
    assert lines["past_delinquency"]["value"] == "1 in arrears, up to 12 days"
    assert lines["past_delinquency"]["subscore"] == "0.5000" and late.score < on_time.score
    assert not late.knockouts

    very_late = _days_past_due_at(applicant, product, officer, bureau, 91, "very-late")
    assert very_late.outcome == "decline"
    assert "delinquent_at_bank" in [k["code"] for k in very_late.knockouts]
