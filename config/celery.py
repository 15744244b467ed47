"""The Celery application: workers and beat both start from here (``celery -A config worker|beat``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ogpgy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
