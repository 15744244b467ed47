"""Load the demo bank "OgPgy Bank" by running every seeder of config/demo.py. Safe to run again.

Refused in production mode (DEMO_DATA_ALLOWED is off): the demo logins share a published password.

The work the seeders' services queue (KYC checks, outbox events) runs in this process after the seeding commits,
in the order it was queued, as in the embedded mode: the demo needs no broker, and no worker decides a customer's
KYC again after the seeders set the state the demo shows.
"""

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from config.demo import DEMO_SEEDERS


class Command(BaseCommand):
    help = "Load the demo bank (idempotent). Only where DEMO_DATA_ALLOWED is on."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled in production mode (DEMO_DATA_ALLOWED=1 overrides).")
        eager = current_app.conf.task_always_eager
        current_app.conf.task_always_eager = True
        try:
            with transaction.atomic():
                for path in DEMO_SEEDERS:
                    import_string(path)(self.stdout)
        finally:
            current_app.conf.task_always_eager = eager
        self.stdout.write(self.style.SUCCESS("Demo bank ready: OgPgy Bank."))
