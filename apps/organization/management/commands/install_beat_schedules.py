from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from config.schedules import DEFAULT_SCHEDULES


class Command(BaseCommand):
    help = "Create the default beat schedules that do not exist yet (never overwrites admin edits)."

    @transaction.atomic
    def handle(self, *args, **options):
        for schedule in DEFAULT_SCHEDULES:
            if PeriodicTask.objects.filter(name=schedule["name"]).exists():
                continue
            if "interval" in schedule:  # a period shorter than a minute
                interval, _ = IntervalSchedule.objects.get_or_create(**schedule["interval"])
                PeriodicTask.objects.create(name=schedule["name"], task=schedule["task"], interval=interval)
            else:
                crontab, _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **schedule["crontab"])
                PeriodicTask.objects.create(name=schedule["name"], task=schedule["task"], crontab=crontab)
            self.stdout.write(f"scheduled: {schedule['name']}")
