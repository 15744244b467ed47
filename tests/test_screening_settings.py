"""The mass-delisting limit of screening list imports is read from the environment at start-up; a malformed one
stops the back office there rather than letting an import run against a limit nobody meant."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _settings(**environment):
    """Import the settings in a fresh interpreter with ``environment``; the share and floor, or the error."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCREENING_MAX_DELISTED")}
    env.update(DEBUG="1", OGPGY_READ_DOT_ENV="0", **environment)
    program = ("import json, config.settings as s; "
               "print(json.dumps([str(s.SCREENING_MAX_DELISTED_SHARE), s.SCREENING_MAX_DELISTED_FLOOR]))")
    run = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                         text=True, timeout=60)
    return json.loads(run.stdout) if run.returncode == 0 else run.stderr


def test_the_default_limit_is_a_tenth_of_a_list_and_at_least_five_entries():
    assert _settings() == ["0.10", 5]


def test_the_limit_is_read_from_the_environment():
    assert _settings(SCREENING_MAX_DELISTED_SHARE="0.25", SCREENING_MAX_DELISTED_FLOOR="20") == ["0.25", 20]


@pytest.mark.parametrize("value", ["10%", "-0.1", "1.5", "NaN", "lots"])
def test_a_malformed_share_stops_the_start(value):
    error = _settings(SCREENING_MAX_DELISTED_SHARE=value)
    assert "ImproperlyConfigured" in error and "SCREENING_MAX_DELISTED_SHARE" in error


def test_a_negative_floor_stops_the_start():
    error = _settings(SCREENING_MAX_DELISTED_FLOOR="-1")
    assert "ImproperlyConfigured" in error and "SCREENING_MAX_DELISTED_FLOOR" in error
