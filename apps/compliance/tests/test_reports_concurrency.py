"""Real races on PostgreSQL: two officers filing one SAR file it once; the end of day aggregating a CTR day while
another run does the same makes one entry."""

import datetime

import pytest

from apps.accounts.tests.factories import open_account
from apps.compliance.errors import SarRefused
from apps.compliance.models import CtrThreshold, CurrencyTransactionReport, SuspiciousActivityReport
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.models.reports import SarStatus
from apps.compliance.services.ctr import aggregate_ctrs, ctr_business_date
from apps.compliance.services.sar import draft_sar, file_sar, submit_sar_for_review
from apps.compliance.tests.report_fixtures import cash_in, local
from apps.compliance.tests.sar_fixtures import case, checker, drafter, with_permissions  # noqa: F401
from apps.organization import roles
from apps.organization.services import approve_request
from apps.organization.tests.factories import StaffFactory
from tests.races import run_in_threads

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
MONDAY = datetime.date(2026, 12, 7)


def test_two_officers_filing_one_sar_file_it_once(case, drafter, checker, branch_a):  # noqa: F811
    second = with_permissions(StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a),
                              ["compliance.file_sar"])
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)
    approve_request(request=submit_sar_for_review(sar=sar, actor=drafter), checker=checker)
    officers = [drafter, second]
    refused = []

    def work(index):
        try:
            file_sar(sar=sar, actor=officers[index])
        except SarRefused as error:
            refused.append(error)

    errors = run_in_threads(work, threads=2)

    assert errors == [] and len(refused) == 1
    stored = SuspiciousActivityReport.objects.get(pk=sar.pk)
    assert stored.status == SarStatus.FILED and stored.history.filter(status=SarStatus.FILED).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_SAR


def test_two_runs_aggregating_one_day_make_one_entry(customer, savings, teller_a):
    CtrThreshold.objects.get_or_create(currency="EUR", defaults={"amount": "10000.00"})
    account = open_account(customer=customer, product=savings, actor=teller_a)
    # Committed here, so the outbox records the movement as it was made: its day is the bank's.
    row = cash_in(account, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    day = ctr_business_date(business_date=row.business_date, occurred_at=row.occurred_at, holidays=())
    results = []

    def work(index):
        results.append(aggregate_ctrs(business_date=day))

    errors = run_in_threads(work, threads=2)

    assert errors == [], results
    assert CurrencyTransactionReport.objects.count() == 1, results
    assert sorted((r["created"], r["unchanged"]) for r in results) == [(0, 1), (1, 0)]
