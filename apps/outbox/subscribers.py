"""The registry of outbox subscribers. A domain registers its handlers in a module imported from its
AppConfig.ready()::

    @subscriber("compliance.open_case_on_rejection", events=["kyc.status_changed"])
    def open_case(event: OutboxEvent) -> None:
        ...

A handler runs in its own transaction together with the record of its delivery, so its database work and the
"delivered" mark commit or roll back together. Work outside the database (an email, a webhook) may be repeated
if the process dies between the two: make it idempotent, e.g. keyed by ``event.pk``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    events: frozenset[str]
    handle: Handler


_REGISTRY: dict[str, Subscriber] = {}


def subscriber(name: str, *, events: Iterable[str]) -> Callable[[Handler], Handler]:
    def register(handle: Handler) -> Handler:
        _REGISTRY[name] = Subscriber(name=name, events=frozenset(events), handle=handle)
        return handle

    return register


def unsubscribe(name: str) -> None:
    """For tests that register a temporary subscriber."""
    _REGISTRY.pop(name, None)


def subscribers_for(event_type: str) -> list[Subscriber]:
    return [sub for name, sub in sorted(_REGISTRY.items()) if event_type in sub.events]
