"""A typology setting changes only when a second compliance officer approves: the proposal shows each changed
parameter as its own diff row, the typology validates the parameters when proposed and when approved, approval
raises the revision, and a request made on an older revision is refused."""

import datetime

import pytest

from apps.compliance.errors import TypologySettingRefused
from apps.compliance.models import TypologySetting
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.settings import (
    CHANGE_TYPOLOGY_SETTING,
    PROMOTE_SHADOW_SETTING,
    propose_shadow_promotion,
    propose_typology_setting_change,
)
from apps.compliance.tests.lifecycle_support import setting_checker_fixture, setting_maker_fixture  # noqa: F401
from apps.compliance.typologies.base import _LIBRARY, REALTIME, Parameter, Typology, register
from apps.domain_errors import PermissionRefused
from apps.organization.configuration import NothingToChange, StaleConfigurationChange
from apps.organization.errors import CheckerIsMaker
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_eur():
    return TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                          parameters={"amount_at_least": "10000"})


def _state(setting):
    setting = TypologySetting.objects.get(pk=setting.pk)
    return setting.parameters, setting.mode, setting.is_enabled, setting.revision, setting.history.count()


def _propose(setting, maker, *, parameters=None, **fields):
    proposed = TypologySetting.objects.get(pk=setting.pk)
    for name, value in fields.items():
        setattr(proposed, name, value)
    return propose_typology_setting_change(proposed=proposed, parameters=parameters, maker=maker)


def test_proposing_a_change_records_a_diff_row_per_parameter_and_changes_nothing(live_eur, setting_maker):
    # given
    before = _state(live_eur)
    # when
    approval = _propose(live_eur, setting_maker, parameters={"amount_at_least": "8000"}, is_enabled=False)
    # then
    assert approval.operation == CHANGE_TYPOLOGY_SETTING and approval.state == ApprovalRequest.State.PENDING
    rows = {c["field"]: c for c in approval.parameters["changes"]}
    assert rows["@parameter:amount_at_least"]["before"] == "10000.00"
    assert rows["@parameter:amount_at_least"]["after"] == "8000.00"
    assert rows["@parameter:amount_at_least"]["after_text"] == "8,000.00 EUR"
    assert (rows["is_enabled"]["before_text"], rows["is_enabled"]["after_text"]) == ("yes", "no")
    assert _state(live_eur) == before


def test_the_typology_refuses_bad_parameters_at_proposal_and_nothing_is_recorded(live_eur, setting_maker):
    for bad in ({"amount_at_least": "-5"}, {"amount_at_least": "100.001"}, {"unheard_of": 3}):
        with pytest.raises(TypologySettingRefused) as refused:
            _propose(live_eur, setting_maker, parameters=bad)
        assert refused.value.code == "typology_parameters_invalid"
    assert not ApprovalRequest.objects.exists()


def test_a_proposal_that_changes_nothing_is_refused(live_eur, setting_maker):
    with pytest.raises(NothingToChange):
        _propose(live_eur, setting_maker, parameters={"amount_at_least": "10000.00"})
    assert not ApprovalRequest.objects.exists()


def test_a_second_officer_approves_and_the_revision_rises_with_both_in_history(live_eur, setting_maker,
                                                                               setting_checker):
    # given
    approval = _propose(live_eur, setting_maker, parameters={"amount_at_least": "8000"})
    # when
    approve_request(request=approval, checker=setting_checker)
    # then
    setting = TypologySetting.objects.get(pk=live_eur.pk)
    assert setting.parameters == {"amount_at_least": "8000.00"} and setting.revision == 2
    latest = setting.history.first()
    assert latest.history_user == setting_checker
    assert latest.history_change_reason == (f"Maker-checker: proposed by {setting_maker.username}, "
                                            f"approved by {setting_checker.username}")
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.APPROVED


