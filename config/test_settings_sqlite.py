"""Settings for the test suite on SQLite, the embedded mode's database (`make run`).

    .venv/bin/python -m pytest --ds=config.test_settings_sqlite -m "not postgresql_only" --create-db

The same settings as config/test_settings.py (Redis for the cache) with the embedded mode's database options. The
test database is a file under var/, not an in-memory database: a few tests run real threads (concurrent requests
with one idempotency key), and on a file SQLite makes a second writer wait (``timeout``) where a shared in-memory
database would fail it at once with "database table is locked".
"""

import os

from config.test_settings import *  # noqa: F403
from config.test_settings import VAR_DIR

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": {
        "ENGINE": "config.sqlite",
        "NAME": VAR_DIR / "ogpgy.sqlite3",
        # The embedded mode's options (config/settings.py): a write transaction takes the lock when it begins.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        # A file under var/ (kept between runs by --reuse-db: pass --create-db after a migration changes);
        # SQLITE_TEST_DATABASE names another, for two SQLite runs side by side.
        "TEST": {"NAME": os.environ.get("SQLITE_TEST_DATABASE", str(VAR_DIR / "test-ogpgy.sqlite3"))},
    }
}
