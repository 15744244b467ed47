"""The library's parameters: every default validates, and a window longer than the typology's look-back covers
is refused (it would make the near-real-time path and the end of day disagree with a backtest)."""

import pytest

from apps.compliance.typologies.base import ParameterError, library, typology


@pytest.mark.parametrize("entry", library(), ids=lambda entry: entry.code)
def test_every_typology_defaults_validate_and_type(entry):
    typed = entry.typed_parameters(entry.validated_parameters({}))

    assert set(typed) == {p.name for p in entry.parameters} and entry.version == 1


@pytest.mark.parametrize(("code", "name", "value"), [
    ("velocity", "hours", 25), ("rapid_movement", "hours", 49), ("structuring", "days", 15),
    ("round_amounts", "days", 32), ("fan_in", "days", 32), ("fan_out", "days", 32),
    ("dormant_reactivation", "days_after_waking", 15), ("profile_deviation", "history_days", 91),
])
def test_a_window_beyond_the_look_back_is_refused(code, name, value):
    entry = typology(code)

    entry.validated_parameters({name: value - 1})
    with pytest.raises(ParameterError, match="at most"):
        entry.validated_parameters({name: value})


def test_structurings_band_must_lie_below_the_threshold():
    with pytest.raises(ParameterError, match="below the reporting threshold"):
        typology("structuring").validated_parameters({"near_threshold_from": "10000", "reporting_threshold": "10000"})


def test_high_risk_countries_are_iso_codes():
    entry = typology("high_risk_geography")

    assert entry.validated_parameters({"countries": ["sy", "IR"]})["countries"] == ["IR", "SY"]
    with pytest.raises(ParameterError):
        entry.validated_parameters({"countries": ["Syria"]})
