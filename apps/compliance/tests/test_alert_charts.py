"""The charts of alerts per week: per typology for the compliance home (the live settings' alerts), and live
against shadow for the typology settings page."""

import datetime

import pytest

from apps.accounts.tests.factories import open_funded_account
from apps.compliance.charts import alerts_per_typology_per_week, live_and_shadow_alerts_per_week, week_starts
from apps.compliance.models import TypologySetting
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.monitoring import evaluate_transaction
from apps.compliance.tests.lifecycle_support import seed_cash
from apps.compliance.typologies.base import library

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2026, 3, 4)


def test_weeks_run_monday_to_sunday_ending_with_the_business_dates_week():
    assert week_starts(business_date=WEDNESDAY, weeks=3) == [datetime.date(2026, 2, 16), datetime.date(2026, 2, 23),
                                                             datetime.date(2026, 3, 2)]


@pytest.fixture
def alerted(customer, savings, teller_a):
    TypologySetting.objects.create(typology="large_cash", currency="EUR", parameters={"amount_at_least": "10000"})
    TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                   parameters={"amount_at_least": "5000"})
    account = open_funded_account(customer, savings, None, teller=teller_a)
    for amount, day in (("12000.00", WEDNESDAY), ("6000.00", WEDNESDAY), ("11000.00", WEDNESDAY
                                                                           - datetime.timedelta(days=7))):
        evaluate_transaction(row=seed_cash(account, amount, teller=teller_a, on=day))


def test_the_home_chart_counts_each_typologys_live_alerts_per_week(alerted, django_assert_num_queries):
    with django_assert_num_queries(1):
        chart = alerts_per_typology_per_week(business_date=WEDNESDAY, weeks=2)
    assert chart.labels == ["week of 2026-02-23", "week of 2026-03-02"]
    by_label = {series.label: series for series in chart.series}
    assert len(by_label) == len(library())  # a line per typology of the library, whether it alerted or not
    series = by_label["Large cash"]
    assert (series.values, series.texts) == ([1, 1], ["1 alert", "1 alert"])
    assert all(other.values == [0, 0] for label, other in by_label.items() if label != "Large cash")


def test_the_settings_chart_puts_live_and_shadow_alerts_side_by_side(alerted, django_assert_num_queries):
    with django_assert_num_queries(1):
        charts = live_and_shadow_alerts_per_week(business_date=WEDNESDAY, weeks=2)
    (chart,) = [chart for chart in charts if chart.id == "alerts-large_cash-chart"]
    live, shadow = chart.series
    assert (live.label, live.values) == ("Live", [1, 1])
    assert (shadow.label, shadow.values) == ("Shadow", [1, 2])
