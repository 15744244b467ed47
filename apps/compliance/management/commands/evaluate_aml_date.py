import datetime

from django.core.management.base import BaseCommand

from apps.compliance.services.end_of_day import monitor_business_date


class Command(BaseCommand):
    help = "Run monitoring's end of day for a business date (what the end-of-day step compliance.monitor does)."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, date, **options):
        counts = monitor_business_date(date)
        self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
