"""Amount thresholds per currency (payments, teller cash limits) are read from the environment at start-up; a
malformed one, or the former single amount, stops the back office there rather than in the middle of a payment or
at the counter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _settings(**environment):
    """Import the settings in a fresh interpreter with ``environment``; its thresholds, or the error."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BENEFICIARY_COOLING_OFF", "STAFF_PAYMENT_APPROVAL", "TELLER_CASH_LIMIT"))}
    env.update(DEBUG="1", OGPGY_READ_DOT_ENV="0", **environment)
    program = ("import json, config.settings as s; "
               "print(json.dumps([s.BENEFICIARY_COOLING_OFF_AMOUNTS, s.STAFF_PAYMENT_APPROVAL_THRESHOLDS, "
               "s.TELLER_CASH_LIMITS]))")
    command = [sys.executable, "-c", program]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    return json.loads(run.stdout) if run.returncode == 0 else run.stderr


def test_the_defaults_are_the_former_amounts_in_euros():
    assert _settings() == [{"EUR": "1000.00"}, {"EUR": "10000.00"},
                           {"Teller": {"EUR": "10000.00"}, "Branch manager": {"EUR": "50000.00"}}]


def test_an_amount_is_given_per_currency():
    assert _settings(STAFF_PAYMENT_APPROVAL_THRESHOLDS="EUR=10000.00,JPY=1500000")[1] == {
        "EUR": "10000.00", "JPY": "1500000"}


def test_a_teller_cash_limit_is_given_per_currency_and_role():
    limits = _settings(TELLER_CASH_LIMITS_TELLER="EUR=10000.00,JPY=1500000")[2]
    assert limits == {"Teller": {"EUR": "10000.00", "JPY": "1500000"}, "Branch manager": {"EUR": "50000.00"}}


@pytest.mark.parametrize("name", ["BENEFICIARY_COOLING_OFF_AMOUNTS", "TELLER_CASH_LIMITS_TELLER",
                                  "TELLER_CASH_LIMITS_BRANCH_MANAGER"])
@pytest.mark.parametrize("value", ["eur=1000", "EUR=0", "EUR=-5", "EUR=lots", "EUR=NaN", "EURO=1000"])
def test_a_malformed_threshold_stops_the_start(name, value):
    error = _settings(**{name: value})
    assert "ImproperlyConfigured" in error and name in error


@pytest.mark.parametrize("name", ["STAFF_PAYMENT_APPROVAL_THRESHOLDS", "TELLER_CASH_LIMITS_TELLER"])
def test_a_bare_amount_under_the_new_name_stops_the_start_naming_the_format(name):
    # the old value copied to the new name without a currency is not read as some currency's amount
    error = _settings(**{name: "10000.00"})
    assert "ImproperlyConfigured" in error and f"{name} is a list of CURRENCY=amount" in error


@pytest.mark.parametrize(("former", "replacement"), [
    ("BENEFICIARY_COOLING_OFF_AMOUNT", "BENEFICIARY_COOLING_OFF_AMOUNTS"),
    ("STAFF_PAYMENT_APPROVAL_THRESHOLD", "STAFF_PAYMENT_APPROVAL_THRESHOLDS"),
    ("TELLER_CASH_LIMIT_TELLER", "TELLER_CASH_LIMITS_TELLER"),
    ("TELLER_CASH_LIMIT_BRANCH_MANAGER", "TELLER_CASH_LIMITS_BRANCH_MANAGER"),
])
def test_the_former_single_amount_is_refused_naming_its_replacement(former, replacement):
    error = _settings(**{former: "5000.00"})
    assert "ImproperlyConfigured" in error and replacement in error