def test_the_maker_may_not_approve_their_own_change_and_nothing_changes(live_eur, setting_maker):
    # given
    approval = _propose(live_eur, setting_maker, parameters={"amount_at_least": "8000"})
    before = _state(live_eur)
    # when
    with pytest.raises(CheckerIsMaker):
        approve_request(request=approval, checker=setting_maker)
    # then
    assert _state(live_eur) == before
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.PENDING


def test_a_request_made_on_an_older_revision_is_refused_as_stale(live_eur, setting_maker, setting_checker):
    # given: two proposals on revision 1; the second is approved first
    first = _propose(live_eur, setting_maker, parameters={"amount_at_least": "8000"})
    second = _propose(live_eur, setting_maker, parameters={"amount_at_least": "9000"})
    approve_request(request=second, checker=setting_checker)
    before = _state(live_eur)
    # when
    with pytest.raises(StaleConfigurationChange):
        approve_request(request=first, checker=setting_checker)
    # then
    assert _state(live_eur) == before and before[0] == {"amount_at_least": "9000.00"}
    first.refresh_from_db()
    assert first.state == ApprovalRequest.State.FAILED and "revision 2" in first.failure_reason


def test_the_typology_validates_the_parameters_again_at_approval(live_eur, setting_maker, setting_checker):
    # given: a request whose parameter the library no longer accepts (as after a new version of the typology)
    approval = _propose(live_eur, setting_maker, parameters={"amount_at_least": "8000"})
    for change in approval.parameters["changes"]:
        change["after"] = "0"
    approval.save()
    before = _state(live_eur)
    # when
    with pytest.raises(TypologySettingRefused):
        approve_request(request=approval, checker=setting_checker)
    # then
    assert _state(live_eur) == before
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.FAILED


def test_a_new_shadow_setting_is_proposed_and_created_on_approval(live_eur, setting_maker, setting_checker):
    # given
    proposed = TypologySetting(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW)
    approval = propose_typology_setting_change(proposed=proposed, parameters={"amount_at_least": "5000"},
                                               maker=setting_maker)
    assert not TypologySetting.objects.filter(mode=SettingMode.SHADOW).exists()
    labels = [row["label"] for row in approval.parameters["changes"]]
    assert labels == ["Typology", "Currency", "Mode", "Is enabled", "Cash amount at least"]
    # when
    approve_request(request=approval, checker=setting_checker)
    # then
    shadow = TypologySetting.objects.get(mode=SettingMode.SHADOW)
    assert (shadow.typology, shadow.currency, shadow.parameters, shadow.revision) == (
        "large_cash", "EUR", {"amount_at_least": "5000.00"}, 1)


def test_a_second_live_setting_for_the_same_typology_and_currency_is_refused(live_eur, setting_maker):
    proposed = TypologySetting(typology="large_cash", currency="EUR", mode=SettingMode.LIVE)
    with pytest.raises(TypologySettingRefused) as refused:
        propose_typology_setting_change(proposed=proposed, parameters={}, maker=setting_maker)
    assert refused.value.code == "typology_setting_mode_taken"
    assert not ApprovalRequest.objects.exists()


def test_a_typology_not_in_the_library_is_refused(setting_maker):
    proposed = TypologySetting(typology="astrology", currency="EUR")
    with pytest.raises(TypologySettingRefused) as refused:
        propose_typology_setting_change(proposed=proposed, parameters={}, maker=setting_maker)
    assert refused.value.code == "typology_unknown"


def test_staff_without_the_permission_may_not_propose(live_eur, auditor):
    with pytest.raises(PermissionRefused):
        _propose(live_eur, auditor, parameters={"amount_at_least": "8000"})
    assert not ApprovalRequest.objects.exists()


