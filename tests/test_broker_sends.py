"""Every Celery message our code sends goes through apps/outbox/broker.py, which never lets a broker outage fail a
request or lose the work (tests with the broker down: apps/*/tests, ``broker_down``)."""

import re
from pathlib import Path

from django.conf import settings

SENDING = re.compile(r"\.(delay|apply_async|send_task|signature)\(|\bsend_task_message\(")
THE_ONE_SENDER = Path("apps/outbox/broker.py")


def test_tasks_are_sent_only_through_the_broker_module():
    base = Path(settings.BASE_DIR)
    senders = sorted(
        f"{path.relative_to(base)}:{number}"
        for folder in ("apps", "config")
        for path in (base / folder).rglob("*.py")
        if "tests" not in path.relative_to(base).parts and path.relative_to(base) != THE_ONE_SENDER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SENDING.search(line)
    )
    assert senders == []
