"""The CTR register: a customer's cash per CTR business day per currency, across branches and accounts, deposits
and withdrawals apart, above the currency's threshold; the cut-off moves cash to the next business day."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from apps.accounts.tests.factories import open_account
from apps.compliance.errors import CtrFilingRefused, CtrThresholdChangeRefused
from apps.compliance.models import CtrThreshold, CurrencyTransactionReport
from apps.compliance.models.reports import CtrStatus
from apps.compliance.services.ctr import (
    aggregate_ctrs,
    aggregate_recent_ctrs,
    ctr_business_date,
    file_ctr,
    propose_ctr_threshold_change,
)
from apps.compliance.tests.report_fixtures import cash_in, cash_out, local
from apps.domain_errors import PermissionRefused
from apps.eod_registry import registered_steps
from apps.organization.configuration import NothingToChange
from apps.organization.models import Holiday
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eur_threshold(db):
    """The EUR threshold the migration starts with (read again: a transactional test elsewhere flushes tables)."""
    return CtrThreshold.objects.get_or_create(currency="EUR", defaults={"amount": Decimal("10000.00")})[0]

FRIDAY = datetime.date(2026, 12, 4)
MONDAY = datetime.date(2026, 12, 7)
TUESDAY_HOLIDAY = datetime.date(2026, 12, 8)
WEDNESDAY = datetime.date(2026, 12, 9)


@pytest.fixture
def two_accounts(customer, savings, teller_a, branch_b, django_user_model):
    """The customer's account at branch A, and another one opened at branch B (each branch's teller serves its
    own accounts)."""
    return (open_account(customer=customer, product=savings, actor=teller_a),
            open_account(customer=customer, product=savings, branch=branch_b,
                         actor=django_user_model.objects.create_superuser("head-office", password="x")))


def test_cash_across_two_branches_and_two_accounts_above_the_threshold_enters_the_register(
        customer, two_accounts, teller_a, teller_b):
    first, second = two_accounts
    rows = [cash_in(first, "6000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY),
            cash_in(second, "4000.01", teller=teller_b, at=local(MONDAY, "15:59"), business_date=MONDAY)]
    assert {row.branch_id for row in rows} == {teller_a.home_branch_id, teller_b.home_branch_id}

    counts = aggregate_ctrs(business_date=MONDAY)

    ctr = CurrencyTransactionReport.objects.get()
    assert counts["created"] == 1
    assert (ctr.customer, ctr.business_date, ctr.currency, ctr.status) == (customer, MONDAY, "EUR", CtrStatus.READY)
    assert (ctr.cash_in, ctr.cash_out, ctr.threshold) == (Decimal("10000.01"), Decimal("0.00"), Decimal("10000.00"))
    assert set(ctr.transactions.all()) == set(rows)


def test_cash_at_the_threshold_is_not_reported(two_accounts, teller_a, teller_b):
    first, second = two_accounts
    cash_in(first, "6000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    cash_in(second, "4000.00", teller=teller_b, at=local(MONDAY, "11:00"), business_date=MONDAY)

    assert aggregate_ctrs(business_date=MONDAY)["created"] == 0
    assert not CurrencyTransactionReport.objects.exists()


def test_deposits_and_withdrawals_are_aggregated_apart(two_accounts, teller_a):
    first, _ = two_accounts
    cash_in(first, "9000.00", teller=teller_a, at=local(MONDAY, "09:00"), business_date=MONDAY)
    cash_out(first, "8000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)

    aggregate_ctrs(business_date=MONDAY)

    assert not CurrencyTransactionReport.objects.exists()  # 17,000 of cash, but neither side above 10,000


def test_withdrawals_above_the_threshold_are_reported(two_accounts, teller_a):
    first, _ = two_accounts
    cash_in(first, "9000.00", teller=teller_a, at=local(FRIDAY, "09:00"), business_date=FRIDAY)
    cash_in(first, "9000.00", teller=teller_a, at=local(MONDAY, "09:00"), business_date=MONDAY)
    cash_out(first, "6000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    cash_out(first, "6000.00", teller=teller_a, at=local(MONDAY, "11:00"), business_date=MONDAY)

    aggregate_ctrs(business_date=MONDAY)

    ctr = CurrencyTransactionReport.objects.get()
    assert (ctr.cash_in, ctr.cash_out) == (Decimal("9000.00"), Decimal("12000.00"))


def test_a_deposit_after_the_cut_off_counts_toward_the_next_business_day_over_the_weekend(
        two_accounts, teller_a, teller_b):
    first, second = two_accounts
    cash_in(first, "6000.00", teller=teller_a, at=local(FRIDAY, "15:59"), business_date=FRIDAY)
    late = cash_in(second, "6000.00", teller=teller_b, at=local(FRIDAY, "16:00"), business_date=FRIDAY)
    monday = cash_in(first, "4500.00", teller=teller_a, at=local(MONDAY, "09:30"), business_date=MONDAY)

    aggregate_ctrs(business_date=FRIDAY)
    aggregate_ctrs(business_date=MONDAY)

    ctr = CurrencyTransactionReport.objects.get()  # Friday's 6,000 alone is below; Monday has 10,500
    assert ctr.business_date == MONDAY and ctr.cash_in == Decimal("10500.00")
    assert set(ctr.transactions.all()) == {late, monday}


def test_after_the_cut_off_before_a_holiday_counts_toward_the_business_day_after_it(two_accounts, teller_a):
    Holiday.objects.create(date=TUESDAY_HOLIDAY, name="Immaculate Conception")
    first, _ = two_accounts
    cash_in(first, "10000.50", teller=teller_a, at=local(MONDAY, "17:45"), business_date=MONDAY)

    aggregate_ctrs(business_date=MONDAY)
    assert not CurrencyTransactionReport.objects.exists()
    aggregate_ctrs(business_date=WEDNESDAY)

    assert CurrencyTransactionReport.objects.get().business_date == WEDNESDAY


def test_the_cut_off_is_in_the_banks_time_zone(settings):
    settings.TIME_ZONE = "Europe/Madrid"
    settings.COMPLIANCE_CTR_CUTOFF = "16:00"
    at_15_30_in_madrid = datetime.datetime(2026, 12, 7, 14, 30, tzinfo=datetime.UTC)
    at_16_30_in_madrid = datetime.datetime(2026, 12, 7, 15, 30, tzinfo=datetime.UTC)

    assert ctr_business_date(business_date=MONDAY, occurred_at=at_15_30_in_madrid, holidays=()) == MONDAY
    assert ctr_business_date(business_date=MONDAY, occurred_at=at_16_30_in_madrid, holidays=()) == MONDAY + (
        datetime.timedelta(days=1))


def test_aggregating_a_day_again_changes_nothing(two_accounts, teller_a):
    first, _ = two_accounts
    cash_in(first, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    aggregate_ctrs(business_date=MONDAY)
    ctr = CurrencyTransactionReport.objects.get()
    history = ctr.history.count()

    counts = aggregate_ctrs(business_date=MONDAY)

    assert counts == {"created": 0, "updated": 0, "unchanged": 1, "filed_changed": 0}
    assert CurrencyTransactionReport.objects.count() == 1 and ctr.history.count() == history


def test_a_movement_recorded_late_updates_the_ready_entry(two_accounts, teller_a, teller_b):
    first, second = two_accounts
    cash_in(first, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    aggregate_ctrs(business_date=MONDAY)
    late = cash_in(second, "300.00", teller=teller_b, at=local(MONDAY, "11:00"), business_date=MONDAY)

    counts = aggregate_recent_ctrs(MONDAY + datetime.timedelta(days=1))

    ctr = CurrencyTransactionReport.objects.get()
    assert counts["updated"] == 1 and ctr.cash_in == Decimal("12300.00") and late in ctr.transactions.all()


def test_a_filed_entry_is_not_rewritten_by_a_late_movement(two_accounts, teller_a, compliance_officer):
    compliance_officer.user_permissions.add(*_permissions("file_ctr"))
    first, _ = two_accounts
    cash_in(first, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    aggregate_ctrs(business_date=MONDAY)
    file_ctr(ctr=CurrencyTransactionReport.objects.get(), fiu_reference="FIU-CTR-1", actor=_fresh(compliance_officer))
    cash_in(first, "50.00", teller=teller_a, at=local(MONDAY, "12:00"), business_date=MONDAY)

    counts = aggregate_ctrs(business_date=MONDAY)

    ctr = CurrencyTransactionReport.objects.get()
    assert counts["filed_changed"] == 1 and ctr.cash_in == Decimal("12000.00") and ctr.status == CtrStatus.FILED


def test_filing_a_ctr_records_the_fius_acknowledgement_once(two_accounts, teller_a, compliance_officer):
    compliance_officer.user_permissions.add(*_permissions("file_ctr"))
    officer = _fresh(compliance_officer)
    first, _ = two_accounts
    cash_in(first, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    aggregate_ctrs(business_date=MONDAY)
    ctr = CurrencyTransactionReport.objects.get()

    with pytest.raises(CtrFilingRefused):
        file_ctr(ctr=ctr, fiu_reference="  ", actor=officer)
    file_ctr(ctr=ctr, fiu_reference="FIU-CTR-77", actor=officer)
    with pytest.raises(CtrFilingRefused):
        file_ctr(ctr=ctr, fiu_reference="FIU-CTR-78", actor=officer)

    ctr.refresh_from_db()
    assert (ctr.status, ctr.fiu_reference, ctr.filed_by) == (CtrStatus.FILED, "FIU-CTR-77", officer)


def test_filing_needs_the_permission(two_accounts, teller_a):
    first, _ = two_accounts
    cash_in(first, "12000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)
    aggregate_ctrs(business_date=MONDAY)

    with pytest.raises(PermissionRefused):
        file_ctr(ctr=CurrencyTransactionReport.objects.get(), fiu_reference="X", actor=teller_a)
    assert CurrencyTransactionReport.objects.get().status == CtrStatus.READY


def test_a_currency_without_a_threshold_is_not_aggregated(two_accounts, teller_a):
    CtrThreshold.objects.filter(currency="EUR").delete()
    first, _ = two_accounts
    cash_in(first, "50000.00", teller=teller_a, at=local(MONDAY, "10:00"), business_date=MONDAY)

    aggregate_ctrs(business_date=MONDAY)

    assert not CurrencyTransactionReport.objects.exists()


def test_a_threshold_change_is_applied_only_when_a_second_person_approves_it(ops_admin, ops_checker):
    for user in (ops_admin, ops_checker):
        user.user_permissions.add(*_permissions("change_ctrthreshold", "add_ctrthreshold"))
    maker, checker = _fresh(ops_admin), _fresh(ops_checker)
    eur = CtrThreshold.objects.get(currency="EUR")
    eur.amount = Decimal("15000.00")

    request = propose_ctr_threshold_change(proposed=eur, maker=maker)

    assert CtrThreshold.objects.get(currency="EUR").amount == Decimal("10000.00")
    assert request.parameters["changes"][0]["before"] == "10000.0000"
    assert request.parameters["changes"][0]["after"] == "15000.0000"
    approve_request(request=request, checker=checker)
    stored = CtrThreshold.objects.get(currency="EUR")
    assert stored.amount == Decimal("15000.00") and stored.history.first().history_user == checker


def test_a_threshold_change_is_refused_when_nothing_or_something_impossible_changes(ops_admin):
    ops_admin.user_permissions.add(*_permissions("change_ctrthreshold"))
    maker = _fresh(ops_admin)
    eur = CtrThreshold.objects.get(currency="EUR")

    with pytest.raises(NothingToChange):
        propose_ctr_threshold_change(proposed=eur, maker=maker)
    eur.amount = Decimal("100.005")
    with pytest.raises(CtrThresholdChangeRefused):
        propose_ctr_threshold_change(proposed=eur, maker=maker)
    assert CtrThreshold.objects.get(currency="EUR").amount == Decimal("10000.00")


def test_the_end_of_day_has_the_ctr_step_at_710():
    step = {s.name: s for s in registered_steps()}["compliance.ctr"]
    assert step.order == 710 and step.function is aggregate_recent_ctrs


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="compliance", codename__in=codenames)


def _fresh(user):
    """The user read again: Django caches permissions on the instance."""
    return type(user).objects.get(pk=user.pk)


def test_the_starting_thresholds_come_with_their_history():
    assert CtrThreshold.objects.get(currency="EUR").amount == Decimal("10000.00")
    assert CtrThreshold.objects.get(currency="EUR").history.exists()
