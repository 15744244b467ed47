"""Settings for the test suite: the production settings module on PostgreSQL and Redis.

DATABASE_URL and REDIS_URL default to this machine's services; CI and developers may point them elsewhere.
"""

import os

os.environ["OGPGY_READ_DOT_ENV"] = "0"  # a developer's .env (embedded SQLite) must not leak into tests
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "t" * 40)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# the suite delivers money.moved per event, on commit (eager); the batch consumer has its own tests
os.environ.setdefault("OUTBOX_BATCHED_EVENT_TYPES", "")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("CACHE_KEY_PREFIX", f"ogpgy-test-{os.getpid()}")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
