"""Sending Celery tasks to the broker without losing work or failing a request when the broker is down.

Every task our code sends goes through ``send_task`` or ``send_task_on_commit``; a test keeps it so. The work a
task carries is recorded in the database before it is sent (an outbox event, an initiated payment, a screening
import's progress), so a message that cannot be sent is only a delay: each caller names its ``backstop``, what
delivers the work once the broker is back (the outbox sweep, the payment poller) or does it at once instead.
A broker that refuses the message is logged, never raised into a request whose transaction already committed.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import ChannelError, OperationalError

logger = logging.getLogger(__name__)

# What kombu raises when it cannot publish (connection refused or lost, timeouts, a channel closed on it).
BROKER_ERRORS = (OperationalError, ChannelError, OSError)


def send_task(task: Task, *args: Any, backstop: str, kwargs: dict[str, Any] | None = None, **options: Any) -> bool:
    """Send ``task(*args, **kwargs)`` now (``options`` as for ``apply_async``: task_id, queue, headers...). False,
    with a warning naming the backstop, if the broker did not take it.

    Call it outside any transaction (``send_task_on_commit`` does that for you): a worker may run the task before
    an open transaction commits, or for a change that then rolls back.
    """
    try:
        task.apply_async(args=args, kwargs=kwargs, **options)
    except BROKER_ERRORS as error:
        if task.app.conf.task_always_eager:
            raise  # no broker involved: the task ran here and this is its own error
        logger.warning("Broker unreachable, %s%r not sent (%s: %s); %s.", task.name, args, type(error).__name__,
                       error, backstop)
        return False
    return True


def send_task_on_commit(task: Task, *args: Any, backstop: str) -> None:
    """Send ``task(*args)`` once the caller's transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: send_task(task, *args, backstop=backstop))
