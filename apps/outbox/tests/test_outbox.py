"""The outbox: events written with the change, delivered after commit, retried with backoff, at least once."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from apps.outbox.models import OutboxDelivery, OutboxEvent
from apps.outbox.services import deliver_event, deliver_pending_events, publish_event, retry_delay
from apps.outbox.subscribers import subscriber, unsubscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """Two subscribers to "test.happened": a steady one, and a flaky one that fails on its first call."""
    calls = {"steady": [], "flaky": [], "flaky_failures_left": 1}

    @subscriber("test.steady", events=["test.happened"])
    def steady(event):
        calls["steady"].append(event.pk)

    @subscriber("test.flaky", events=["test.happened"])
    def flaky(event):
        if calls["flaky_failures_left"]:
            calls["flaky_failures_left"] -= 1
            raise ConnectionError("notification service unavailable")
        calls["flaky"].append(event.pk)

    yield calls
    unsubscribe("test.steady")
    unsubscribe("test.flaky")


def test_an_event_is_delivered_after_commit(received, django_capture_on_commit_callbacks):
    received["flaky_failures_left"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        event = publish_event("test.happened", {"n": 1})
        assert received["steady"] == []  # nothing before commit
    event.refresh_from_db()
    assert event.state == OutboxEvent.State.DELIVERED
    assert received == {"steady": [event.pk], "flaky": [event.pk], "flaky_failures_left": 0}


def test_an_event_of_a_rolled_back_change_is_never_written_nor_sent(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                publish_event("test.happened", {"n": 1})
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not OutboxEvent.objects.exists()
    assert received["steady"] == []
    assert callbacks == []


def test_a_failing_subscriber_is_retried_with_backoff_and_the_others_are_not_repeated(
        received, django_capture_on_commit_callbacks):
    # given an event whose first delivery fails for one of its two subscribers
    with django_capture_on_commit_callbacks(execute=True):
        event = publish_event("test.happened", {"n": 1})
    event.refresh_from_db()
    assert (event.state, event.attempts) == ("pending", 1)
    assert "notification service unavailable" in event.last_error
    first_retry = event.next_attempt_at
    assert first_retry - timezone.now() > datetime.timedelta(seconds=25)
    # when the sweep runs before the retry is due, nothing happens
    assert deliver_pending_events(now=first_retry - datetime.timedelta(seconds=1)) == 0
    # when it runs after, the flaky subscriber succeeds and the steady one is not called again
    assert deliver_pending_events(now=first_retry) == 1
    event.refresh_from_db()
    assert event.state == "delivered"
    assert received["steady"] == [event.pk]
    assert received["flaky"] == [event.pk]
    assert set(OutboxDelivery.objects.values_list("subscriber", flat=True)) == {"test.steady", "test.flaky"}


def test_a_delivered_event_is_not_delivered_again(received):
    received["flaky_failures_left"] = 0
    event = publish_event("test.happened", {})
    now = timezone.now()
    deliver_event(event_id=event.pk, now=now)
    assert deliver_event(event_id=event.pk, now=now) is None
    assert received["steady"] == [event.pk]


def test_retries_back_off_exponentially_up_to_a_cap(settings):
    settings.OUTBOX_RETRY_BASE_DELAY = datetime.timedelta(seconds=30)
    settings.OUTBOX_MAX_RETRY_DELAY = datetime.timedelta(minutes=10)
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 600]


def test_after_the_last_attempt_the_event_is_marked_failed(received, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    received["flaky_failures_left"] = 5
    event = publish_event("test.happened", {})
    now = timezone.now()
    deliver_event(event_id=event.pk, now=now)
    deliver_event(event_id=event.pk, now=now + datetime.timedelta(hours=1))
    event.refresh_from_db()
    assert (event.state, event.attempts) == ("failed", 2)
    assert deliver_pending_events(now=now + datetime.timedelta(days=1)) == 0
