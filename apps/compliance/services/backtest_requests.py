"""Requesting a backtest: the parameters to try (a setting's, or a proposal's before anyone approves it) are
validated by the typology and recorded with the range; the Celery task carries it out once this commits."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from apps.compliance.errors import BacktestRefused, CompliancePermissionRefused
from apps.compliance.models import BacktestRun, TypologySetting
from apps.compliance.services.settings import checked_parameters, library_typology
from apps.compliance.tasks import run_backtest_task
from apps.organization.models import User
from apps.outbox.broker import send_task_on_commit


@transaction.atomic
def request_backtest(*, typology: str, currency: str, parameters: Mapping[str, Any] | None,
                     date_from: datetime.date, date_to: datetime.date, requested_by: User,
                     source_setting: TypologySetting | None = None) -> BacktestRun:
    """Queue a backtest of ``parameters`` (None: the source setting's) over business dates ``date_from`` to
    ``date_to``. Refused when the typology refuses the parameters or the range is reversed."""
    if not requested_by.has_perm("compliance.request_backtest"):
        raise CompliancePermissionRefused("Your role may not request backtests.")
    if date_from > date_to:
        raise BacktestRefused(f"The range ends ({date_to}) before it starts ({date_from}).",
                              code="backtest_range_reversed")
    if source_setting is not None:
        source_setting = TypologySetting.objects.get(pk=source_setting.pk)
        typology, currency = source_setting.typology, source_setting.currency
        if parameters is None:
            parameters = source_setting.parameters
    entry = library_typology(typology)
    run = BacktestRun(typology=typology, typology_version=entry.version, currency=currency,
                      parameters=checked_parameters(entry=entry, raw=parameters or {}, currency=currency),
                      source_setting=source_setting, date_from=date_from, date_to=date_to,
                      requested_by=requested_by)
    run._history_user = requested_by
    run.save()
    send_task_on_commit(run_backtest_task, run.pk,
                        backstop="the beat task compliance.run_backtests_left_behind carries it out")
    return run
