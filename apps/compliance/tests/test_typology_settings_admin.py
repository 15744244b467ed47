"""The typology settings page: the library with its live and shadow settings, the forms that propose a change
(the checker sees the diff in Approval requests and approves it there), promote a shadow, and request a
backtest."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.compliance.models import Alert, BacktestRun, TypologySetting
from apps.compliance.models.backtests import BacktestStatus
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.settings import CHANGE_TYPOLOGY_SETTING, PROMOTE_SHADOW_SETTING
from apps.compliance.tests.lifecycle_support import setting_checker_fixture, setting_maker_fixture  # noqa: F401
from apps.customers.tests.factories import verified_customer
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import admin_client, approve_in_admin, pending_request

pytestmark = pytest.mark.django_db

PAGE = "admin:compliance_typologysetting_changelist"


@pytest.fixture
def live_and_shadow_eur():
    live = TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                          parameters={"amount_at_least": "10000.00"})
    shadow = TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "5000.00"})
    return live, shadow


def _state(setting):
    setting = TypologySetting.objects.get(pk=setting.pk)
    return setting.parameters, setting.mode, setting.is_enabled, setting.revision, setting.history.count()


def test_the_page_shows_each_typology_with_its_live_and_shadow_settings_and_the_chart(
        live_and_shadow_eur, setting_maker, django_assert_max_num_queries):
    client = admin_client(setting_maker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(PAGE))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Large cash · version 1 · real time" in html
    assert "One cash deposit or withdrawal at or above the threshold." in html
    assert "10,000.00 EUR" in html and "5,000.00 EUR" in html
    assert 'id="alerts-large_cash-chart"' in html and "Promote to live" in html


def test_the_page_keeps_its_query_count_with_more_settings_and_backtests(
        live_and_shadow_eur, setting_maker, django_assert_max_num_queries):
    for currency in ("USD", "GBP", "CHF"):
        TypologySetting.objects.create(typology="large_cash", currency=currency, parameters={})
        TypologySetting.objects.create(typology="large_cash", currency=currency, mode=SettingMode.SHADOW,
                                       parameters={})
        BacktestRun.objects.create(typology="large_cash", typology_version=1, currency=currency, parameters={},
                                   date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 2),
                                   requested_by=setting_maker)
    client = admin_client(setting_maker)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(PAGE)).status_code == 200


def test_a_change_proposed_on_the_page_is_shown_to_the_checker_as_a_diff_and_applied_on_approval(
        live_and_shadow_eur, setting_maker, setting_checker):
    # given
    live, _shadow = live_and_shadow_eur
    before = _state(live)
    url = reverse("admin:compliance_typologysetting_propose", args=[live.pk])
    # when: the maker proposes
    response = admin_client(setting_maker).post(url, {"mode": "live", "is_enabled": "on",
                                                      "parameter_amount_at_least": "8000"}, follow=True)
    # then: nothing changed, a request waits
    approval = pending_request(CHANGE_TYPOLOGY_SETTING)
    assert f"request #{approval.pk}" in response.content.decode()
    assert _state(live) == before
    # and the checker sees the parameter's row in the diff
    html = admin_client(setting_checker).get(
        reverse("admin:organization_approvalrequest_change", args=[approval.pk])).content.decode()
    assert "<th>Cash amount at least</th><td>10,000.00 EUR</td><td>8,000.00 EUR</td>" in html
    # when: the checker approves in Approval requests
    approve_in_admin(setting_checker, approval)
    # then
    assert _state(live)[:4] == ({"amount_at_least": "8000.00"}, "live", True, 2)
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.APPROVED


def test_the_maker_approving_their_own_change_in_the_admin_changes_nothing(live_and_shadow_eur, setting_maker):
    live, _shadow = live_and_shadow_eur
    admin_client(setting_maker).post(reverse("admin:compliance_typologysetting_propose", args=[live.pk]),
                                     {"mode": "live", "is_enabled": "on", "parameter_amount_at_least": "8000"})
    approval = pending_request(CHANGE_TYPOLOGY_SETTING)
    before = _state(live)

    approve_in_admin(setting_maker, approval)

    assert _state(live) == before
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.PENDING


def test_a_refused_proposal_is_shown_on_the_form_and_nothing_is_recorded(live_and_shadow_eur, setting_maker):
    live, _shadow = live_and_shadow_eur
    response = admin_client(setting_maker).post(
        reverse("admin:compliance_typologysetting_propose", args=[live.pk]),
        {"mode": "live", "is_enabled": "on", "parameter_amount_at_least": "-1"})
    assert response.status_code == 200
    assert "Cash amount at least: must be above zero." in response.content.decode()
    assert not ApprovalRequest.objects.exists()


def test_a_new_setting_is_proposed_from_the_page(setting_maker):
    response = admin_client(setting_maker).post(
        reverse("admin:compliance_typologysetting_propose_new", args=["large_cash"]),
        {"currency": "USD", "mode": "shadow", "is_enabled": "on", "parameter_amount_at_least": "9000"})
    assert response.status_code == 302
    labels = [row["label"] for row in pending_request(CHANGE_TYPOLOGY_SETTING).parameters["changes"]]
    assert "Cash amount at least" in labels
    assert not TypologySetting.objects.exists()


def test_a_shadow_is_promoted_from_the_page_once_approved(live_and_shadow_eur, setting_maker, setting_checker):
    live, shadow = live_and_shadow_eur
    url = reverse("admin:compliance_typologysetting_promote", args=[shadow.pk])
    assert "Promote" in admin_client(setting_maker).get(url).content.decode()

    admin_client(setting_maker).post(url)
    approve_in_admin(setting_checker, pending_request(PROMOTE_SHADOW_SETTING))

    assert TypologySetting.objects.get(pk=live.pk).parameters == {"amount_at_least": "5000.00"}
    assert not TypologySetting.objects.get(pk=shadow.pk).is_enabled


def test_a_backtest_is_requested_from_the_page_and_its_figures_are_shown(
        live_and_shadow_eur, setting_maker, django_capture_on_commit_callbacks):
    _live, shadow = live_and_shadow_eur
    url = reverse("admin:compliance_typologysetting_backtest", args=["large_cash"]) + f"?setting={shadow.pk}"
    client = admin_client(setting_maker)
    assert 'value="5000.00"' in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"currency": "EUR", "date_from": "2026-03-01", "date_to": "2026-03-31",
                                     "parameter_amount_at_least": "5000.00"}, follow=True)

    run = BacktestRun.objects.get()
    assert (run.status, run.source_setting, run.parameters) == (BacktestStatus.DONE, shadow,
                                                                 {"amount_at_least": "5000.00"})
    assert f"Backtest #{run.pk} is queued" in response.content.decode()
    assert not Alert.objects.exists()
    assert reverse("admin:compliance_backtestrun_change", args=[run.pk]) in response.content.decode()


def test_staff_without_the_permission_see_no_forms(live_and_shadow_eur, auditor):
    client = admin_client(auditor)
    html = client.get(reverse(PAGE)).content.decode()
    assert "Propose a change" not in html and "Backtest…" not in html
    live, _shadow = live_and_shadow_eur
    assert client.get(reverse("admin:compliance_typologysetting_propose", args=[live.pk])).status_code == 403


def test_a_backtests_page_names_the_customers_it_would_alert(seeded_run, setting_maker):
    html = admin_client(setting_maker).get(
        reverse("admin:compliance_backtestrun_change", args=[seeded_run.pk])).content.decode()
    assert "Ada Lovelace</a> (#" in html and "3 alert(s)" in html


def test_the_backtests_list_keeps_its_query_count(seeded_run, setting_maker, django_assert_max_num_queries):
    for _ in range(5):
        BacktestRun.objects.create(typology="large_cash", typology_version=1, currency="EUR", parameters={},
                                   date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 2),
                                   requested_by=setting_maker)
    client = admin_client(setting_maker)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:compliance_backtestrun_changelist"))
    assert response.status_code == 200 and response.context["cl"].result_count == 6


@pytest.fixture
def seeded_run(branch_a, setting_maker):
    ada = verified_customer(branch=branch_a, legal_name="Ada Lovelace")
    return BacktestRun.objects.create(
        typology="large_cash", typology_version=1, currency="EUR", parameters={"amount_at_least": "5000.00"},
        date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 2), requested_by=setting_maker,
        status=BacktestStatus.DONE, finished_at=timezone.now(), transactions_evaluated=4, alerts_would_raise=3,
        customers_alerted=1, customers=[{"id": ada.pk, "name": ada.legal_name, "alerts": 3}])