def test_promoting_a_shadow_replaces_the_live_parameters_and_switches_the_shadow_off(live_eur, setting_maker,
                                                                                      setting_checker):
    # given
    shadow = TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "5000"})
    approval = propose_shadow_promotion(shadow=shadow, maker=setting_maker)
    assert approval.operation == PROMOTE_SHADOW_SETTING
    rows = {c["field"]: (c["before_text"], c["after_text"]) for c in approval.parameters["changes"]}
    assert rows == {"@parameter:amount_at_least": ("10,000.00 EUR", "5,000.00 EUR"),
                    "@shadow": ("running (revision 1)", "switched off (promoted)")}
    assert _state(live_eur)[0] == {"amount_at_least": "10000"}
    # when
    approve_request(request=approval, checker=setting_checker)
    # then
    live, shadow = TypologySetting.objects.get(pk=live_eur.pk), TypologySetting.objects.get(pk=shadow.pk)
    assert (live.parameters, live.revision, live.is_enabled) == ({"amount_at_least": "5000.00"}, 2, True)
    assert (shadow.is_enabled, shadow.revision) == (False, 2)


def test_a_promotion_is_stale_once_the_shadow_changed(live_eur, setting_maker, setting_checker):
    # given
    shadow = TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "5000"})
    promotion = propose_shadow_promotion(shadow=shadow, maker=setting_maker)
    approve_request(request=_propose(shadow, setting_maker, parameters={"amount_at_least": "6000"}),
                    checker=setting_checker)
    before = _state(live_eur)
    # when
    with pytest.raises(StaleConfigurationChange):
        approve_request(request=promotion, checker=setting_checker)
    # then
    assert _state(live_eur) == before
    assert TypologySetting.objects.get(pk=shadow.pk).is_enabled


def test_a_shadow_is_promoted_to_a_new_live_setting_when_there_is_none(setting_maker, setting_checker):
    shadow = TypologySetting.objects.create(typology="large_cash", currency="USD", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "9000"})
    approve_request(request=propose_shadow_promotion(shadow=shadow, maker=setting_maker), checker=setting_checker)
    live = TypologySetting.objects.get(currency="USD", mode=SettingMode.LIVE)
    assert (live.parameters, live.revision, live.is_enabled) == ({"amount_at_least": "9000.00"}, 1, True)


def test_promoting_a_shadow_with_the_live_parameters_is_refused(live_eur, setting_maker):
    shadow = TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "10000"})
    with pytest.raises(TypologySettingRefused):
        propose_shadow_promotion(shadow=shadow, maker=setting_maker)
    assert not ApprovalRequest.objects.exists()


@pytest.fixture
def three_parameter_typology():
    """A typology of three parameters, in the library for one test only (the library's own have vectors)."""

    class ThreeThresholds(Typology):
        code, version, name, description = "three_thresholds", 1, "Three thresholds", "For the tests."
        schedule, lookback = REALTIME, datetime.timedelta(hours=1)
        parameters = (Parameter("amount_at_least", "amount", "Amount at least", "1000"),
                      Parameter("within_hours", "hours", "Within", 24),
                      Parameter("countries", "countries", "Countries", ["IR", "KP"]))

        def scan(self, movements, *, parameters, context=None):
            return []

    register(ThreeThresholds)
    yield ThreeThresholds
    _LIBRARY.pop(ThreeThresholds.code)


def test_each_changed_parameter_is_its_own_diff_row_and_unchanged_ones_are_left_out(
        three_parameter_typology, setting_maker, setting_checker):
    # given
    setting = TypologySetting.objects.create(typology="three_thresholds", currency="USD",
                                             parameters={"amount_at_least": "1000", "within_hours": 24,
                                                         "countries": ["IR", "KP"]})
    # when
    approval = _propose(setting, setting_maker, parameters={"amount_at_least": "1000", "within_hours": "48",
                                                            "countries": ["kp", "ir", "sy"]})
    # then
    rows = [(c["label"], c["before_text"], c["after_text"]) for c in approval.parameters["changes"]]
    assert rows == [("Countries", "IR, KP", "IR, KP, SY"), ("Within", "24 hours", "48 hours")]
    approve_request(request=approval, checker=setting_checker)
    assert TypologySetting.objects.get(pk=setting.pk).parameters == {
        "amount_at_least": "1000.00", "within_hours": 48, "countries": ["IR", "KP", "SY"]}
