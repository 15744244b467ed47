"""Expired API tokens are deleted by an hourly beat task, not only when knox next sees one presented.

The issue "Trust first": a token that expired and was never presented again stayed in the database (its user,
device and digest) for ever. Tokens expire by wall-clock time (a security expiry), not by the business date.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from knox.models import AuthToken

from apps.organization.api_tokens import delete_expired_api_tokens, issue_api_token
from apps.organization.tasks import delete_expired_api_tokens_task
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db
TASK = "organization.delete_expired_api_tokens"


def _token(user, *, expiry):
    token, _ = issue_api_token(user=user)
    AuthToken.objects.filter(pk=token.pk).update(expiry=expiry)
    return token.pk


def test_the_cleanup_deletes_expired_tokens_keeps_live_ones_and_counts_what_it_deleted():
    # given: two expired tokens, one live, one that never expires
    user = CustomerUserFactory()
    now = timezone.now()
    expired = [_token(user, expiry=now - datetime.timedelta(hours=1)), _token(user, expiry=now)]
    live = [_token(user, expiry=now + datetime.timedelta(minutes=1)), _token(user, expiry=None)]
    # when
    deleted = delete_expired_api_tokens(now=now)
    # then
    assert deleted == 2
    assert sorted(AuthToken.objects.values_list("pk", flat=True)) == sorted(live)
    assert not AuthToken.objects.filter(pk__in=expired).exists()
    # idempotent: a second run finds nothing more to delete
    assert delete_expired_api_tokens(now=now) == 0
    assert AuthToken.objects.count() == 2


def test_the_beat_task_deletes_the_tokens_expired_by_the_wall_clock():
    user = CustomerUserFactory()
    _token(user, expiry=timezone.now() - datetime.timedelta(seconds=1))
    kept = _token(user, expiry=timezone.now() + datetime.timedelta(hours=1))
    assert delete_expired_api_tokens_task.apply().get() == 1
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [kept]


def test_install_beat_schedules_installs_the_expired_token_cleanup():
    call_command("install_beat_schedules", stdout=io.StringIO())
    task = PeriodicTask.objects.get(task=TASK)
    assert task.enabled and task.crontab.minute == "37" and task.crontab.hour == "*"
